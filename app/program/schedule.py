"""The program laid out as a delegate reads it: days, then time slots, parallel sessions side by side."""
from dataclasses import dataclass, field
from datetime import date

from .models import Session


@dataclass
class Slot:
    starts_at: object
    sessions: list[Session] = field(default_factory=list)

    @property
    def parallel(self) -> bool:
        return len(self.sessions) > 1


@dataclass
class Day:
    date: date
    number: int
    slots: list[Slot] = field(default_factory=list)


def days(sessions: list[Session], tz) -> list[Day]:
    """Sessions grouped by their day in the event's time zone, then by start time."""
    result: list[Day] = []
    for session in sessions:
        local = session.starts_at.astimezone(tz)
        if not result or result[-1].date != local.date():
            result.append(Day(local.date(), len(result) + 1))
        slots = result[-1].slots
        if not slots or slots[-1].starts_at != session.starts_at:
            slots.append(Slot(session.starts_at))
        slots[-1].sessions.append(session)
    return result
