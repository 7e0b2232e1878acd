"""The event and its content pages, with texts stored per language."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # Raised whenever the program or its seat counts change: cached program pages key on it.
    program_version: Mapped[int] = mapped_column(default=0, server_default="0")

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
