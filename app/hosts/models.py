"""The hosts' accounts, what they changed (the audit log), refused sign-ins, notes, and who
checked in at the door."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timestamps import UTCDateTime as Moment, utcnow


class Host(db.Model):
    """Someone who runs the conference from the console: a coordinator or a host."""

    __tablename__ = "hosts"

    COORDINATOR, HOST = "coordinator", "host"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # The address as one person is known (NFC, case folded): one account per address.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=HOST)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changed whenever the account is disabled or re-roled: every cookie that names the old
    # value stops working at its next request.
    session_nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(Moment)

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.COORDINATOR

    # Flask-Login's interface: the id a cookie carries names the account and its nonce.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"


class AuditEntry(db.Model):
    """One change a host made: who, when, what, to which object, before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_kind", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the command line (`flask portal create-host`).
    host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(Moment, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    host: Mapped[Host | None] = relationship(lazy="joined")


class LoginFailure(db.Model):
    """A refused sign-in, counted per account and per client (only digests of the address and the
    client are kept): five in 15 minutes lock either for 15 minutes, across every worker."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(Moment, default=utcnow, index=True)


class HostNote(db.Model):
    """A host's note on a registration; `emailed`: it went to the delegate with a confirmation or a
    decline, else the hosts keep it to themselves."""

    __tablename__ = "host_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)

    host: Mapped[Host | None] = relationship(lazy="joined")


class CheckIn(db.Model):
    """A delegate let in at the door on one day of the event, by one host. One per delegate and
    day (the unique constraint): two hosts tapping at once record one check-in."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("registration_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id", ondelete="SET NULL"))

    host: Mapped[Host | None] = relationship(lazy="joined")
