"""The rules of registration: deadline, one registration per address, links, the delegate's own data."""
import hashlib
import secrets
from datetime import datetime, timedelta

from blinker import Namespace
from flask import current_app
from sqlalchemy import delete, func, select, update as update_rows
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..email_address import canonical_email
from ..events.models import Event
from ..extensions import db
from ..timestamps import utcnow
from . import letters, notify
from .links import InvalidLink, may_email_link, read_link
from .locking import lock_registration
from .models import LinkRequest, Registration, SignIn

# What a delegate gives us and may change; everything else the portal keeps itself.
FIELDS = (
    "given_name", "family_name", "passport_given_name", "passport_family_name", "email", "phone",
    "country", "organisation", "position", "gender", "language", "days", "arrival_date",
    "arrival_time", "arrival_flight", "luggage", "departure_date", "departure_time", "departure_flight",
    "hotel_needed", "hotel_check_in", "hotel_check_out", "room_type", "dietary_needs",
    "accessibility_needs", "interpretation", "visa_letter", "nationality", "passport_number",
    "date_of_birth", "passport_expiry", "newsletter",
)
PASSPORT_FIELDS = Registration.PASSPORT_FIELDS
# What an erased registration keeps so the hosts can still count: no one can be told apart by it.
KEPT_WHEN_ERASED = ("country", "gender", "language", "days", "interpretation", "status", "created_at")

# Sent inside the transaction that erases a delegate's data: the parts that keep something about a
# registration and sit above this domain (the hosts' notes and log) forget it too, by listening.
erased = Namespace().signal("registration-erased")


class RegistrationClosed(Exception):
    """The deadline has passed."""


class AlreadyRegistered(Exception):
    """This address has registered for the event already; `emailed`: its link went out again."""

    def __init__(self, registration: Registration, emailed: bool):
        super().__init__(registration.id)
        self.registration = registration
        self.emailed = emailed


def find(event: Event, email: str) -> Registration | None:
    """The registration of this address for this event, if any."""
    return db.session.scalar(
        select(Registration).filter_by(event_id=event.id, email_key=canonical_email(email))
    )


def register(event: Event, data: dict, now: datetime, next_path: str | None = None) -> Registration:
    """Store a new registration and queue its confirmation with the private link.

    Raises RegistrationClosed; for an address registered already (cancelled or declined too:
    only the emailed link opens it, never a new form), emails the link again within the
    per-address cap and raises AlreadyRegistered."""
    if not event.registration_is_open(now):
        raise RegistrationClosed()
    existing = find(event, data["email"])
    if existing is not None:
        raise _already_registered(event, existing)
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
        raise _already_registered(event, find(event, data["email"])) from None
    notify.queue_link(event, registration, "registration_received", next_path)
    return registration


def _already_registered(event: Event, registration: Registration) -> AlreadyRegistered:
    emailed = may_email_link(registration)
    if emailed:
        notify.queue_link(event, registration)
    return AlreadyRegistered(registration, emailed)


def may_edit(event: Event, registration: Registration, now: datetime) -> bool:
    """A delegate changes their registration until the deadline, while it is active."""
    return event.registration_is_open(now) and registration.is_active


def update(registration: Registration, data: dict, now: datetime) -> Registration:
    """Change a registration (see may_edit); the address stays the one the link was sent to.

    Passport details already on file are never shown again (only hosts see them): left empty
    on the form, they stay as stored."""
    if not may_edit(db.session.get(Event, registration.event_id), registration, now):
        raise RegistrationClosed()
    data = dict(data, email=registration.email)
    if data.get("visa_letter") and registration.has_passport_data:
        data = {name: value for name, value in data.items() if name not in PASSPORT_FIELDS or value}
    _apply(registration, data, now)
    db.session.flush()
    return registration


def may_cancel(registration: Registration) -> bool:
    """Only an active registration (pending or confirmed) can be cancelled."""
    return registration.is_active


def mark_cancelled(registration: Registration, now: datetime) -> None:
    """The registration's part of a cancellation (its seats are the program's, see app.delegates); a
    visa letter issued for it is withdrawn."""
    registration.status = Registration.CANCELLED
    registration.cancelled_at = now
    registration.updated_at = now
    letters.withdraw_on_leaving(registration, now)
    db.session.flush()


def can_reinstate(registration: Registration, now: datetime) -> bool:
    """A delegate who cancelled (not erased) may come back until the deadline."""
    event = db.session.get(Event, registration.event_id)
    return (event.registration_is_open(now) and registration.status == Registration.CANCELLED
            and not registration.is_erased)


def reinstate(registration: Registration, now: datetime) -> bool:
    """Undo a cancellation before the deadline; the seats given up stay with those who got them.

    Returns whether anything changed (a second tap changes nothing)."""
    if not db.session.get(Event, registration.event_id).registration_is_open(now):
        raise RegistrationClosed()
    if not can_reinstate(registration, now):
        return False
    registration.status = Registration.PENDING
    registration.cancelled_at = None
    registration.updated_at = now
    db.session.flush()
    return True


def erase_personal_data(registration: Registration, now: datetime) -> None:
    """The registration's part of erasing a delegate: keep only anonymous counts for the hosts.
    The emails to them go too, sent or not, and whatever the parts above keep about them
    (the `erased` signal, sent in this transaction)."""
    erased.send(registration)
    mail.forget(registration.email)
    _clear(registration, [name for name in FIELDS if name not in KEPT_WHEN_ERASED])
    registration.email_key = f"erased-{registration.id}"
    registration.status = Registration.CANCELLED
    registration.cancelled_at = registration.cancelled_at or now
    registration.erased_at = now
    registration.link_version += 1
    _end(registration, now)
    db.session.flush()


def purge_passport_data(event: Event, now: datetime, days_after_event: int) -> int:
    """Delete passport data once the event is `days_after_event` days past; returns how many were purged."""
    if now.astimezone(event.tz).date() < event.ends_on + timedelta(days=days_after_event):
        return 0
    purged = 0
    for registration in db.session.scalars(select(Registration).filter_by(event_id=event.id)):
        if registration.has_passport_data:
            _clear(registration, PASSPORT_FIELDS)
            registration.passport_purged_at = now
            purged += 1
    db.session.flush()
    return purged


def export(registration: Registration) -> dict:
    """What the registration holds, as plain data (the delegate's copy; see app.delegates.export).

    Passport details are shown to the hosts only: the copy says whether they are on file,
    since anyone holding the delegate's private link could download it."""
    data = {}
    for name in FIELDS + ("status", "created_at", "updated_at", "privacy_consent_at", "cancelled_at"):
        if name not in PASSPORT_FIELDS:
            data[name] = plain(getattr(registration, name))
    data["passport_details_on_file"] = registration.has_passport_data
    return data


def plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def request_link(event: Event, email: str, next_path: str | None = None) -> None:
    """«Send me a new link»: recorded the same way for every address (no lookup here, so neither
    the answer nor its time tells whether an address is registered); see handle_link_requests."""
    db.session.add(LinkRequest(event_id=event.id, email=email, next_path=next_path))
    db.session.flush()


def oldest_link_request() -> datetime | None:
    """When the oldest «Send me a new link» still waiting for the sender was made."""
    return db.session.scalar(select(func.min(LinkRequest.created_at)))


def handle_link_requests(limit: int = 100) -> int:
    """Email the link for each request whose address is registered and may get one now (the
    sender runs this before it delivers). A request is taken (deleted) and handled in one
    transaction, so two senders never handle it twice and none is lost. Returns how many."""
    handled = 0
    pending = list(db.session.scalars(select(LinkRequest.id).order_by(LinkRequest.id).limit(limit)))
    db.session.commit()
    for request_id in pending:
        try:
            asked = db.session.execute(delete(LinkRequest).where(LinkRequest.id == request_id).returning(
                LinkRequest.event_id, LinkRequest.email, LinkRequest.next_path)).first()
            if asked is not None:  # else another sender took it
                event = db.session.get(Event, asked.event_id)
                registration = find(event, asked.email)
                if registration is not None and may_email_link(registration):
                    notify.queue_link(event, registration, next_path=asked.next_path)
                handled += 1
            db.session.commit()
        except Exception:  # a fault of ours: the request stays for the next round, the others go on
            db.session.rollback()
            current_app.logger.exception("link request %s not handled", request_id)
    return handled


def sign_in(registration: Registration, method: str, link_nonce: str | None = None) -> str:
    """Record a device signed in as this delegate; returns the token its cookie carries."""
    token = secrets.token_urlsafe(32)
    db.session.add(SignIn(registration_id=registration.id, token_digest=_digest(token), method=method,
                          link_nonce=link_nonce))
    db.session.flush()
    return token


def sign_in_with_link(token: str, max_age: int, now: datetime) -> tuple[Registration, str]:
    """Use an emailed link: the device signs in (once per link), and the address is proven.

    From the first proof on, devices signed in only by filling in the form are signed out: a
    stranger who registered someone else's address loses it the moment its owner appears.
    Returns the registration and the device's token; raises InvalidLink."""
    registration, nonce = read_link(token, max_age)
    lock_registration(registration)
    read_link(token, max_age)  # again under the lock: a sign-out everywhere or an erasure that just committed counts
    try:
        with db.session.begin_nested():
            device = sign_in(registration, SignIn.LINK, nonce)
    except IntegrityError:
        raise InvalidLink() from None  # the same link, used a moment ago
    if registration.email_proven_at is None:
        registration.email_proven_at = now
    _end(registration, now, SignIn.method == SignIn.FORM)
    return registration, device


def signed_in(token) -> Registration | None:
    """The registration a device's token signs in, if that sign-in is still current."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    row = db.session.execute(
        select(SignIn, Registration).join(Registration, Registration.id == SignIn.registration_id)
        .where(SignIn.token_digest == _digest(token), SignIn.ended_at.is_(None),
               SignIn.created_at > utcnow() - timedelta(seconds=current_app.config["SIGN_IN_MAX_AGE"]))
    ).first()
    if row is None or row.Registration.is_erased:
        return None
    return row.Registration


def sign_out(token, now: datetime, everywhere: bool = False) -> None:
    """End this device's sign-in; `everywhere`: every device of that delegate, and every link
    emailed so far (they would sign a device in again)."""
    registration = signed_in(token)
    if registration is None:
        return
    lock_registration(registration)  # a link being used at this moment waits, then finds its version spent
    if everywhere:
        _end(registration, now)
        registration.link_version += 1
    else:
        db.session.execute(update_rows(SignIn).where(SignIn.token_digest == _digest(token), SignIn.ended_at.is_(None))
                           .values(ended_at=now))
    db.session.flush()


def end_device(token) -> None:
    """End the sign-in a device's token names (the device is signing in anew)."""
    if isinstance(token, str):
        db.session.execute(update_rows(SignIn).where(SignIn.token_digest == _digest(token), SignIn.ended_at.is_(None))
                           .values(ended_at=utcnow()))


def _end(registration: Registration, now: datetime, *where) -> None:
    db.session.execute(update_rows(SignIn).where(SignIn.registration_id == registration.id, SignIn.ended_at.is_(None),
                                            *where).values(ended_at=now))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _apply(registration: Registration, data: dict, now: datetime) -> None:
    for name in FIELDS:
        if name in data:
            setattr(registration, name, data[name])
    if not registration.visa_letter:
        _clear(registration, PASSPORT_FIELDS)
    if not registration.hotel_needed:
        registration.hotel_check_in = registration.hotel_check_out = None
        registration.room_type = ""
    registration.email_key = canonical_email(registration.email)
    registration.updated_at = now


def _clear(registration: Registration, names) -> None:
    """Empty these fields: NULL where the column allows it, else its empty value."""
    for name in names:
        column = Registration.__table__.columns[name]
        empty = None if column.nullable else {str: "", bool: False, list: []}.get(column.type.python_type)
        setattr(registration, name, empty)
