"""The rules of signing up for sessions: capacity, overlaps, waitlists, invitations.

Every sign-up is decided in one transaction that locks what it checks: the session rows
(FOR UPDATE on PostgreSQL; on SQLite the POST request's transaction is IMMEDIATE, which
holds the database's write lock, see app/database.py). Seat counts live on the session row
and change in the same transaction, so capacity holds under any concurrency.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import aliased, make_transient_to_detached

from ..events.models import Event
from ..extensions import db
from ..page_cache import read_through_driver
from ..registration.locking import lock_registration
from ..registration.models import Registration
from . import notify
from .models import Seat, Session


@dataclass(frozen=True)
class Promotion:
    """A delegate moved from a waitlist into a freed seat, and the seats at the same time
    they gave up for it (kept until then as a fallback)."""

    seat: Seat
    gave_up: tuple[Session, ...] = ()

    @property
    def registration_id(self) -> int:
        return self.seat.registration_id

    @property
    def session_id(self) -> int:
        return self.seat.session_id


@dataclass(frozen=True)
class SessionFacts:
    """What decides a session's card for any reader, as plain data a worker keeps per program
    version (pages made from it are kept across requests; database rows are not)."""

    id: int
    signup: str
    capacity: int | None
    seats_taken: int
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, session: Session) -> "SessionFacts":
        return cls(session.id, session.signup, session.capacity, session.seats_taken, session.starts_at,
                   session.ends_at)

    # The model's own rules, applied to these facts.
    @property
    def is_full(self) -> bool:
        return Session.is_full.fget(self)

    def overlaps(self, other) -> bool:
        return Session.overlaps(self, other)


@dataclass(frozen=True)
class PlaceFacts:
    """A delegate's seat or waitlist place as their pages show it: its status, their number in
    line, and the session it is in (SessionFacts, or a Session: the rules below take either)."""

    session_id: int
    status: str
    position: int | None = None
    session: object = None


@dataclass(frozen=True)
class CardState:
    """What a session's card shows its reader (see card_facts), as a key: the state, the place at
    the same time it concerns (session id and status), and the number in line."""

    state: str
    clash: tuple[int, str] | None = None
    position: int | None = None


class SignupError(Exception):
    """A sign-up that the rules refuse; nothing was changed."""

    def __init__(self, session: Session, other: Session | None = None):
        super().__init__(session.slug)
        self.session = session
        self.other = other


class NotRegistered(SignupError):
    """The delegate's registration is cancelled or declined."""


class NoSignup(SignupError):
    """Plenaries, breaks and social parts need no sign-up; closed sessions take none."""


class InvitationOnly(SignupError):
    """Hosts fill this meeting."""


class SessionFull(SignupError):
    """No seat left (the delegate asked for a seat, not for the waitlist)."""


class TimeConflict(SignupError):
    """The delegate already has a place in a session at this time (`other`)."""


class WaitlistConflict(TimeConflict):
    """The delegate is already on the waitlist of a full session at this time (`other`)."""


class NoPlace(SignupError):
    """Leaving a session the delegate has no place in."""


def sessions(event: Event) -> list[Session]:
    """The event's sessions in time order."""
    return list(db.session.scalars(
        select(Session).filter_by(event_id=event.id).order_by(Session.starts_at, Session.id)
    ))


def places(registration: Registration) -> dict[int, Seat]:
    """The delegate's seats and waitlist places, by session id (as stored now, not as cached)."""
    return places_of(registration.id)


def agenda(registration: Registration, all_sessions: list[Session]) -> list[Session]:
    """A delegate's own day: the sessions they hold a seat in, and the plenaries everyone attends."""
    held = places(registration)
    return [
        s for s in all_sessions
        if (s.id in held and held[s.id].status == Seat.SEATED) or (s.kind == "plenary" and s.signup == "none")
    ]


def waitlist_position(seat: Seat) -> int:
    """1 for the first in line."""
    return db.session.scalar(select(position_in_line(Seat)).where(Seat.id == seat.id))


def position_in_line(seat) -> object:
    """SQL for a place's number in its waitlist (1 for the first; NULL for a seat): first come,
    first served, as promote_from_waitlist serves them. `seat`: Seat or an alias of it."""
    earlier = aliased(Seat)
    ahead = select(func.count()).where(
        earlier.session_id == seat.session_id, earlier.status == Seat.WAITING,
        or_(earlier.created_at < seat.created_at, and_(earlier.created_at == seat.created_at, earlier.id < seat.id)),
    ).scalar_subquery()
    return case((seat.status == Seat.WAITING, ahead + 1), else_=None)


def availability(session: Session, registration: Registration | None, held: dict[int, Seat]) -> str:
    """What a delegate can do with a session: the one answer the page, the join and the waitlist share.

    none, closed, invitation (no sign-up by delegates); seated, waiting (has a place);
    conflict (would need to give up a place at the same time elsewhere, see `clash`);
    open, full (may join, or join the waitlist).
    """
    place = held.get(session.id)
    if place is not None:
        return place.status
    if session.signup != "open":
        return session.signup
    if registration is not None and _overlapping(session, held, Seat.WAITING if session.is_full else Seat.SEATED):
        return "conflict"
    return "full" if session.is_full else "open"


def clash(session: Session, held: dict[int, Seat]) -> Seat | None:
    """The delegate's place at the same time that a join here would affect.

    A delegate holds at most one seat and at most one waitlist place among overlapping sessions.
    Joining an open session competes with a seat elsewhere; joining a full one with a waitlist
    place elsewhere. On (or joining) a waitlist, it names the seat the delegate keeps until a
    seat here is theirs."""
    place = held.get(session.id)
    if place is not None:
        found = _overlapping(session, held, Seat.SEATED) if place.status == Seat.WAITING else []
    elif session.is_full:
        found = _overlapping(session, held, Seat.WAITING) or _overlapping(session, held, Seat.SEATED)
    else:
        found = _overlapping(session, held, Seat.SEATED)
    return found[0] if found else None


def card_facts(session: Session, registration: Registration | None, held: dict[int, Seat]) -> dict:
    """What a session's card shows its reader: what they can do (`state`, see availability),
    the place at the same time it concerns (`clash`), and their number in line (`position`)."""
    place = held.get(session.id)
    return dict(state=availability(session, registration, held), clash=clash(session, held),
                position=waitlist_position(place) if place is not None and place.status == Seat.WAITING else None)


def card_states(sessions: list[SessionFacts], registration, places: list[PlaceFacts]) -> dict[int, CardState]:
    """Every card's state for one reader (None: signed out) from their places, read in one
    statement with their numbers in line: the same rules as card_facts, without a query."""
    by_id = {facts.id: facts for facts in sessions}
    held = {place.session_id: PlaceFacts(place.session_id, place.status, place.position, by_id[place.session_id])
            for place in places if place.session_id in by_id}
    states = {}
    for facts in sessions:
        place, other = held.get(facts.id), clash(facts, held)
        states[facts.id] = CardState(
            availability(facts, registration, held), (other.session_id, other.status) if other else None,
            place.position if place is not None and place.status == Seat.WAITING else None)
    return states


def agenda_count(held: dict[int, Seat]) -> int:
    """How many seats the delegate holds (waitlist places are not in their agenda yet)."""
    return sum(1 for seat in held.values() if seat.status == Seat.SEATED)


def neighbours(session: Session, all_sessions: list[Session]) -> list[Session]:
    """The sessions whose cards change with a join or leave here: open sessions at the same time
    (a switch offered or withdrawn, a seat freed)."""
    return [other for other in all_sessions
            if other.id != session.id and other.signup == "open" and other.overlaps(session)]


def find(event: Event, slug: str) -> Session | None:
    """The event's session with this slug."""
    return db.session.scalar(select(Session).filter_by(event_id=event.id, slug=slug))


SESSION_ID = select(Session.id).where(Session.event_id == bindparam("event_id"), Session.slug == bindparam("slug"))


def find_to_lock(event_id: int, slug: str) -> Session | None:
    """The event's session with this slug for a sign-up, found through the driver and not read:
    the sign-up reads it under its lock (lock_sessions), so its write transaction starts there."""
    rows = read_through_driver(SESSION_ID, {"event_id": event_id, "slug": slug})
    if not rows:
        return None
    session = Session(id=rows[0][0], event_id=event_id)
    make_transient_to_detached(session)  # a row known to exist, its columns not loaded yet
    db.session.add(session)
    return session


def _overlapping(session: Session, held: dict[int, Seat], status: str) -> list[Seat]:
    return [place for place in held.values()
            if place.session_id != session.id and place.status == status and place.session.overlaps(session)]


def headsets(session: Session) -> dict[str, int]:
    """Interpretation headsets a session needs, by listening language.

    A delegate who asked for interpretation listens in their registration's language; those
    whose language is the floor language need none. Who is in the room: the seated delegates
    of a session with sign-up; for a plenary (open to all), every active delegate attending
    that day."""
    if not session.interpretation:
        return {}
    wanted = select(Registration.language, Registration.days, Registration.status).where(
        Registration.event_id == session.event_id, Registration.interpretation.is_(True),
        Registration.language != session.floor_language,
    )
    if session.signup != "none":
        rows = db.session.execute(wanted.join(Seat, Seat.registration_id == Registration.id)
                                  .where(Seat.session_id == session.id, Seat.status == Seat.SEATED))
    else:
        day = session.starts_at.astimezone(db.session.get(Event, session.event_id).tz).date().isoformat()
        rows = [row for row in db.session.execute(wanted) if row.status in Registration.ACTIVE and day in (row.days or [])]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.language] = counts.get(row.language, 0) + 1
    return counts


def lock_delegate(registration: Registration) -> None:
    """Serialise one delegate's sign-ups (two taps on two overlapping sessions at once), and
    read the registration again under the lock: a cancellation that just committed counts."""
    lock_registration(registration)


def lock_sessions(ids) -> dict[int, Session]:
    """Lock the session rows a sign-up reads and changes, in id order (no deadlocks)."""
    return _locked(LOCK_BY_IDS, ids=sorted(set(ids)))


def lock_program(event_id: int) -> dict[int, Session]:
    """Lock every session of the event, in id order: for changes that free a seat.

    A freed seat goes to the first in line, who may give up a seat elsewhere for it, which
    goes to the first in that line, and so on; the chain can reach any session. Locking them
    all first, in one order, keeps that safe. Joins that free nothing lock only what they touch."""
    return _locked(LOCK_BY_EVENT, event_id=event_id)


def _locked(statements: dict, **params) -> dict[int, Session]:
    rows = db.session.scalars(statements[db.session.get_bind().dialect.name == "postgresql"], params)
    return {session.id: session for session in rows}


def _locking(where) -> dict[bool, object]:
    """The statements that read the sessions `where` names again, without (False) and with (True,
    on PostgreSQL) their row locks; made once, as sign-ups are a rush's hot path, and bound per call."""
    statement = select(Session).where(where).order_by(Session.id).execution_options(populate_existing=True)
    return {False: statement, True: statement.with_for_update(of=Session)}


LOCK_BY_IDS = _locking(Session.id.in_(bindparam("ids", expanding=True)))
LOCK_BY_EVENT = _locking(Session.event_id == bindparam("event_id"))


def join(registration: Registration, session: Session, want: str | None = None,
         switch: bool = False) -> tuple[Seat, list[Promotion]]:
    """Take a seat, or a waitlist place when full; returns (the place, delegates promoted elsewhere,
    who are emailed).

    A delegate holds at most one seat and one waitlist place among overlapping sessions. On a
    waitlist they keep their seat at the same time until a seat here is theirs; then that seat
    is given up for it (see promote_from_waitlist).
    `want="seat"` refuses a full session instead of queueing (the page showed seats left);
    `switch=True` gives up the competing place at the same time (a seat, or a waitlist place).
    """
    lock_delegate(registration)
    if switch:
        locked = lock_program(session.event_id)
    else:
        locked = lock_sessions([session.id, *_held_session_ids(registration)])
    session = locked[session.id]
    held = places(registration)  # again, under the locks: a promotion may have changed a status
    if session.id in held:
        return held[session.id], []  # a double tap: one place
    if not registration.is_active:
        raise NotRegistered(session)
    if session.signup == "invitation":
        raise InvitationOnly(session)
    if session.signup != "open":
        raise NoSignup(session)
    if session.is_full and want == "seat":
        raise SessionFull(session)
    competing = _overlapping(session, {k: v for k, v in held.items() if k in locked},
                             Seat.WAITING if session.is_full else Seat.SEATED)
    if competing and not switch:
        raise (WaitlistConflict if session.is_full else TimeConflict)(session, competing[0].session)
    # The new place first: should the chain of promotions below reach this delegate (a seat
    # they wait for elsewhere), it finds their new seat and gives it up by the same rule.
    place = _place(registration, session)
    promoted = []
    for seat in competing:
        promoted += _release(seat, locked[seat.session_id], locked)
    notify.queue_promotions(promoted)
    return place, promoted


def invite(registration: Registration, session: Session) -> Seat:
    """Hosts give a delegate a seat in an invitation-only meeting (capacity and overlaps still hold)."""
    lock_delegate(registration)
    session = lock_sessions([session.id])[session.id]
    held = places(registration)
    if session.id in held:
        return held[session.id]
    conflicts = [seat for seat in held.values() if seat.session.overlaps(session)]
    if conflicts:
        raise TimeConflict(session, conflicts[0].session)
    return _place(registration, session)


def leave(registration: Registration, session: Session) -> list[Promotion]:
    """Give up a seat or a waitlist place; returns the delegates promoted into a freed seat (emailed)."""
    lock_delegate(registration)
    locked = lock_program(session.event_id)
    session = locked[session.id]
    seat = places(registration).get(session.id)
    if seat is None:
        raise NoPlace(session)
    promoted = _release(seat, session, locked)
    notify.queue_promotions(promoted)
    return promoted


def release_all(registration: Registration) -> list[Promotion]:
    """Free every place a delegate holds (their registration was cancelled or erased); the
    delegates promoted into the freed seats are emailed."""
    lock_delegate(registration)
    locked = lock_program(registration.event_id)
    held = places(registration)  # under the locks
    # Waitlist places first, so that no seat freed below can be offered to this delegate.
    for seat in held.values():
        if seat.status == Seat.WAITING:
            _release(seat, locked[seat.session_id], locked)
    promoted = []
    for seat in held.values():
        if seat.status == Seat.SEATED:
            promoted += _release(seat, locked[seat.session_id], locked)
    notify.queue_promotions(promoted)
    return promoted


def promote_from_waitlist(session: Session, locked: dict[int, Session]) -> list[Promotion]:
    """Give free seats to the first in line, in order; returns the promotions.

    A promoted delegate gives up their seat in an overlapping session (kept until now as a
    fallback), which goes to the first in that line in turn.
    `locked`: the event's sessions, locked (lock_program)."""
    promoted = []
    while not session.is_full:
        first = db.session.scalars(
            select(Seat).filter_by(session_id=session.id, status=Seat.WAITING)
            .order_by(Seat.created_at, Seat.id).limit(1)
        ).first()
        if first is None:
            break
        first.status = Seat.SEATED
        session.seats_taken += 1
        session.waitlist_length -= 1
        db.session.flush()
        given_up = _overlapping(session, places_of(first.registration_id), Seat.SEATED)
        promoted.append(Promotion(first, tuple(other.session for other in given_up)))
        for other in given_up:
            promoted += _release(other, locked[other.session_id], locked)
    db.session.flush()
    return promoted


HELD_SESSION_IDS = select(Seat.session_id).where(Seat.registration_id == bindparam("registration_id"))
PLACES = (select(Seat).where(Seat.registration_id == bindparam("registration_id"))
          .execution_options(populate_existing=True))


def _held_session_ids(registration: Registration) -> list[int]:
    """The sessions the delegate has a place in (to lock them; their places are read under the locks)."""
    return list(db.session.scalars(HELD_SESSION_IDS, {"registration_id": registration.id}))


def places_of(registration_id: int) -> dict[int, Seat]:
    seats = db.session.scalars(PLACES, {"registration_id": registration_id})
    return {seat.session_id: seat for seat in seats}


def _place(registration: Registration, session: Session) -> Seat:
    status = Seat.WAITING if session.is_full else Seat.SEATED
    seat = Seat(session_id=session.id, registration_id=registration.id, status=status)
    if status == Seat.SEATED:
        session.seats_taken += 1
    else:
        session.waitlist_length += 1
    db.session.add(seat)
    program_changed(session.event_id)
    db.session.flush()
    return seat


def _release(seat: Seat, session: Session, locked: dict[int, Session]) -> list[Promotion]:
    if db.session.scalar(select(Seat.id).where(Seat.id == seat.id)) is None:
        return []  # a chain of promotions gave it up already
    db.session.delete(seat)
    if seat.status == Seat.SEATED:
        session.seats_taken -= 1
    else:
        session.waitlist_length -= 1
    db.session.flush()
    program_changed(session.event_id)
    return promote_from_waitlist(session, locked) if seat.status == Seat.SEATED else []


def program_changed(event_id: int) -> None:
    """Raise the event's program version in this transaction: kept program pages are made again.

    An increment in SQL on the table, not matched against the events loaded in this session
    (nothing reads the version back from them: pages read it from the database)."""
    db.session.execute(RAISE_PROGRAM_VERSION, {"event_id": event_id})


_events = Event.__table__
RAISE_PROGRAM_VERSION = (update(_events).where(_events.c.id == bindparam("event_id"))
                         .values(program_version=_events.c.program_version + 1))
