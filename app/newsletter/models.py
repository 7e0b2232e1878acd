"""A newsletter subscriber: pending until they confirm by email."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timestamps import UTCDateTime, utcnow


class Subscriber(db.Model):
    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("event_id", "email_key"),)

    PENDING, CONFIRMED, UNSUBSCRIBED = "pending", "confirmed", "unsubscribed"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    # The address as one person is known: NFC and case folded (see app.email_address).
    email_key: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.CONFIRMED
