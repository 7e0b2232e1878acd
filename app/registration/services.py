"""The rules of registration: deadline, one registration per address, links, the delegate's own data."""
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import parse_many
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..email_address import address_fingerprint, canonical_email
from ..events.models import Event
from ..extensions import db, limiter
from .models import Registration

# What a delegate gives us and may change; everything else the portal keeps itself.
FIELDS = (
    "given_name", "family_name", "passport_given_name", "passport_family_name", "email", "phone",
    "country", "organisation", "position", "gender", "language", "days", "arrival_date",
    "arrival_time", "arrival_flight", "departure_date", "departure_time", "departure_flight",
    "hotel_needed", "hotel_check_in", "hotel_check_out", "room_type", "dietary_needs",
    "accessibility_needs", "interpretation", "visa_letter", "nationality", "passport_number",
    "date_of_birth", "passport_expiry", "newsletter",
)
PASSPORT_FIELDS = ("nationality", "passport_number", "date_of_birth", "passport_expiry")
# What an erased registration keeps so the hosts can still count: no one can be told apart by it.
KEPT_WHEN_ERASED = ("country", "gender", "language", "days", "interpretation", "status", "created_at")


class RegistrationClosed(Exception):
    """The deadline has passed."""


class AlreadyRegistered(Exception):
    """This address has registered for the event already."""

    def __init__(self, registration: Registration):
        super().__init__(registration.id)
        self.registration = registration


class InvalidLink(Exception):
    """A private link that is forged, expired, or for a registration that changed or is gone."""


def find(event: Event, email: str) -> Registration | None:
    """The registration of this address for this event, if any."""
    return db.session.scalar(
        select(Registration).filter_by(event_id=event.id, email_key=canonical_email(email))
    )


def register(event: Event, data: dict, now: datetime) -> Registration:
    """Store a new registration; raises RegistrationClosed or AlreadyRegistered."""
    if not event.registration_is_open(now):
        raise RegistrationClosed()
    existing = find(event, data["email"])
    if existing is not None:
        # Cancelled or declined too: only the emailed link opens it, never a new form.
        raise AlreadyRegistered(existing)
    registration = Registration(event_id=event.id)
    _apply(registration, data, now)
    registration.status = Registration.PENDING
    registration.privacy_consent_at = now
    registration.created_at = now
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError:
        # The same address registered in a request running alongside this one.
        raise AlreadyRegistered(find(event, data["email"])) from None
    return registration


def update(registration: Registration, data: dict, now: datetime) -> Registration:
    """Change a registration (until the deadline); the address stays the one the link was sent to."""
    event = db.session.get(Event, registration.event_id)
    if not event.registration_is_open(now):
        raise RegistrationClosed()
    data = dict(data, email=registration.email)
    _apply(registration, data, now)
    db.session.flush()
    return registration


def cancel(registration: Registration, now: datetime) -> list:
    """The delegate withdraws: their seats go to the waitlists (returns the promoted places)."""
    from ..program.services import lock_delegate, release_all

    lock_delegate(registration)  # no sign-up of this delegate runs alongside
    registration.status = Registration.CANCELLED
    registration.cancelled_at = now
    registration.updated_at = now
    db.session.flush()
    return release_all(registration)


def can_reinstate(registration: Registration, now: datetime) -> bool:
    """A delegate who cancelled (not erased) may come back until the deadline."""
    event = db.session.get(Event, registration.event_id)
    return (event.registration_is_open(now) and registration.status == Registration.CANCELLED
            and not registration.is_erased)


def reinstate(registration: Registration, now: datetime) -> Registration:
    """Undo a cancellation before the deadline; the seats given up stay with those who got them."""
    if not db.session.get(Event, registration.event_id).registration_is_open(now):
        raise RegistrationClosed()
    if can_reinstate(registration, now):
        registration.status = Registration.PENDING
        registration.cancelled_at = None
        registration.updated_at = now
        db.session.flush()
    return registration


def erase(registration: Registration, now: datetime) -> list:
    """Delete the delegate's personal data, keeping only anonymous counts for the hosts.

    Their seats go to the waitlists; returns the promoted places."""
    from ..newsletter.services import forget
    from ..program.services import release_all

    promoted = release_all(registration)
    forget(db.session.get(Event, registration.event_id), registration.email)
    for name in FIELDS:
        if name in KEPT_WHEN_ERASED:
            continue
        column = Registration.__table__.columns[name]
        setattr(registration, name, None if column.nullable else _empty(column))
    registration.email_key = f"erased-{registration.id}"
    registration.status = Registration.CANCELLED
    registration.cancelled_at = registration.cancelled_at or now
    registration.erased_at = now
    registration.link_version += 1
    db.session.flush()
    return promoted


def purge_passport_data(event: Event, now: datetime, days_after_event: int) -> int:
    """Delete passport data once the event is `days_after_event` days past; returns how many were purged."""
    if now.astimezone(event.tz).date() < event.ends_on + timedelta(days=days_after_event):
        return 0
    purged = 0
    for registration in db.session.scalars(select(Registration).filter_by(event_id=event.id)):
        if registration.has_passport_data:
            registration.nationality = ""
            registration.passport_number = ""
            registration.date_of_birth = None
            registration.passport_expiry = None
            registration.passport_purged_at = now
            purged += 1
    db.session.flush()
    return purged


def export(registration: Registration) -> dict:
    """Everything stored about the delegate, as plain data (their right to a copy).

    Passport details are shown to the hosts only: the copy says whether they are on file,
    since anyone holding the delegate's private link could download it."""
    from ..newsletter.services import find as find_subscriber
    from ..program.services import places, waitlist_position

    data = {}
    for name in FIELDS + ("status", "created_at", "updated_at", "privacy_consent_at", "cancelled_at"):
        if name in PASSPORT_FIELDS:
            continue
        data[name] = _plain(getattr(registration, name))
    data["passport_details_on_file"] = registration.has_passport_data
    data["sessions"] = [
        {"session": seat.session.slug, "status": seat.status, "since": _plain(seat.created_at),
         "waiting_list_position": waitlist_position(seat) if seat.status == "waiting" else None}
        for seat in sorted(places(registration).values(), key=lambda seat: seat.session.starts_at)
    ]
    subscriber = find_subscriber(db.session.get(Event, registration.event_id), registration.email)
    data["newsletter_subscription"] = None if subscriber is None else {
        "status": subscriber.status, "language": subscriber.language,
        "created_at": _plain(subscriber.created_at), "confirmed_at": _plain(subscriber.confirmed_at),
    }
    return data


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def may_email_link(registration: Registration) -> bool:
    """Whether this address may get another link email now (RATELIMIT_LINK_PER_ADDRESS):
    however many clients ask, an inbox is not flooded."""
    if not limiter.enabled:
        return True
    key = address_fingerprint(registration.email_key)
    return all(limiter.limiter.test(item, "link-to", key) for item in _link_limits())


def link_emailed(registration: Registration) -> None:
    """A link email went out to this address: it counts towards RATELIMIT_LINK_PER_ADDRESS."""
    if limiter.enabled:
        key = address_fingerprint(registration.email_key)
        for item in _link_limits():
            limiter.limiter.hit(item, "link-to", key)


def _link_limits():
    return parse_many(current_app.config["RATELIMIT_LINK_PER_ADDRESS"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="delegate-link")


def link_token(registration: Registration) -> str:
    """The token in a delegate's private link: bound to this registration, its address and version."""
    return _serializer().dumps([registration.id, address_fingerprint(registration.email_key), registration.link_version])


def registration_from_link(token: str, max_age: int) -> Registration:
    """The registration a private link names, if genuine, fresh and still current."""
    try:
        payload = _serializer().loads(token, max_age=max_age)
        registration_id, fingerprint, version = payload
    except (BadData, TypeError, ValueError) as error:
        raise InvalidLink() from error
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if (
        registration is None
        or address_fingerprint(registration.email_key) != fingerprint
        or registration.link_version != version
        or registration.is_erased
    ):
        raise InvalidLink()
    return registration


def signed_in(registration_id, version) -> Registration | None:
    """The registration a device is signed in as, if that sign-in is still good."""
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if registration is None or registration.link_version != version or registration.is_erased:
        return None
    return registration


def _apply(registration: Registration, data: dict, now: datetime) -> None:
    for name in FIELDS:
        if name in data:
            setattr(registration, name, data[name])
    if not registration.visa_letter:
        for name in PASSPORT_FIELDS:
            column = Registration.__table__.columns[name]
            setattr(registration, name, None if column.nullable else _empty(column))
    if not registration.hotel_needed:
        registration.hotel_check_in = registration.hotel_check_out = None
        registration.room_type = ""
    registration.email_key = canonical_email(registration.email)
    registration.updated_at = now


def _empty(column):
    python_type = column.type.python_type
    return {str: "", bool: False, list: []}.get(python_type, None)
