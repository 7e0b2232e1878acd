"""The rules of registration: deadline, one registration per address, links, the delegate's own data."""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..email_address import canonical_email
from ..events.models import Event
from ..extensions import db
from . import notify
from .links import may_email_link
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
PASSPORT_FIELDS = Registration.PASSPORT_FIELDS
# What an erased registration keeps so the hosts can still count: no one can be told apart by it.
KEPT_WHEN_ERASED = ("country", "gender", "language", "days", "interpretation", "status", "created_at")


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
    """The registration's part of a cancellation (its seats are the program's, see app.delegates)."""
    registration.status = Registration.CANCELLED
    registration.cancelled_at = now
    registration.updated_at = now
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
    """The registration's part of erasing a delegate: keep only anonymous counts for the hosts."""
    _clear(registration, [name for name in FIELDS if name not in KEPT_WHEN_ERASED])
    registration.email_key = f"erased-{registration.id}"
    registration.status = Registration.CANCELLED
    registration.cancelled_at = registration.cancelled_at or now
    registration.erased_at = now
    registration.link_version += 1
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
    """«Send me a new link»: email it if the address is registered and may get one now.

    The caller answers the same whatever happened: no answer tells whether an address is known."""
    registration = find(event, email)
    if registration is not None and may_email_link(registration):
        notify.queue_link(event, registration, next_path=next_path)


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
