"""The hosts' list of registrations (search, filters, sorting, paging), one registration's whole
record, and the rows of the exports and of a session's roster."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select

from ..events.models import Event
from ..extensions import db
from ..program import services as program
from ..program.models import Seat, Session
from ..registration.models import Registration
from . import audit
from .models import AuditEntry, HostNote

PAGE_SIZE = 50
SEARCHED = ("given_name", "family_name", "passport_given_name", "passport_family_name", "email_key", "organisation")
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
    """One page of the event's registrations that match, in the order asked for (newest first)."""
    where = _where(event, filters)
    total = db.session.scalar(select(func.count(Registration.id)).where(*where)) or 0
    rows = db.session.scalars(select(Registration).where(*where).order_by(*filters.order)
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return Page(list(rows), total, page)


def matching(event: Event, filters: Filters) -> list[Registration]:
    """Every registration that matches, in the list's order: what an export holds."""
    return list(db.session.scalars(select(Registration).where(*_where(event, filters)).order_by(*filters.order)))


def find(event: Event, registration_id: int) -> Registration | None:
    """The event's registration with this number, if any."""
    registration = db.session.get(Registration, registration_id)
    return registration if registration is not None and registration.event_id == event.id else None


def record(event: Event, registration_id: int) -> Record | None:
    """Everything the detail page shows: the registration, its places, the hosts' notes, its history;
    None if the event has no such registration."""
    registration = find(event, registration_id)
    if registration is None:
        return None
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


def _where(event: Event, filters: Filters) -> list:
    where = [Registration.event_id == event.id]
    if filters.q:
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        fold, folded = (func.casefold, filters.q.casefold()) if sqlite else (func.lower, filters.q.lower())
        pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(*(fold(getattr(Registration, name)).like(pattern, escape="\\") for name in SEARCHED)))
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
