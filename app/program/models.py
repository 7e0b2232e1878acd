"""Rooms, sessions and the seats (or waitlist places) delegates hold in them."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..i18n import I18nText, I18nTextType
from ..timestamps import UTCDateTime, utcnow


class Room(db.Model):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("event_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[I18nText] = mapped_column(I18nTextType)


class Session(db.Model):
    """A plenary, a breakout, a meeting, or a break or social part of the day."""

    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("event_id", "slug"),)

    KINDS = ("plenary", "breakout", "meeting", "break", "social")
    SIGNUPS = ("open", "closed", "invitation", "none")
    # How long the program marks a session that hosts moved (day, time or room).
    CHANGED_FOR = timedelta(days=3)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[I18nText] = mapped_column(I18nTextType)
    description: Mapped[I18nText] = mapped_column(I18nTextType)
    speakers: Mapped[I18nText] = mapped_column(I18nTextType)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    capacity: Mapped[int | None]
    signup: Mapped[str] = mapped_column(String(16), default="none")
    floor_language: Mapped[str] = mapped_column(String(12), default="en")
    interpretation: Mapped[bool] = mapped_column(Boolean, default=False)
    # Counted in the same transaction that takes or frees a seat, so reads never count rows.
    seats_taken: Mapped[int] = mapped_column(default=0)
    waitlist_length: Mapped[int] = mapped_column(default=0)
    # When hosts last moved it (day, time or room): the program marks it as changed for a while.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    room: Mapped[Room | None] = relationship(lazy="joined")

    @property
    def needs_signup(self) -> bool:
        return self.signup in ("open", "closed", "invitation")

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.seats_taken >= self.capacity

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)

    @property
    def recently_changed(self) -> bool:
        """Whether hosts moved it on one of the last CHANGED_FOR days (UTC days, so that a kept
        program page, which keys on the day too, is right all day): the program marks it."""
        return self.changed_at is not None and clock.today() - self.changed_at.astimezone(timezone.utc).date() < self.CHANGED_FOR

    def overlaps(self, other: "Session") -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class Seat(db.Model):
    """A delegate's place in a session: a seat, or a place on its waitlist."""

    __tablename__ = "seats"
    __table_args__ = (UniqueConstraint("session_id", "registration_id"),)

    SEATED, WAITING = "seated", "waiting"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[Session] = relationship(lazy="joined")
