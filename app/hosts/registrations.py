"""The hosts' list of registrations: search, filters, paging."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration

PAGE_SIZE = 50
SEARCHED = ("given_name", "family_name", "passport_given_name", "passport_family_name", "email_key", "organisation")


@dataclass
class Page:
    rows: list[Registration]
    total: int
    page: int

    @property
    def has_next(self) -> bool:
        return self.page * PAGE_SIZE < self.total


def search(event: Event, q: str = "", status: str = "", country: str = "", page: int = 1) -> Page:
    """One page of the event's registrations, newest first: `q` in the names (as written and as in
    the passport, any case, Latin or Cyrillic), the address or the organisation."""
    where = [Registration.event_id == event.id]
    if q:
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        fold, folded = (func.casefold, q.casefold()) if sqlite else (func.lower, q.lower())
        pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(*(fold(getattr(Registration, name)).like(pattern, escape="\\") for name in SEARCHED)))
    if status:
        where.append(Registration.status == status)
    if country:
        where.append(Registration.country == country)
    total = db.session.scalar(select(func.count(Registration.id)).where(*where)) or 0
    rows = db.session.scalars(select(Registration).where(*where).order_by(Registration.created_at.desc(), Registration.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return Page(list(rows), total, page)
