"""What the hosts book and lay on: hotel nights per night and room type, dietary and accessibility
needs by person, interpretation headsets per session and listening language; and their exports
(CSV and XLSX, written as the list's are)."""
from dataclasses import dataclass
from datetime import date, timedelta

from babel import Locale
from flask_babel import get_locale, lazy_gettext as _l
from sqlalchemy import or_, select

from ..events.models import Event
from ..extensions import db
from ..i18n.collation import country_name
from ..i18n.templating import localize
from ..program import services as program
from ..program.models import Session
from ..program.names import KIND_NAMES
from ..registration.models import Registration
from . import exports
from .arrivals import by_latin_name, differs, latin_name, own_name
from .forms import ROOM_NAMES, STATUS_NAMES

# The room types a night is counted in, in the order the page shows them ("": none chosen).
ROOM_TYPES = ("single", "shared", "")
NO_ROOM_TYPE = _l("Room type not given")


# The rule, as a plain function

def nights(check_in: date | None, check_out: date | None) -> list[date]:
    """The nights of a hotel stay, each named by its evening: from the check-in day up to, not
    including, the check-out day. None when a date is missing or check-out is not after check-in."""
    if check_in is None or check_out is None:
        return []
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


@dataclass
class Night:
    night: date
    rooms: dict[str, int]  # room type -> delegates

    @property
    def total(self) -> int:
        return sum(self.rooms.values())


def night_counts(stays) -> list[Night]:
    """Delegates per night and room type, from (check-in, check-out, room type) stays; every night
    between the first and the last is listed, an empty one too."""
    counts: dict[date, dict[str, int]] = {}
    for check_in, check_out, room_type in stays:
        kind = room_type if room_type in ROOM_TYPES else ""
        for night in nights(check_in, check_out):
            rooms = counts.setdefault(night, dict.fromkeys(ROOM_TYPES, 0))
            rooms[kind] += 1
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [Night(night, counts.get(night, dict.fromkeys(ROOM_TYPES, 0))) for night in nights(first, last + timedelta(days=1))]


# What the page shows

@dataclass(frozen=True)
class Guest:
    """A delegate the hosts book a room for."""

    registration: Registration

    @property
    def latin(self) -> str:
        return latin_name(self.registration)

    @property
    def own(self) -> str:
        return own_name(self.registration)

    @property
    def own_differs(self) -> bool:
        return differs(self.latin, self.own)

    @property
    def nights(self) -> int:
        return len(nights(self.registration.hotel_check_in, self.registration.hotel_check_out))


@dataclass(frozen=True)
class Headsets:
    """A session with interpretation: headsets by listening language."""

    session: Session
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Needs:
    nights: list[Night]
    room_types: tuple[str, ...]
    guests: list[Guest]
    people: list[Guest]  # delegates with dietary or accessibility needs
    headsets: list[Headsets]
    languages: list[str]  # the listening languages any session needs headsets for

    @property
    def headset_total(self) -> int:
        return sum(item.total for item in self.headsets)


def _coming(event: Event, *where) -> list[Registration]:
    found = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(Registration.ACTIVE),
        Registration.erased_at.is_(None), *where))
    return sorted(found, key=by_latin_name)


def needs(event: Event) -> Needs:
    """Hotel nights, needs by person and headsets, for the pending and confirmed delegates."""
    hotel = _coming(event, Registration.hotel_needed.is_(True))
    people = _coming(event, or_(Registration.dietary_needs != "", Registration.accessibility_needs != ""))
    headsets = [Headsets(s, program.headsets(s)) for s in program.sessions(event) if s.interpretation]
    languages = sorted({code for item in headsets for code in item.counts})
    counted = night_counts((r.hotel_check_in, r.hotel_check_out, r.room_type) for r in hotel)
    # The column of nights without a room type only when there are some.
    room_types = tuple(kind for kind in ROOM_TYPES if kind or any(night.rooms[kind] for night in counted))
    return Needs(counted, room_types,
                 [Guest(r) for r in hotel], [Guest(r) for r in people], headsets, languages)


# Exports: one file per part of the page

def language_called(code: str) -> str:
    """A language's name in the reader's language («Mongolian», «Англи»): the console names the
    languages delegates listen in, not the language switcher."""
    try:
        name = Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, TypeError):
        name = code
    return name[:1].upper() + name[1:]


def _country(code: str) -> str:
    return country_name(code, str(get_locale())) if code else ""


# Who each row of the guests' and the needs' files is.
PERSON_COLUMNS = (
    exports.Column(_l("Number"), lambda g: g.registration.id),
    exports.Column(_l("Status"), lambda g: STATUS_NAMES.get(g.registration.status, g.registration.status)),
    exports.Column(_l("Name as in the passport"), lambda g: g.latin),
    exports.Column(_l("Name"), lambda g: g.own),
    exports.Column(_l("Country"), lambda g: _country(g.registration.country)),
)
GUEST_COLUMNS = (
    *PERSON_COLUMNS,
    exports.Column(_l("Room type"), lambda g: ROOM_NAMES.get(g.registration.room_type, NO_ROOM_TYPE)),
    exports.Column(_l("Hotel check-in"), lambda g: g.registration.hotel_check_in),
    exports.Column(_l("Hotel check-out"), lambda g: g.registration.hotel_check_out),
    exports.Column(_l("Nights"), lambda g: g.nights),
)
PEOPLE_COLUMNS = (
    *PERSON_COLUMNS,
    exports.Column(_l("Dietary needs"), lambda g: g.registration.dietary_needs),
    exports.Column(_l("Accessibility needs"), lambda g: g.registration.accessibility_needs),
)
NIGHT_COLUMNS = (
    exports.Column(_l("Night"), lambda n: n.night),
    *(exports.Column(ROOM_NAMES.get(kind, NO_ROOM_TYPE), lambda n, kind=kind: n.rooms[kind]) for kind in ROOM_TYPES),
    exports.Column(_l("All rooms"), lambda n: n.total),
)
# A headsets row: (session, listening language or "", headsets).
HEADSET_COLUMNS = (
    exports.Column(_l("Starts"), lambda row: row[0].starts_at),
    exports.Column(_l("Session"), lambda row: localize(row[0].title).text),
    exports.Column(_l("Kind"), lambda row: KIND_NAMES.get(row[0].kind, row[0].kind)),
    exports.Column(_l("Floor language"), lambda row: language_called(row[0].floor_language)),
    exports.Column(_l("Listening language"), lambda row: language_called(row[1]) if row[1] else ""),
    exports.Column(_l("Headsets"), lambda row: row[2]),
)
PARTS = {
    "nights": (_l("Hotel nights"), NIGHT_COLUMNS, lambda found: found.nights),
    "guests": (_l("Hotel rooms"), GUEST_COLUMNS, lambda found: found.guests),
    "people": (_l("Dietary and accessibility needs"), PEOPLE_COLUMNS, lambda found: found.people),
    "headsets": (_l("Interpretation headsets"), HEADSET_COLUMNS,
                 lambda found: [(item.session, code, count) for item in found.headsets
                                for code, count in (sorted(item.counts.items()) or [("", 0)])]),
}


def needs_file(event: Event, part: str, kind: str) -> tuple[str, bytes] | None:
    """One part of the needs page (PARTS) as `kind` (csv, xlsx): its file name and content; None
    for a part there is not."""
    if part not in PARTS:
        return None
    title, columns, rows = PARTS[part]
    found = rows(needs(event))
    if kind == "csv":
        return f"needs-{part}", exports.to_csv(columns, found, event.tz)
    return f"needs-{part}", exports.to_xlsx(columns, found, event.tz, str(title))
