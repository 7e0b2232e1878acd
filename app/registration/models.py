"""A delegate's registration for the event."""
import secrets
from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timestamps import UTCDateTime as Moment, utcnow


def new_checkin_code() -> str:
    """A check-in code for a badge's QR: random and unguessable, never derived from the id."""
    return secrets.token_urlsafe(12)


class Registration(db.Model):
    """One delegate, once per event (the email address, NFC and case folded, is the key)."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("event_id", "email_key"),)

    PENDING, CONFIRMED, DECLINED, CANCELLED = "pending", "confirmed", "declined", "cancelled"
    ACTIVE = (PENDING, CONFIRMED)  # coming to the event
    # Asked only of those who request a visa invitation letter, and shown only to hosts.
    PASSPORT_FIELDS = ("nationality", "passport_number", "date_of_birth", "passport_expiry")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    # Raised to make every link and signed-in device of this delegate invalid.
    link_version: Mapped[int] = mapped_column(default=1)

    # Who: names in the delegate's own script, and as in the passport (Latin letters).
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    passport_given_name: Mapped[str] = mapped_column(String(100), default="")
    passport_family_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    organisation: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    gender: Mapped[str] = mapped_column(String(16), default="")
    language: Mapped[str] = mapped_column(String(12))

    # Attendance and travel.
    days: Mapped[list] = mapped_column(JSON, default=list)
    arrival_date: Mapped[date | None] = mapped_column(Date)
    arrival_time: Mapped[time | None] = mapped_column(Time)
    arrival_flight: Mapped[str] = mapped_column(String(16), default="")
    # Checked bags to carry from the airport (None: not said; a pickup wave counts one).
    luggage: Mapped[int | None] = mapped_column()
    departure_date: Mapped[date | None] = mapped_column(Date)
    departure_time: Mapped[time | None] = mapped_column(Time)
    departure_flight: Mapped[str] = mapped_column(String(16), default="")
    hotel_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    hotel_check_in: Mapped[date | None] = mapped_column(Date)
    hotel_check_out: Mapped[date | None] = mapped_column(Date)
    room_type: Mapped[str] = mapped_column(String(16), default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    interpretation: Mapped[bool] = mapped_column(Boolean, default=False)

    # Visa invitation letter: passport data is asked only then, and shown only to hosts.
    visa_letter: Mapped[bool] = mapped_column(Boolean, default=False)
    nationality: Mapped[str] = mapped_column(String(2), default="")
    passport_number: Mapped[str] = mapped_column(String(20), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    passport_expiry: Mapped[date | None] = mapped_column(Date)
    passport_purged_at: Mapped[datetime | None] = mapped_column(Moment)

    newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    privacy_consent_at: Mapped[datetime] = mapped_column(Moment)
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(Moment)
    erased_at: Mapped[datetime | None] = mapped_column(Moment)
    # When someone first signed in with the emailed link: that proves they own the address.
    email_proven_at: Mapped[datetime | None] = mapped_column(Moment)
    # What a badge's QR names at check-in (/LANG/hosts/checkin/CODE).
    checkin_code: Mapped[str] = mapped_column(String(24), unique=True, index=True, default=new_checkin_code)
    # The visa letters the hosts issued, newest first (withdrawn ones stay, for the record).
    visa_letters: Mapped[list["VisaLetter"]] = relationship(
        viewonly=True, order_by="(VisaLetter.issued_at.desc(), VisaLetter.id.desc())")

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def has_passport_data(self) -> bool:
        return any(getattr(self, name) for name in self.PASSPORT_FIELDS)

    @property
    def current_visa_letter(self) -> "VisaLetter | None":
        """The letter that is valid now, if any (a new one is issued only after a withdrawal)."""
        return next((letter for letter in self.visa_letters if not letter.is_withdrawn), None)


class SignIn(db.Model):
    """One device signed in as a delegate. The device's cookie holds a random token; only its
    digest is stored, so the table alone signs nobody in."""

    __tablename__ = "sign_ins"

    FORM, LINK = "form", "link"  # how the device signed in: by registering, or with the emailed link

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(8))
    # The emailed link this device used: a link signs in once.
    link_nonce: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(Moment)

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class LinkRequest(db.Model):
    """«Send me a new link», as asked: stored alike for every address, so that the answer takes
    the same time whether the address is registered or not. The sender handles it afterwards and
    deletes it: an address nobody registered is not kept."""

    __tablename__ = "link_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    next_path: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)


def new_letter_reference() -> str:
    """A visa letter's reference: random, in letters and digits no one confuses (no 0/O, 1/I/L),
    so that an embassy can type it and nobody can list the letters by counting."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"PA-{code[:5]}-{code[5:]}"


class VisaLetter(db.Model):
    """A visa invitation letter the hosts issued: what its verification page
    (/LANG/verify/REFERENCE) shows an embassy, kept apart from the passport data so that it
    outlives the purge of passport details after the event."""

    __tablename__ = "visa_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # None once the delegate erased their data (the letter is then withdrawn).
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"),
                                                        index=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True, default=new_letter_reference)
    # The name as in the passport (Latin letters), and the dates of stay, as the letter states them.
    name: Mapped[str] = mapped_column(String(210))
    stay_from: Mapped[date]
    stay_until: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(Moment)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
