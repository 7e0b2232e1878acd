"""Check-in at the door: which day the door counts for, who is let in with one tap, and the
check-ins themselves (one per delegate and day, however many hosts tap at once).

The rules are plain functions at the top; the services below them read and write the database."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Text, case, cast, func, select
from sqlalchemy.exc import IntegrityError

from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration
from . import audit, registrations
from .models import CheckIn, Host

# What the door says of a delegate: let in; let in, but the registration is not yet confirmed;
# not let in with a tap (declined or cancelled); already in today.
WELCOME, UNCONFIRMED, REFUSED, ALREADY_IN = "welcome", "unconfirmed", "refused", "already-in"
# A badge's code as new_checkin_code makes it (URL-safe base64, at most the column's length):
# anything else names nobody, and is not even looked up (PostgreSQL refuses a NUL in a text).
CODE = re.compile(r"[A-Za-z0-9_-]{1,24}")


# The rules

def door_day(first: date, last: date, today: date) -> date:
    """The event day a check-in counts for: today while the event runs; before it, its first
    day (a rehearsal, or delegates let in early); after it, its last."""
    return min(max(today, first), last)


def is_code(text: str) -> bool:
    """Whether `text` could be a badge's check-in code."""
    return CODE.fullmatch(text) is not None


def event_phase(first: date, last: date, today: date) -> str:
    """`before`, `during` or `after` the event, on `today` in the event's time zone."""
    if today < first:
        return "before"
    return "after" if today > last else "during"


def event_days(first: date, last: date) -> list[date]:
    """Every day of the event, in order."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def attends(days, day: date) -> bool:
    """Whether a registration's `days` (ISO dates, as the form stores them) include `day`."""
    return isinstance(days, list) and day.isoformat() in days


def passport_spelling(registration: Registration) -> str:
    """The name as in the passport, for the door to show beneath the name as written; empty where
    the delegate gave none, or gave the name as written."""
    latin = " ".join((registration.passport_given_name, registration.passport_family_name)).strip()
    return "" if latin == f"{registration.given_name} {registration.family_name}" else latin


def verdict(status: str, checked_in: bool) -> str:
    """What the door does with a delegate: one check-in a day; a confirmed registration is
    welcome, a pending one is let in with a warning the host must see (the hosts have not yet
    decided, and a well-run door does not turn a delegate away for the hosts' delay), a declined
    or cancelled one (or any other) is not let in with a tap: a coordinator decides."""
    if checked_in:
        return ALREADY_IN
    if status == Registration.CONFIRMED:
        return WELCOME
    if status == Registration.PENDING:
        return UNCONFIRMED
    return REFUSED


# The services

@dataclass
class Card:
    """One delegate at the door on `day`: who, today's check-in if any, and what the door does."""

    registration: Registration
    day: date
    check_in: CheckIn | None
    coordinators: list[str] = field(default_factory=list)  # whom to ask when the door refuses

    @property
    def verdict(self) -> str:
        return verdict(self.registration.status, self.check_in is not None)

    @property
    def is_in(self) -> bool:
        return self.verdict == ALREADY_IN

    @property
    def is_refused(self) -> bool:
        return self.verdict == REFUSED

    @property
    def is_unconfirmed(self) -> bool:
        return self.verdict == UNCONFIRMED

    def checked_in_by(self, host: Host) -> bool:
        """Whether `host` checked the delegate in today."""
        return self.check_in is not None and self.check_in.host_id == host.id

    @property
    def attends(self) -> bool:
        """Whether the delegate registered for the day (a delegate who did not is still let in)."""
        return attends(self.registration.days, self.day)


@dataclass(frozen=True)
class DayCount:
    day: date
    arrived: int
    expected: int  # active registrations (pending and confirmed) attending that day


@dataclass
class Found:
    """A search at the door: the delegates that match (at most a list's page, by name), how many
    match in all, and each one's check-in on the day."""

    rows: list[Registration]
    total: int
    check_ins: dict[int, CheckIn]


@dataclass
class Door:
    """The door's page: the day it counts for, where the event stands, the counts; and a search's
    results, or the card of the delegate a badge names (`unknown`: a code that names nobody)."""

    day: date
    phase: str
    counts: list[DayCount]
    found: Found | None = None
    card: Card | None = None
    unknown: bool = False


class NotLetIn(Exception):
    """The tap recorded nothing; the door's card says why (already in, or refused)."""

    def __init__(self, door: Door):
        super().__init__(door.card.verdict)
        self.door = door


def today_at_door(event: Event, now: datetime) -> date:
    """The day the door counts check-ins for, at `now`."""
    return door_day(event.starts_on, event.ends_on, now.astimezone(event.tz).date())


def find(event: Event, code: str) -> Registration | None:
    """The registration a badge's code names; None for an unknown code or an erased registration."""
    if not is_code(code):
        return None
    registration = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                                Registration.checkin_code == code))
    return None if registration is None or registration.is_erased else registration


def door(event: Event, now: datetime, q: str = "", code: str | None = None) -> Door:
    """The door's page at `now`: the day, where the event stands, arrived and expected per day;
    with `q`, the delegates whose names (as written or as in the passport, any case, any script) or
    address match; with `code`, the card of the delegate that badge names."""
    day = today_at_door(event, now)
    if code is None:
        return _door(event, now, found=search(event, q, day) if q else None)
    registration = find(event, code)
    if registration is None:
        return _door(event, now, unknown=True)
    return _door(event, now, card=_card(registration, day, _check_in_of(registration.id, day)))


def check_in(host: Host, event: Event, code: str, now: datetime) -> Door:
    """Let in the delegate a badge names, for today's door day, in the audit log; the door's page
    after it. Raises NotLetIn (nothing recorded) if they are in already or their registration is
    declined or cancelled. Two hosts tapping at once: the unique constraint keeps one check-in, and
    the other host is told who was first. An unknown code: the page says so, nothing is recorded."""
    registration = find(event, code)
    if registration is None:
        return _door(event, now, unknown=True)
    day = today_at_door(event, now)
    before = _card(registration, day, _check_in_of(registration.id, day))
    if before.verdict in (ALREADY_IN, REFUSED):
        raise NotLetIn(_door(event, now, card=before))
    entry = CheckIn(registration_id=registration.id, day=day, at=now, host=host)
    try:
        with db.session.begin_nested():  # a savepoint: a refused insert leaves the transaction usable
            db.session.add(entry)
    except IntegrityError:
        # Another host's check-in was committed between our look and our insert.
        raise NotLetIn(_door(event, now, card=_card(registration, day, _check_in_of(registration.id, day)))) from None
    audit.record(host, "registration.checked_in", "registration", registration.id, None,
                 {"day": day.isoformat(), "status": registration.status})
    return _door(event, now, card=_card(registration, day, entry))


def search(event: Event, q: str, day: date) -> Found:
    """The registrations matching `q` as the hosts' list finds them, by name; erased ones left out."""
    page = registrations.search(event, registrations.Filters(q=q, sort="name"))
    rows = [registration for registration in page.rows if not registration.is_erased]
    check_ins = {}
    if rows:
        check_ins = {entry.registration_id: entry for entry in db.session.scalars(
            select(CheckIn).where(CheckIn.day == day, CheckIn.registration_id.in_([r.id for r in rows])))}
    return Found(rows, page.total - (len(page.rows) - len(rows)), check_ins)


def counts(event: Event) -> list[DayCount]:
    """Per event day: the delegates checked in, and the active registrations attending (two queries).
    A registration attends the days its `days` name: the JSON list is matched as text, in the
    database, where decoding 2,000 lists in Python took 18 ms."""
    days = event_days(event.starts_on, event.ends_on)
    chosen = cast(Registration.days, Text)
    attending = [func.coalesce(func.sum(case((chosen.like(f'%"{day.isoformat()}"%'), 1), else_=0)), 0) for day in days]
    expected = db.session.execute(select(*attending).where(
        Registration.event_id == event.id, Registration.status.in_(Registration.ACTIVE),
        Registration.erased_at.is_(None))).one()
    arrived = dict(db.session.execute(
        select(CheckIn.day, func.count()).join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.event_id == event.id).group_by(CheckIn.day)).all())
    return [DayCount(day, arrived.get(day, 0), number) for day, number in zip(days, expected)]


def checkins(registration: Registration) -> list[CheckIn]:
    """The delegate's check-ins, by day (their registration's page lists them)."""
    return list(db.session.scalars(select(CheckIn).where(CheckIn.registration_id == registration.id)
                                   .order_by(CheckIn.day)))


def _door(event: Event, now: datetime, **shown) -> Door:
    today = now.astimezone(event.tz).date()
    return Door(door_day(event.starts_on, event.ends_on, today), event_phase(event.starts_on, event.ends_on, today),
                counts(event), **shown)


def _check_in_of(registration_id: int, day: date) -> CheckIn | None:
    return db.session.scalar(select(CheckIn).where(CheckIn.registration_id == registration_id, CheckIn.day == day)
                             .execution_options(populate_existing=True))


def _card(registration: Registration, day: date, entry: CheckIn | None) -> Card:
    found = Card(registration, day, entry)
    if found.verdict == REFUSED:
        found.coordinators = list(db.session.scalars(select(Host.email).where(
            Host.role == Host.COORDINATOR, Host.active.is_(True)).order_by(Host.email)))
    return found
