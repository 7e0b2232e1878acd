"""Loading the program (rooms and sessions) from `program.toml` in the event's content folder,
and the demo event whole."""
import tomllib
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from ..events.content import ContentError, read_event
from ..events.models import Event
from ..extensions import db
from ..i18n import I18nText
from .models import Room, Session

# Addresses under /LANG/program/ that are pages of their own, not sessions.
RESERVED_SLUGS = {"print"}


def load_demo(folder: Path) -> Event | None:
    """Load the demo event and its program into an empty database; never touch one that holds an event."""
    if db.session.scalar(select(func.count()).select_from(Event)):
        return None
    event = read_event(folder)
    db.session.add(event)
    db.session.flush()
    load_program(event, folder)
    return event


def load_program(event: Event, folder: Path) -> int:
    """Add the rooms and sessions of `folder/program.toml` to the event; returns the session count."""
    path = folder / "program.toml"
    if not path.exists():
        return 0
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rooms = {}
    for item in data.get("rooms", []):
        rooms[item["slug"]] = Room(event_id=event.id, slug=item["slug"], name=I18nText(item["name"]))
        db.session.add(rooms[item["slug"]])
    db.session.flush()
    for item in data.get("sessions", []):
        db.session.add(read_session(event, item, rooms))
    db.session.flush()
    return len(data.get("sessions", []))


def read_session(event: Event, item: dict, rooms: dict) -> Session:
    """One session from its TOML table, checked."""
    slug = item["slug"]
    if slug in RESERVED_SLUGS:
        raise ContentError(f"{slug}: /LANG/program/{slug} is the printed program; choose another slug")
    starts_at, ends_at = item["starts_at"], item["ends_at"]
    if not (isinstance(starts_at, datetime) and starts_at.tzinfo and isinstance(ends_at, datetime) and ends_at.tzinfo):
        raise ContentError(f"{slug}: starts_at and ends_at need a time zone offset")
    if ends_at <= starts_at:
        raise ContentError(f"{slug}: ends before it starts")
    if item["kind"] not in Session.KINDS or item.get("signup", "none") not in Session.SIGNUPS:
        raise ContentError(f"{slug}: unknown kind or signup")
    if item.get("room") and item["room"] not in rooms:
        raise ContentError(f"{slug}: unknown room {item['room']!r}")
    capacity = item.get("capacity")
    if item.get("signup") in ("open", "invitation") and not isinstance(capacity, int):
        raise ContentError(f"{slug}: a session with sign-up needs a capacity")
    return Session(
        event_id=event.id, slug=slug, kind=item["kind"],
        title=I18nText(item["title"]), description=I18nText(item.get("description", {})),
        speakers=I18nText(item.get("speakers", {})),
        starts_at=starts_at, ends_at=ends_at,
        room=rooms.get(item.get("room")), capacity=capacity,
        signup=item.get("signup", "none"), floor_language=item.get("floor_language", event.main_language),
        interpretation=bool(item.get("interpretation", False)),
    )
