"""Coordinators edit the program, the content pages and the event's facts, in both languages.

Each edit is checked by a plain rule function first (`session_problems`, `page_problems`,
`event_problems`), applied in one transaction with its audit entry, and raises the version the
public pages are kept by: the program version for a session (here, as the sign-up rules do),
the content version for a page or the event (the before_flush hook in app/events/models.py).
Moving a session tells each delegate with a place in it, through the outbox.
"""
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectChoice

from ..events.models import Event, Page
from ..extensions import db
from ..forms import choices
from ..i18n import I18nText
from ..program import notify as program_notify, services as program_services
from ..program.models import Room, Seat, Session
from ..registration import services as registration_services
from ..registration.models import Registration
from . import audit
from .models import Host

# The languages the console edits side by side: the forms' fields are NAME_en and NAME_mn.
LANGUAGES = ("en", "mn")
# The event's texts the console edits (the visa letter's body is printed in English only; its
# Mongolian says the same for the hosts).
EVENT_TEXTS = ("name", "theme", "city", "visa_letter_text")

NEEDS_TITLE = _l("Give it a title in at least one language.")
NEEDS_TEXT = _l("Write the text in at least one language.")
NEEDS_NAME = _l("Give the event a name in at least one language.")
END_BEFORE_START = _l("The session must end after it starts.")
UNKNOWN_ROOM = _l("Choose one of the rooms.")
UNKNOWN_SIGNUP = _l("Choose one of the sign-up modes.")
EVENT_ENDS_BEFORE = _l("The event must end on or after its first day.")
DEADLINE_AFTER_EVENT = _l("The registration deadline cannot be after the event's last day.")


class Refused(ValueError):
    """An edit the rules refuse; nothing was changed. `problems`: field name → message."""

    def __init__(self, problems: dict):
        super().__init__(", ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SessionEdit:
    title: dict[str, str]
    description: dict[str, str]
    day: date
    start: time
    end: time
    room: str  # a room's slug, or "" for none
    capacity: int | None
    signup: str


@dataclass(frozen=True)
class PageEdit:
    title: dict[str, str]
    text: dict[str, str]


@dataclass(frozen=True)
class EventEdit:
    name: dict[str, str]
    theme: dict[str, str]
    city: dict[str, str]
    starts_on: date
    ends_on: date
    registration_closes_on: date
    visa_letter_text: dict[str, str] | None = None  # None: left as it is


@dataclass(frozen=True)
class SessionEdited:
    """What saving a session did: whether it moved, how many delegates were told, promoted."""

    changed: bool
    moved: bool = False
    told: int = 0
    promoted: int = 0


# The rules, as plain functions

def session_problems(event: Event, edit: SessionEdit, seats_taken: int, rooms) -> dict:
    """Why an edit of a session is refused (field name → message), or {} if it may be saved.
    `rooms`: the slugs of the event's rooms."""
    problems = {}
    if not any(text.strip() for text in edit.title.values()):
        problems["title_en"] = NEEDS_TITLE
    if not event.starts_on <= edit.day <= event.ends_on:
        problems["day"] = _l("Choose one of the event's days (%(first)s to %(last)s).",
                             first=event.starts_on.isoformat(), last=event.ends_on.isoformat())
    if edit.end <= edit.start:
        problems["end"] = END_BEFORE_START
    if edit.room and edit.room not in rooms:
        problems["room"] = UNKNOWN_ROOM
    if edit.signup not in Session.SIGNUPS:
        problems["signup"] = UNKNOWN_SIGNUP
    if edit.capacity is not None and edit.capacity < seats_taken:
        problems["capacity"] = _l("Capacity cannot be lower than the seats taken (%(taken)s).", taken=seats_taken)
    return problems


def page_problems(edit: PageEdit) -> dict:
    """Why an edit of a content page is refused, or {}."""
    problems = {}
    if not any(text.strip() for text in edit.title.values()):
        problems["title_en"] = NEEDS_TITLE
    if not any(text.strip() for text in edit.text.values()):
        problems["text_en"] = NEEDS_TEXT
    return problems


def event_problems(edit: EventEdit, session_days: list[date]) -> dict:
    """Why an edit of the event's facts is refused, or {}. `session_days`: the days of its sessions."""
    problems = {}
    if not any(text.strip() for text in edit.name.values()):
        problems["name_en"] = NEEDS_NAME
    if edit.ends_on < edit.starts_on:
        problems["ends_on"] = EVENT_ENDS_BEFORE
    elif outside := sum(1 for day in session_days if not edit.starts_on <= day <= edit.ends_on):
        problems["starts_on"] = _l("%(count)s sessions would fall outside these days: move them first.",
                                   count=outside)
    if edit.registration_closes_on > edit.ends_on:
        problems["registration_closes_on"] = DEADLINE_AFTER_EVENT
    return problems


def untranslated(values: dict, names, languages=LANGUAGES) -> dict[str, list[str]]:
    """The texts written in some language but not in all: text name → the languages it lacks.
    `values`: the form's fields (NAME_LANG → text). A text empty in every language lacks nothing."""
    found = {}
    for name in names:
        texts = {code: (values.get(f"{name}_{code}") or "").strip() for code in languages}
        if any(texts.values()):
            lacking = [code for code, text in texts.items() if not text]
            if lacking:
                found[name] = lacking
    return found


def clashing_delegates(starts_at: datetime, ends_at: datetime, places) -> int:
    """How many delegates would hold two places of one kind (two seats, or two waitlist places) at
    the same time if a session moved to starts_at–ends_at. `places`: (delegate, (their place here,
    another session they hold a place in, their place there)), one per pair."""
    clashing = set()
    for registration_id, (status, other, other_status) in places:
        if status == other_status and other.starts_at < ends_at and starts_at < other.ends_at:
            clashing.add(registration_id)
    return len(clashing)


# Reading what the forms show

def per_language(name: str, text: I18nText) -> dict[str, str]:
    return {f"{name}_{code}": text.texts.get(code, "") for code in LANGUAGES}


def texts(values: dict, name: str) -> dict[str, str]:
    """A text's languages from a form's fields (NAME_LANG), the empty ones left out."""
    return {code: values[f"{name}_{code}"] for code in LANGUAGES if (values.get(f"{name}_{code}") or "").strip()}


def session_values(event: Event, session: Session) -> dict:
    """A session as the edit form shows it: texts per language, the day and times in event time."""
    starts, ends = session.starts_at.astimezone(event.tz), session.ends_at.astimezone(event.tz)
    return {**per_language("title", session.title), **per_language("description", session.description),
            "day": starts.date(), "start": starts.time(), "end": ends.time(),
            "room": session.room.slug if session.room else "", "capacity": session.capacity, "signup": session.signup}


def page_values(page: Page) -> dict:
    return {**per_language("title", page.title), **per_language("text", page.body)}


def event_values(event: Event) -> dict:
    return {**per_language("name", event.name), **per_language("theme", event.theme),
            **per_language("city", event.city), "starts_on": event.starts_on, "ends_on": event.ends_on,
            "registration_closes_on": event.registration_closes_on,
            **per_language("visa_letter_text", event.visa_letter_text or I18nText())}


def session_edit(values: dict) -> SessionEdit:
    """The edit a session form asks for (its fields already of the right types)."""
    return SessionEdit(title=texts(values, "title"), description=texts(values, "description"), day=values["day"],
                       start=values["start"], end=values["end"], room=values["room"] or "",
                       capacity=values["capacity"], signup=values["signup"] or "")


def page_edit(values: dict) -> PageEdit:
    return PageEdit(title=texts(values, "title"), text=texts(values, "text"))


def event_edit(values: dict) -> EventEdit:
    return EventEdit(name=texts(values, "name"), theme=texts(values, "theme"), city=texts(values, "city"),
                     starts_on=values["starts_on"], ends_on=values["ends_on"],
                     registration_closes_on=values["registration_closes_on"],
                     # Empty in both languages (or not sent, by a script that predates it): left as it is.
                     visa_letter_text=texts(values, "visa_letter_text") or None)


def rooms(event: Event) -> list[Room]:
    """The event's rooms, by slug."""
    return list(db.session.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.slug)))


def room_choices(event: Event, lang: str) -> list[SelectChoice]:
    """The room picker's options: none, then each room named in `lang`."""
    return choices([("", "–")] + [(room.slug, room.name.get(lang, event.main_language).text) for room in rooms(event)])


def find_page(event: Event, slug: str) -> Page | None:
    return event.page(slug)


@dataclass(frozen=True)
class ContentItem:
    """One thing a coordinator can edit, for the list of them: what it is, and what it lacks."""

    kind: str  # event, page, session
    slug: str
    title: I18nText
    untranslated: int
    starts_at: datetime | None = None


def content_items(event: Event) -> list[ContentItem]:
    """The event, its pages and its sessions, each with how many of its texts lack a translation."""
    items = [ContentItem("event", event.slug, event.name, len(untranslated(event_values(event), EVENT_TEXTS)))]
    items += [ContentItem("page", page.slug, page.title, len(untranslated(page_values(page), ("title", "text"))))
              for page in event.pages]
    items += [ContentItem("session", session.slug, session.title,
                          len(untranslated({**per_language("title", session.title),
                                            **per_language("description", session.description)},
                                           ("title", "description"))), session.starts_at)
              for session in program_services.sessions(event)]
    return items


def untranslated_count(event: Event) -> int:
    """How many texts of the event, its pages and its sessions lack a translation (the dashboard's count)."""
    return sum(item.untranslated for item in content_items(event))


# Applying an edit

def edit_session(actor: Host, event: Event, session: Session, edit: SessionEdit, now: datetime) -> SessionEdited:
    """Save a session's edit (raises Refused; nothing changes then). Under the program's locks, as a
    sign-up takes them: a raised capacity seats the first in line at once (they are emailed), and
    a session moved in time or room is marked as changed and each delegate holding a place in it
    is told, in their language."""
    locked = program_services.lock_program(event.id)
    session = locked[session.id]
    by_slug = {room.slug: room for room in rooms(event)}
    problems = session_problems(event, edit, session.seats_taken, by_slug)
    starts_at = datetime.combine(edit.day, edit.start, tzinfo=event.tz)
    ends_at = datetime.combine(edit.day, edit.end, tzinfo=event.tz)
    if not problems and (starts_at, ends_at) != (session.starts_at, session.ends_at):
        if clashes := clashing_delegates(starts_at, ends_at, _other_places(session)):
            problems["start"] = _l("At the new time, %(count)s delegates would hold a place in another session "
                                   "too. Ask them to choose first, or pick another time.", count=clashes)
    if problems:
        raise Refused(problems)
    before = _snapshot(session_values(event, session))
    was = session.starts_at, session.ends_at, session.room
    room = by_slug.get(edit.room)
    session.title, session.description = _merged(session.title, edit.title), _merged(session.description, edit.description)
    session.starts_at, session.ends_at = starts_at, ends_at
    session.room, session.room_id = room, room.id if room else None
    session.capacity, session.signup = edit.capacity, edit.signup
    after = _snapshot(session_values(event, session))
    if after == before:
        return SessionEdited(changed=False)
    moved = (was[0], was[1], was[2].id if was[2] else None) != (starts_at, ends_at, session.room_id)
    if moved:
        session.changed_at = now
    db.session.flush()
    promoted = program_services.promote_from_waitlist(session, locked)
    program_notify.queue_promotions(promoted)
    told = program_notify.queue_session_moved(session, *was) if moved else 0
    program_services.program_changed(event.id)
    audit.record(actor, "session.edited", "session", session.id, before, after)
    return SessionEdited(changed=True, moved=moved, told=told, promoted=len(promoted))


def edit_page(actor: Host, page: Page, edit: PageEdit) -> bool:
    """Save a content page's texts (raises Refused); returns whether anything changed. The content
    version rises with the flush, so the public page shows the new text at once."""
    problems = page_problems(edit)
    if problems:
        raise Refused(problems)
    before = _snapshot(page_values(page))
    page.title, page.body = _merged(page.title, edit.title), _merged(page.body, edit.text)
    after = _snapshot(page_values(page))
    if after == before:
        return False
    audit.record(actor, "page.edited", "page", page.id, before, after)
    db.session.flush()
    return True


def edit_event(actor: Host, event: Event, edit: EventEdit) -> bool:
    """Save the event's facts and its registration deadline (raises Refused); returns whether
    anything changed."""
    days = [session.starts_at.astimezone(event.tz).date() for session in program_services.sessions(event)]
    problems = event_problems(edit, days)
    if problems:
        raise Refused(problems)
    before = _snapshot(event_values(event))
    for name in EVENT_TEXTS:
        if getattr(edit, name) is not None:
            setattr(event, name, _merged(getattr(event, name) or I18nText(), getattr(edit, name)))
    event.starts_on, event.ends_on = edit.starts_on, edit.ends_on
    event.registration_closes_on = edit.registration_closes_on
    after = _snapshot(event_values(event))
    if after == before:
        return False
    audit.record(actor, "event.edited", "event", event.id, before, after)
    db.session.flush()
    return True


def _merged(current: I18nText, new: dict[str, str]) -> I18nText:
    """The text with the edited languages replaced (one left empty is dropped); languages the
    console does not edit are kept as they were."""
    return I18nText({**{code: text for code, text in current.texts.items() if code not in LANGUAGES}, **new})


def _snapshot(values: dict) -> dict:
    """What the audit log keeps: the form's values as JSON (dates and times in ISO form)."""
    return {name: value.isoformat(timespec="minutes") if isinstance(value, time) else
            value.isoformat() if isinstance(value, date) else value for name, value in values.items()}


def _other_places(session: Session) -> list[tuple[int, tuple[str, Session, str]]]:
    """(delegate, (their place here, another session of theirs, their place there))."""
    here = select(Seat.registration_id, Seat.status).where(Seat.session_id == session.id).subquery()
    rows = db.session.execute(
        select(here.c.registration_id, here.c.status, Session, Seat.status)
        .join(Seat, Seat.registration_id == here.c.registration_id)
        .join(Session, Session.id == Seat.session_id).where(Seat.session_id != session.id))
    return [(registration_id, (status, other, other_status)) for registration_id, status, other, other_status in rows]


# Who is in an invitation-only session

NOT_BY_INVITATION = _l("Only sessions by invitation take members from the hosts: set its sign-up to «Invitation only» first.")
NOT_REGISTERED = _l("No delegate is registered with this address (or their registration was cancelled).")
MEMBER_ELSEWHERE = _l("This delegate already has a place in another session at the same time.")


def members(session: Session) -> list[tuple[Registration, str]]:
    """The delegates holding a place in `session` and its status, by family name."""
    return db.session.execute(
        select(Registration, Seat.status).join(Seat, Seat.registration_id == Registration.id)
        .where(Seat.session_id == session.id)
        .order_by(Registration.family_name, Registration.given_name, Registration.id)).all()


def add_member(actor: Host, event: Event, session: Session, email: str) -> Registration:
    """Give the delegate registered with `email` a place in an invitation-only session (raises
    Refused: nothing changes). Capacity and overlaps hold as for any sign-up; adding twice is one place."""
    if session.signup != "invitation":
        raise Refused({"email": NOT_BY_INVITATION})
    registration = registration_services.find(event, email)
    if registration is None or not registration.is_active:
        raise Refused({"email": NOT_REGISTERED})
    try:
        seat = program_services.invite(registration, session)
    except program_services.TimeConflict:
        raise Refused({"email": MEMBER_ELSEWHERE}) from None
    audit.record(actor, "session.member_added", "session", session.id, None,
                 {"registration": registration.id, "status": seat.status})
    return registration


def remove_member(actor: Host, session: Session, registration: Registration) -> None:
    """Take a delegate's place in the session away (the first in line, if any, gets the seat and an
    email). Removing someone who holds no place changes nothing."""
    try:
        program_services.leave(registration, session)
    except program_services.NoPlace:
        return
    audit.record(actor, "session.member_removed", "session", session.id, {"registration": registration.id}, None)
