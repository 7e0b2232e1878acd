"""The event and its content pages, with texts stored per language."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, UniqueConstraint, event as orm_event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from ..i18n import I18nText, I18nTextType


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    main_language: Mapped[str] = mapped_column(String(12), default="en")
    name: Mapped[I18nText] = mapped_column(I18nTextType)
    theme: Mapped[I18nText] = mapped_column(I18nTextType)
    city: Mapped[I18nText] = mapped_column(I18nTextType)
    hosted_by: Mapped[I18nText] = mapped_column(I18nTextType)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ulaanbaatar")
    registration_closes_on: Mapped[date]
    contact_email: Mapped[str] = mapped_column(String(254))
    # The body of a visa invitation letter, edited by coordinators in both languages; the letter
    # itself is printed in English, as embassies expect.
    visa_letter_text: Mapped[I18nText] = mapped_column(I18nTextType, default=dict)
    # Raised whenever the program or its seat counts change: cached program pages key on it.
    program_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Raised whenever the event's facts or its pages change (content_changed, below): cached
    # public pages key on it.
    content_version: Mapped[int] = mapped_column(default=0, server_default="0")

    pages: Mapped[list["Page"]] = relationship(
        back_populates="event", order_by="Page.position", cascade="all, delete-orphan"
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def registration_closes_at(self) -> datetime:
        """Registration closes at the end of its deadline day in the event's time zone."""
        return datetime.combine(self.registration_closes_on, datetime.max.time(), tzinfo=self.tz)

    def registration_is_open(self, now: datetime) -> bool:
        return now <= self.registration_closes_at

    def page(self, slug: str) -> "Page | None":
        return next((p for p in self.pages if p.slug == slug), None)


class Page(db.Model):
    """A page of the event's own content (the invitation, the technical details)."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("event_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[I18nText] = mapped_column(I18nTextType)
    body: Mapped[I18nText] = mapped_column(I18nTextType)

    event: Mapped[Event] = relationship(back_populates="pages")


@orm_event.listens_for(Session, "before_flush")
def content_changed(session: Session, flush_context, instances) -> None:
    """Raise the content version of every event whose facts or pages this flush changes, in the
    same transaction, as an increment in SQL (two edits at once make two versions)."""
    events = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Page) and (row in session.new or row in session.deleted or session.is_modified(row)):
            events.add(row.event_id if row.event_id is not None else row.event)
        elif isinstance(row, Event) and row not in session.new and session.is_modified(row):
            events.add(row.id)
    for changed in events:
        event = changed if isinstance(changed, Event) else session.get(Event, changed)
        if event is not None and event not in session.new:
            event.content_version = Event.content_version + 1
