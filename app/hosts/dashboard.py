"""The dashboard's numbers, each from one grouped query whatever the number of registrations."""
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxMessage
from ..program.models import Session
from ..registration.models import Registration
from .editing import untranslated_count

STATUSES = (Registration.PENDING, Registration.CONFIRMED, Registration.DECLINED, Registration.CANCELLED)
GENDERS = ("woman", "man", "another", "undisclosed", "")
TOP = 15  # countries and organisations shown; the rest are counted together


@dataclass
class Overview:
    by_status: list[tuple[str, int]]
    by_day: list[tuple[date, int]]
    countries: list[tuple[str, int]]
    organisations: list[tuple[str, int]]
    other_organisations: int
    genders: list[tuple[str, int]]
    sessions: list[Session]
    unproven: int
    days_left: int
    unsent_mail: int
    failed_mail: int
    untranslated: int  # texts of the event, its pages and sessions that lack a translation

    @property
    def coming(self) -> int:
        return sum(count for status, count in self.by_status if status in Registration.ACTIVE)


def overview(event: Event, now: datetime) -> Overview:
    """Who is coming and what needs attention, for the dashboard (about ten queries in all)."""
    coming = (Registration.event_id == event.id, Registration.status.in_(Registration.ACTIVE))
    statuses = dict(_grouped(Registration.status, Registration.event_id == event.id))
    organisations = _grouped(Registration.organisation, *coming)
    genders = dict(_grouped(Registration.gender, *coming))
    unsent = _count(OutboxMessage.id, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
    return Overview(
        by_status=[(status, statuses.get(status, 0)) for status in STATUSES],
        by_day=_by_day(event),
        countries=_grouped(Registration.country, *coming)[:TOP],
        organisations=organisations[:TOP],
        other_organisations=sum(count for _name, count in organisations[TOP:]),
        genders=[(gender, genders.get(gender, 0)) for gender in GENDERS if genders.get(gender)],
        sessions=list(db.session.scalars(select(Session).where(
            Session.event_id == event.id, or_(Session.signup != "none", Session.capacity.is_not(None)))
            .order_by(Session.starts_at, Session.slug))),
        unproven=_count(Registration.id, *coming, Registration.email_proven_at.is_(None)),
        days_left=(event.registration_closes_on - now.astimezone(event.tz).date()).days,
        unsent_mail=unsent,
        failed_mail=_count(OutboxMessage.id, OutboxMessage.failed_at.is_not(None)),
        untranslated=untranslated_count(event),
    )


def _grouped(column, *where) -> list[tuple[str, int]]:
    """(value, count) pairs, the largest first."""
    count = func.count()
    rows = db.session.execute(select(column, count).where(*where).group_by(column).order_by(count.desc(), column))
    return [(value, number) for value, number in rows]


def _count(column, *where) -> int:
    return db.session.scalar(select(func.count(column)).where(*where)) or 0


def _by_day(event: Event) -> list[tuple[date, int]]:
    """Registrations per day they were made, in the event's time zone (one query; the days are
    counted here, as SQLite and PostgreSQL name time zones differently)."""
    moments = db.session.scalars(select(Registration.created_at).where(Registration.event_id == event.id))
    days = Counter(moment.astimezone(event.tz).date() for moment in moments)
    return sorted(days.items())
