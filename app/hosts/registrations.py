"""The hosts' list of registrations (search, filters, sorting, paging), one registration's whole
record, and the rows of the exports and of a session's roster."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from ..events.models import Event
from ..extensions import db
from ..program import services as program
from ..program.models import Seat, Session
from ..registration.models import Registration
from . import audit
from .models import AuditEntry, Host, HostNote

PAGE_SIZE = 50
SEARCHED = ("given_name", "family_name", "passport_given_name", "passport_family_name", "email_key", "organisation")
SEPARATOR = "\x1f"  # between the searched fields: a control character, which no field and no search holds
# The orders the list offers, by the name `sort` takes; any other value gets the first.
SORTS = {
    "newest": (Registration.created_at.desc(), Registration.id.desc()),
    "oldest": (Registration.created_at, Registration.id),
    "name": (Registration.family_name, Registration.given_name, Registration.id),
    "country": (Registration.country, Registration.family_name, Registration.given_name, Registration.id),
    "status": (Registration.status, Registration.family_name, Registration.given_name, Registration.id),
    "arrival": (Registration.arrival_date.is_(None), Registration.arrival_date, Registration.arrival_time.is_(None),
                Registration.arrival_time, Registration.id),
}
DEFAULT_SORT = "newest"
# The largest number a registration's id column holds: a larger one in an address names nobody
# (and SQLite refuses to even compare it).
LARGEST_ID = 2**31 - 1


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to: `q` in the names (as written and as in the passport, any case,
    Latin or Cyrillic), the address or the organisation; and the filters."""

    q: str = ""
    status: str = ""
    country: str = ""
    visa: bool = False
    hotel: bool = False
    arrival: date | None = None
    sort: str = DEFAULT_SORT

    @property
    def order(self) -> tuple:
        return SORTS.get(self.sort, SORTS[DEFAULT_SORT])

    @property
    def query_args(self) -> dict:
        """These filters as the list's query string has them (only those set): for links and the log."""
        args = {"q": self.q, "status": self.status, "country": self.country, "visa": 1 if self.visa else None,
                "hotel": 1 if self.hotel else None, "arrival": self.arrival.isoformat() if self.arrival else None,
                "sort": self.sort if self.sort in SORTS and self.sort != DEFAULT_SORT else None}
        return {name: value for name, value in args.items() if value}


@dataclass
class Page:
    rows: list[Registration]
    total: int
    page: int

    @property
    def has_next(self) -> bool:
        return self.page * PAGE_SIZE < self.total


@dataclass
class Record:
    """One registration as its detail page shows it."""

    registration: Registration
    places: list[tuple[Seat, int | None]]  # each seat or waitlist place, with the number in line
    notes: list[HostNote]
    history: list[AuditEntry]


@dataclass(frozen=True)
class RosterLine:
    seat: Seat
    registration: Registration
    position: int | None  # the number in line on the waitlist


def search(event: Event, filters: Filters, page: int = 1) -> Page:
    """One page of the event's registrations that match, in the order asked for (newest first).

    The search runs once: it yields the numbers of all that match, in order (their count is the
    total), and the page's registrations are then read by number. (Counting apart ran the search
    twice; on SQLite each pass folds every registration's names in Python.)"""
    numbers = db.session.scalars(select(Registration.id).where(*_where(event, filters)).order_by(*filters.order)).all()
    shown = numbers[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    found = {}
    if shown:
        found = {r.id: r for r in db.session.scalars(select(Registration).where(Registration.id.in_(shown)))}
    return Page([found[number] for number in shown if number in found], len(numbers), page)


def matching(event: Event, filters: Filters) -> list[Registration]:
    """Every registration that matches, in the list's order: what an export holds."""
    return list(db.session.scalars(select(Registration).where(*_where(event, filters)).order_by(*filters.order)))


def find(event: Event, registration_id: int) -> Registration | None:
    """The event's registration with this number, if any."""
    if not 0 < registration_id <= LARGEST_ID:
        return None
    registration = db.session.get(Registration, registration_id)
    return registration if registration is not None and registration.event_id == event.id else None


def record(event: Event, registration_id: int, viewer: Host) -> Record | None:
    """Everything the detail page shows: the registration, its places, the hosts' notes, its history;
    None if the event has no such registration. Passport details are shown only here, so each
    showing of them is in the audit log (who looked, and when), as their export is."""
    registration = find(event, registration_id)
    if registration is None:
        return None
    if registration.has_passport_data:
        audit.record(viewer, "registration.passport_viewed", "registration", registration.id)
    held = sorted(program.places(registration).values(), key=lambda seat: (seat.session.starts_at, seat.session_id))
    places = [(seat, program.waitlist_position(seat) if seat.status == Seat.WAITING else None) for seat in held]
    notes = db.session.scalars(select(HostNote).where(HostNote.registration_id == registration.id)
                               .order_by(HostNote.at.desc(), HostNote.id.desc())).all()
    history, _more = audit.entries(registration_id=registration.id)
    return Record(registration, places, list(notes), history)


def roster(event: Event, slug: str) -> tuple[Session, list[RosterLine]] | None:
    """A session's delegates: those seated in the order they took their seat, then the waitlist in
    its order (numbered from 1); None for an unknown session."""
    session = program.find(event, slug)
    if session is None:
        return None
    waiting_last = case((Seat.status == Seat.SEATED, 0), else_=1)
    rows = db.session.execute(select(Seat, Registration).join(Registration, Registration.id == Seat.registration_id)
                              .where(Seat.session_id == session.id)
                              .order_by(waiting_last, Seat.created_at, Seat.id)).all()
    lines, waiting = [], 0
    for seat, registration in rows:
        waiting += seat.status == Seat.WAITING
        lines.append(RosterLine(seat, registration, waiting if seat.status == Seat.WAITING else None))
    return session, lines


def _searched_text():
    """The searched fields joined into one text, folded once per row (on SQLite, casefold is a
    Python function: once per field was six calls a row, the most of a search's time)."""
    text = getattr(Registration, SEARCHED[0])
    for name in SEARCHED[1:]:
        text = text + SEPARATOR + getattr(Registration, name)
    return text


def _where(event: Event, filters: Filters) -> list:
    where = [Registration.event_id == event.id]
    if filters.q:
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        fold, folded = (func.casefold, filters.q.casefold()) if sqlite else (func.lower, filters.q.lower())
        folded = folded.replace(SEPARATOR, "")  # a match never spans two fields
        pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(fold(_searched_text()).like(pattern, escape="\\"))
    if filters.status:
        where.append(Registration.status == filters.status)
    if filters.country:
        where.append(Registration.country == filters.country)
    if filters.visa:
        where.append(Registration.visa_letter.is_(True))
    if filters.hotel:
        where.append(Registration.hotel_needed.is_(True))
    if filters.arrival is not None:
        where.append(Registration.arrival_date == filters.arrival)
    return where
