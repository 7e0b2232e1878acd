"""Visa invitation letters in the registration domain: the rules of issuing one (who may have a
letter, the dates it states, the name as in the passport), finding a letter by the reference an
embassy types, and forgetting an erased delegate's letters.

A letter's row (VisaLetter) keeps only what its verification page shows: the name, the reference
and the dates. The passport details it prints stay on the registration and go with the purge
after the event; the page keeps answering."""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from .models import Registration, VisaLetter, new_letter_reference

# What a reference is made of (models.new_letter_reference): PA, then ten letters and digits that
# no one confuses, written PA-XXXXX-XXXXX.
PREFIX = "PA"
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE = re.compile(f"[{ALPHABET}]{{10}}")
# Anything an embassy may type between the parts: spaces, hyphens and dashes of every kind, dots.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._/]+")
LONGEST_TYPED = 64  # longer than any reference, however spaced: not read at all

# Why a letter cannot be issued (or made again) for a registration.
NOT_REQUESTED = "not_requested"  # the delegate did not ask for one
INACTIVE = "inactive"  # declined, cancelled or erased
NO_PASSPORT = "no_passport"  # no passport number on file, or deleted after the event
ISSUED = "issued"  # a letter is already valid: withdraw it first
NO_TEXT = "no_text"  # the letter's English text is empty
NO_LETTER = "no_letter"  # nothing issued (or everything withdrawn): nothing to download or withdraw


def canonical_reference(typed: str) -> str | None:
    """The reference as issued («PA-ABCDE-FGHJK») from what someone typed: any case, with or
    without the dashes and the PA, spaced as they like; None for anything that cannot be one."""
    if not isinstance(typed, str) or len(typed) > LONGEST_TYPED:
        return None
    folded = SEPARATORS.sub("", unicodedata.normalize("NFKC", typed)).upper()
    code = folded.removeprefix(PREFIX) if len(folded) == len(PREFIX) + 10 else folded
    if not CODE.fullmatch(code):
        return None
    return f"{PREFIX}-{code[:5]}-{code[5:]}"


@dataclass(frozen=True)
class Verification:
    """What the verification page tells an embassy: the letter (its name, reference, dates, and
    whether and when it was withdrawn) and the event whose hosts issued it."""

    letter: VisaLetter
    event: Event


def verification(typed: str) -> Verification | None:
    """The letter with this reference (as typed, see canonical_reference) and its event; None for
    any reference no letter has, however it is written."""
    reference = canonical_reference(typed)
    if reference is None:
        return None
    letter = db.session.scalar(select(VisaLetter).where(VisaLetter.reference == reference))
    if letter is None:
        return None
    return Verification(letter, db.session.get(Event, letter.event_id))


def passport_name(registration: Registration) -> str:
    """The delegate's name as the letter prints it: the passport spelling (Latin letters) where the
    delegate gave one, else the name as written (the form asks for a passport spelling whenever
    that is not in Latin letters)."""
    given = registration.passport_given_name or registration.given_name
    family = registration.passport_family_name or registration.family_name
    return " ".join(part.strip() for part in (given, family) if part and part.strip())


def stay_dates(event: Event, arrival: date | None, departure: date | None) -> tuple[date, date]:
    """The dates of stay a letter states: the delegate's arrival and departure where given, else
    the event's first and last days (a departure before the arrival reads as the arrival day)."""
    start = arrival or event.starts_on
    end = departure or event.ends_on
    return start, max(start, end)


def has_passport_details(registration: Registration) -> bool:
    """Whether the passport details a letter prints are on file (not yet deleted after the event)."""
    return bool(registration.passport_number) and registration.passport_purged_at is None


def issue_refusal(registration: Registration, current: VisaLetter | None, english_text: str) -> str | None:
    """Why a letter cannot be issued for this registration now (one of the reasons above), or None."""
    if registration.is_erased or not registration.is_active:
        return INACTIVE
    if not registration.visa_letter:
        return NOT_REQUESTED
    if not has_passport_details(registration):
        return NO_PASSPORT
    if current is not None:
        return ISSUED
    if not english_text.strip():
        return NO_TEXT
    return None


def download_refusal(registration: Registration, current: VisaLetter | None) -> str | None:
    """Why the valid letter cannot be made as a PDF now, or None: there is none, the registration is
    no longer active, or the passport details it prints are gone."""
    if current is None:
        return NO_LETTER
    if registration.is_erased or not registration.is_active:
        return INACTIVE
    if not has_passport_details(registration):
        return NO_PASSPORT
    return None


def current_letter(registration: Registration) -> VisaLetter | None:
    """The registration's valid letter (at most one: a new one is issued only after a withdrawal)."""
    return db.session.scalar(select(VisaLetter).where(VisaLetter.registration_id == registration.id,
                                                      VisaLetter.withdrawn_at.is_(None))
                             .order_by(VisaLetter.issued_at.desc(), VisaLetter.id.desc()).limit(1))


def new_letter(event: Event, registration: Registration, now: datetime) -> VisaLetter:
    """Store a new letter for the registration: its passport name and dates of stay as of now, and a
    random reference (drawn again in the unlikely case it is taken)."""
    reference = new_letter_reference()
    while db.session.scalar(select(VisaLetter.id).where(VisaLetter.reference == reference)) is not None:
        reference = new_letter_reference()
    start, end = stay_dates(event, registration.arrival_date, registration.departure_date)
    letter = VisaLetter(event_id=event.id, registration_id=registration.id, reference=reference,
                        name=passport_name(registration), stay_from=start, stay_until=end, issued_at=now)
    db.session.add(letter)
    db.session.flush()
    return letter


def withdraw_on_leaving(registration: Registration, now: datetime) -> VisaLetter | None:
    """A cancelled or declined delegate's valid letter is withdrawn at once: an embassy must not
    read it as an invitation any more. Returns the letter withdrawn, if there was one."""
    letter = current_letter(registration)
    if letter is not None:
        letter.withdrawn_at = now
        db.session.flush()
    return letter


def forget(registration: Registration, now: datetime) -> int:
    """An erased delegate's letters: each is withdrawn (its verification page says so, and when),
    loses the name and no longer points to the registration. Returns how many there were."""
    letters = db.session.scalars(select(VisaLetter).where(VisaLetter.registration_id == registration.id)).all()
    for letter in letters:
        letter.withdrawn_at = letter.withdrawn_at or now
        letter.name = ""
        letter.registration_id = None
    db.session.flush()
    return len(letters)
