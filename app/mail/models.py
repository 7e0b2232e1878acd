"""The outbox: every message the portal sends, stored before it is sent."""
from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timestamps import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    """One email, ready to send: the exact bytes, so that a retry carries the same Message-ID."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    # The address as one person is known (NFC, case folded): per-address caps count by it.
    recipient_key: Mapped[str] = mapped_column(String(254), index=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Delivery: a sender claims a message (`claimed_by`, a token of its own) until `claimed_until`;
    # a failure waits until `next_attempt_at`; `sent_at` is set once the mail server has taken it,
    # `failed_at` once it refused it for good (a 5xx answer: retrying would not help).
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(200), default="")

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
