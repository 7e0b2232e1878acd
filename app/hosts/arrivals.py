"""Airport pickups: the delegates' arrivals and departures by day, arrivals grouped into pickup
waves (one car or bus for everyone who lands within a window of the wave's first arrival), and
what the driver sheets and name placards print.

Arrival and departure times are what the delegate entered: local time in Ulaanbaatar (the form
asks for it), kept as a date and a time without a zone, and compared as such.
"""
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration
from ..registration.transliteration import passport_suggestion

DEFAULT_WINDOW = 90  # minutes
MIN_WINDOW, MAX_WINDOW = 15, 360
# Placard sizes by the length of the name (in code points, so that a name heavy with combining
# marks or emoji sequences gets a smaller size too); longer names than the last get "xxs". Up to
# 22 letters fit one line of an A4 landscape sheet at their size, up to 60 two lines.
PLACARD_SIZES = ((12, "xl"), (16, "l"), (22, "m"), (34, "s"), (60, "xs"))


# The rules, as plain functions

def read_window(values: list[str]) -> tuple[int, bool]:
    """The pickup window in minutes from the page's `window` field, and whether what was sent was
    refused: nothing (or an empty field) gives the default; anything but one whole number from
    MIN_WINDOW to MAX_WINDOW gives the default, refused."""
    if not values or values == [""]:
        return DEFAULT_WINDOW, False
    text = values[0].strip()
    # isascii: isdigit() also accepts «²» and other digits int() refuses.
    if len(values) > 1 or not (text.isascii() and text.isdigit()) or len(text) > 4:
        return DEFAULT_WINDOW, True
    minutes = int(text)
    if not MIN_WINDOW <= minutes <= MAX_WINDOW:
        return DEFAULT_WINDOW, True
    return minutes, False


def pickup_waves(items, window: timedelta, when=lambda item: item) -> list[list]:
    """Arrivals grouped into pickup waves, earliest first. A wave starts with the earliest arrival
    not yet in one and takes every later arrival up to `window` after it (one exactly at the window
    included): nobody in a car waits at the airport longer than the window. `when` gives an item's
    moment; items at the same moment keep their order."""
    waves, start = [], None
    for item in sorted(items, key=when):
        moment = when(item)
        if start is None or moment - start > window:
            waves.append([])
            start = moment
        waves[-1].append(item)
    return waves


def bags(luggage: int | None) -> int:
    """The luggage places a delegate takes in a car: their checked bags; one when not said."""
    return 1 if luggage is None else luggage


def latin_parts(registration: Registration) -> tuple[str, str]:
    """The given and family names in Latin letters as in the passport: the passport spelling where
    given, else the suggested spelling of a Mongolian Cyrillic name, else the name as written."""
    given = (registration.passport_given_name or passport_suggestion(registration.given_name)
             or registration.given_name)
    family = (registration.passport_family_name or passport_suggestion(registration.family_name)
              or registration.family_name)
    return given, family


def latin_name(registration: Registration) -> str:
    """The name in Latin letters as in the passport («Batbayar Ulzii»)."""
    return " ".join(part for part in latin_parts(registration) if part)


def by_latin_name(registration: Registration) -> tuple:
    """The order of lists for hosts and drivers: by the Latin family name, then the given name."""
    given, family = latin_parts(registration)
    return family.casefold(), given.casefold(), registration.id


def own_name(registration: Registration) -> str:
    """The name as the delegate writes it, in their own script."""
    return " ".join(part for part in (registration.given_name, registration.family_name) if part)


def _folded(name: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().split()


def differs(latin: str, own: str) -> bool:
    """Whether the own-script name says more than the Latin one (not just its case or accents)."""
    return bool(own) and _folded(latin) != _folded(own)


def placard_size(name: str) -> str:
    """The size class a placard gives a name: the longer the name, the smaller its letters."""
    for most, size in PLACARD_SIZES:
        if len(name) <= most:
            return size
    return "xxs"


# What the pages show

@dataclass(frozen=True)
class Traveller:
    """A delegate arriving or leaving, at a moment in Ulaanbaatar time (None: the time not given).
    Its names are worked out once: a page of 2,000 arrivals reads each several times."""

    registration: Registration
    at: datetime | None
    flight: str

    @cached_property
    def latin(self) -> str:
        return latin_name(self.registration)

    @cached_property
    def own(self) -> str:
        return own_name(self.registration)

    @cached_property
    def own_differs(self) -> bool:
        return differs(self.latin, self.own)

    @cached_property
    def name_order(self) -> tuple:
        return by_latin_name(self.registration)

    @property
    def bags(self) -> int:
        return bags(self.registration.luggage)

    @property
    def status(self) -> str:
        return self.registration.status

    @property
    def latin_size(self) -> str:
        return placard_size(self.latin)

    @property
    def own_size(self) -> str:
        return placard_size(self.own)


@dataclass
class Wave:
    """One car or bus: the delegates who land within the window of the first, numbered per day."""

    day: date  # the day its first arrival lands
    number: int
    people: list[Traveller]

    @property
    def start(self) -> datetime:
        return self.people[0].at

    @property
    def end(self) -> datetime:
        return self.people[-1].at

    @property
    def ends_next_day(self) -> bool:
        return self.end.date() != self.start.date()

    @property
    def bags(self) -> int:
        return sum(person.bags for person in self.people)

    @property
    def confirmed(self) -> int:
        return sum(person.status == Registration.CONFIRMED for person in self.people)

    @property
    def pending(self) -> int:
        return sum(person.status == Registration.PENDING for person in self.people)

    @property
    def flights(self) -> list[str]:
        return sorted({person.flight for person in self.people if person.flight})


@dataclass
class Day:
    """A day's arrivals (in waves, then those without a time) and departures."""

    day: date
    waves: list[Wave] = field(default_factory=list)
    untimed: list[Traveller] = field(default_factory=list)
    departures: list[Traveller] = field(default_factory=list)
    departures_untimed: list[Traveller] = field(default_factory=list)

    @property
    def arriving(self) -> int:
        return sum(len(wave.people) for wave in self.waves) + len(self.untimed)

    @property
    def arrivals(self) -> list[Traveller]:
        """Everyone landing this day (for the day's placards): the waves in order, then the rest."""
        return [person for wave in self.waves for person in wave.people] + self.untimed


@dataclass
class Board:
    """The arrivals page: every day with an arrival or a departure, for one pickup window."""

    window: int
    days: list[Day]
    undated: list[Traveller]  # a flight or time given, but no arrival date

    @property
    def waves(self) -> int:
        return sum(len(day.waves) for day in self.days)

    @property
    def arriving(self) -> int:
        return sum(day.arriving for day in self.days)


def _order(person: Traveller):
    return (person.at or datetime.min, *person.name_order)


def arrangement(registrations, window: int) -> Board:
    """The board for these registrations (the coming ones), waves made with `window` minutes."""
    days: dict[date, Day] = {}
    timed, undated = [], []
    for r in registrations:
        at = datetime.combine(r.arrival_date, r.arrival_time) if r.arrival_date and r.arrival_time else None
        person = Traveller(r, at, r.arrival_flight)
        if at is not None:
            timed.append(person)
        elif r.arrival_date is not None:
            days.setdefault(r.arrival_date, Day(r.arrival_date)).untimed.append(person)
        elif r.arrival_flight or r.arrival_time:
            undated.append(person)
        if r.departure_date is not None:
            leaving = datetime.combine(r.departure_date, r.departure_time) if r.departure_time else None
            day = days.setdefault(r.departure_date, Day(r.departure_date))
            (day.departures if leaving else day.departures_untimed).append(Traveller(r, leaving, r.departure_flight))
    for people in pickup_waves(sorted(timed, key=_order), timedelta(minutes=window), lambda person: person.at):
        day = days.setdefault(people[0].at.date(), Day(people[0].at.date()))
        day.waves.append(Wave(day.day, len(day.waves) + 1, people))
    for day in days.values():
        for people in (day.untimed, day.departures, day.departures_untimed):
            people.sort(key=_order)
    return Board(window, [days[key] for key in sorted(days)], sorted(undated, key=_order))


# Services

def coming(event: Event) -> list[Registration]:
    """The event's pending and confirmed delegates who said anything about their travel (declined,
    cancelled and erased registrations are left out)."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(Registration.ACTIVE),
        Registration.erased_at.is_(None),
        or_(Registration.arrival_date.is_not(None), Registration.departure_date.is_not(None),
            Registration.arrival_time.is_not(None), Registration.arrival_flight != ""))))


def board(event: Event, window: int) -> Board:
    """Arrivals and departures by day, arrivals in pickup waves of `window` minutes."""
    return arrangement(coming(event), window)


def wave(event: Event, day: date, number: int, window: int) -> Wave | None:
    """The `number`th pickup wave of `day` (counted from 1) for this window; None if there is none."""
    found = next((d for d in board(event, window).days if d.day == day), None)
    if found is None or not 1 <= number <= len(found.waves):
        return None
    return found.waves[number - 1]


def arriving_on(event: Event, day: date) -> list[Traveller]:
    """Everyone landing on `day`, in the order of the day's waves (for its placards)."""
    found = next((d for d in board(event, DEFAULT_WINDOW).days if d.day == day), None)
    return found.arrivals if found is not None else []
