"""The program as data: `program.json` (the public contract) and iCalendar files."""
import json
from datetime import datetime, timezone

from flask_babel import get_locale
from icalendar import Calendar, Event as CalendarEvent

from ..events.models import Event
from .models import Session

CONTRACT_KINDS = ("plenary", "breakout", "meeting")


def _text(value, lang: str, event: Event) -> str:
    return value.get(lang, event.main_language).text


def _signup(session: Session) -> str:
    return session.signup if session.signup in ("open", "closed", "invitation") else "none"


def program_json(event: Event, sessions: list[Session], lang: str) -> str:
    """`{"event": {...}, "sessions": [...]}` as the README documents it; breaks and social parts under "breaks"."""
    tz = event.tz

    def moment(value: datetime) -> str:
        return value.astimezone(tz).isoformat()

    def room(session: Session):
        return _text(session.room.name, lang, event) if session.room else None

    data = {
        "event": {
            "slug": event.slug,
            "title": _text(event.name, lang, event),
            "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat(),
            "timezone": event.timezone,
            "registration_closes": event.registration_closes_at.isoformat(),
        },
        "sessions": [
            {
                "slug": s.slug, "title": _text(s.title, lang, event), "kind": s.kind,
                "starts_at": moment(s.starts_at), "ends_at": moment(s.ends_at), "room": room(s),
                "capacity": s.capacity, "seats_taken": s.seats_taken, "waitlist": s.waitlist_length,
                "signup": _signup(s), "floor_language": s.floor_language, "interpretation": s.interpretation,
            }
            for s in sessions if s.kind in CONTRACT_KINDS
        ],
        "breaks": [
            {"slug": s.slug, "title": _text(s.title, lang, event), "kind": s.kind,
             "starts_at": moment(s.starts_at), "ends_at": moment(s.ends_at), "room": room(s)}
            for s in sessions if s.kind not in CONTRACT_KINDS
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def calendar(event: Event, sessions: list[Session], lang: str | None = None) -> bytes:
    """An iCalendar file whose times carry the event's zone (Asia/Ulaanbaatar, with its VTIMEZONE)."""
    lang = lang or str(get_locale())
    tz = event.tz
    cal = Calendar()
    cal.add("prodid", "-//Conference portal//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _text(event.name, lang, event))
    cal.add("x-wr-timezone", event.timezone)
    for s in sessions:
        item = CalendarEvent()
        item.add("uid", f"{s.slug}@{event.slug}")
        item.add("summary", _text(s.title, lang, event))
        item.add("dtstart", s.starts_at.astimezone(tz))
        item.add("dtend", s.ends_at.astimezone(tz))
        item.add("dtstamp", datetime(2017, 5, 1, tzinfo=timezone.utc))
        if s.room:
            item.add("location", _text(s.room.name, lang, event))
        description = _text(s.description, lang, event)
        if description:
            item.add("description", description)
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
