"""Visa invitation letters in the hosts' console: issuing a letter, withdrawing it, and what the
printed letter states. Issuing, each download and withdrawing are in the audit log (a download
shows the passport details, as the registration's page does).

Any signed-in host may do all three (the console's `console` permission): a delegate's letter is
part of looking after them. The letter is printed in English, as embassies expect, whatever the
console's language; its body is the event's English `visa_letter_text`.
"""
from dataclasses import dataclass
from datetime import date, datetime

import segno
from babel.dates import format_date
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..events.models import Event
from ..i18n.collation import country_name
from ..mail import link
from ..markup import render as render_text
from ..registration import letters
from ..registration.locking import lock_registration
from ..registration.models import Registration, VisaLetter
from . import audit
from .models import Host

LETTER_LANGUAGE = "en"
# What each refusal tells the host, and its status: a state that forbids the action is a
# conflict (409); a letter never issued is not found (404); one whose passport details were
# deleted after the event cannot be made again (410).
REFUSALS = {
    letters.NOT_REQUESTED: (409, _l("This delegate did not ask for a visa invitation letter.")),
    letters.INACTIVE: (409, _l("This registration is declined or cancelled, so no visa letter can be issued or "
                              "downloaded for it.")),
    letters.NO_PASSPORT: (410, _l("The passport details are not on file, or were deleted after the event: the letter "
                                 "cannot be made without them. Its verification page still answers.")),
    letters.ISSUED: (409, _l("A letter is already issued for this delegate. Withdraw it first to issue a new one.")),
    letters.NO_TEXT: (409, _l("The letter’s English text is empty. A coordinator writes it on the event’s page.")),
    letters.NO_LETTER: (404, _l("No visa letter has been issued for this delegate, or it was withdrawn.")),
}


class LetterRefused(Exception):
    """This letter action cannot be taken now; nothing was changed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.status, self.message = REFUSALS[reason]


@dataclass(frozen=True)
class PrintedLetter:
    """What the letter states, written out in English as it is printed."""

    letter: VisaLetter
    event: Event
    hosts: str  # the event's hosts (its English `hosted_by`)
    event_name: str
    event_theme: str
    event_city: str
    event_dates: str
    issued_on: str
    nationality: str
    passport_number: str
    date_of_birth: str
    passport_expiry: str
    stay: str
    body: Markup  # the event's English letter text (CommonMark, no raw HTML)
    verification_url: str
    qr_code: Markup  # the verification URL as an SVG QR code

    @property
    def filename(self) -> str:
        return f"visa-letter-{self.letter.reference}.pdf"


def english_text(event: Event) -> str:
    """The letter's body, in English only: an embassy reads English, and the letter is never
    printed in another language."""
    return event.visa_letter_text.texts.get(LETTER_LANGUAGE, "") if event.visa_letter_text else ""


def verification_url(reference: str) -> str:
    """The public page an embassy opens to check a letter (in English, on PORTAL_URL)."""
    return link("verify.letter", lang=LETTER_LANGUAGE, reference=reference)


@dataclass(frozen=True)
class LetterState:
    """A registration's letters as its page's «Visa letter» shows them."""

    current: VisaLetter | None  # the valid letter
    withdrawn: list[VisaLetter]
    issue_refusal: str | None  # why no letter can be issued now (None: it can)
    download_refusal: str | None  # why the valid letter cannot be made as a PDF now
    name: str  # the name and dates of stay a letter issued now would state
    stay: tuple[date, date]

    @property
    def outdated(self) -> bool:
        """The valid letter states another name or other dates than the registration now does."""
        return self.current is not None and (self.current.name, self.current.stay_from,
                                             self.current.stay_until) != (self.name, *self.stay)


def letter_state(event: Event, registration: Registration) -> LetterState:
    """What the registration's «Visa letter» shows: its letters, what may be done, what a new one states."""
    current = registration.current_visa_letter
    return LetterState(current=current, withdrawn=[letter for letter in registration.visa_letters if letter.is_withdrawn],
                       issue_refusal=letters.issue_refusal(registration, current, english_text(event)),
                       download_refusal=letters.download_refusal(registration, current),
                       name=letters.passport_name(registration),
                       stay=letters.stay_dates(event, registration.arrival_date, registration.departure_date))


def issue(actor: Host, event: Event, registration: Registration, now: datetime) -> VisaLetter:
    """Issue a letter with a new random reference, the passport name and the dates of stay (raises
    LetterRefused). Under the registration's row lock: two hosts tapping at once issue one letter."""
    registration = lock_registration(registration)
    reason = letters.issue_refusal(registration, letters.current_letter(registration), english_text(event))
    if reason is not None:
        raise LetterRefused(reason)
    letter = letters.new_letter(event, registration, now)
    audit.record(actor, "registration.visa_letter_issued", "registration", registration.id, None, _logged(letter))
    return letter


def withdraw(actor: Host, registration: Registration, now: datetime) -> VisaLetter:
    """Withdraw the valid letter (raises LetterRefused when there is none): its verification page
    then says it was withdrawn, and when."""
    registration = lock_registration(registration)
    letter = letters.current_letter(registration)
    if letter is None:
        raise LetterRefused(letters.NO_LETTER)
    letter.withdrawn_at = now
    audit.record(actor, "registration.visa_letter_withdrawn", "registration", registration.id, None,
                 {"reference": letter.reference})
    return letter


def printed_letter(actor: Host, event: Event, registration: Registration) -> PrintedLetter:
    """The valid letter as it is printed (raises LetterRefused); the download is logged."""
    letter = letters.current_letter(registration)
    reason = letters.download_refusal(registration, letter)
    if reason is not None:
        raise LetterRefused(reason)
    audit.record(actor, "registration.visa_letter_downloaded", "registration", registration.id, None,
                 {"reference": letter.reference})
    url = verification_url(letter.reference)
    return PrintedLetter(
        letter=letter, event=event, hosts=_english(event.hosted_by, event), event_name=_english(event.name, event),
        event_theme=_english(event.theme, event), event_city=_english(event.city, event),
        event_dates=days_in_words(event.starts_on, event.ends_on),
        issued_on=_day(letter.issued_at.astimezone(event.tz).date()),
        nationality=country_name(registration.nationality, LETTER_LANGUAGE) if registration.nationality else "",
        passport_number=registration.passport_number, date_of_birth=_day(registration.date_of_birth),
        passport_expiry=_day(registration.passport_expiry), stay=stay_in_words(letter.stay_from, letter.stay_until),
        body=render_text(english_text(event)), verification_url=url, qr_code=qr_code(url))


def qr_code(url: str) -> Markup:
    """The address as a QR code, an SVG that scales to the box it is put in (four modules of quiet zone)."""
    return Markup(segno.make(url, error="m").svg_inline(border=4, omitsize=True, title=url))


def stay_in_words(start: date, end: date) -> str:
    """«24 May 2017 to 27 May 2017»: day first and the month in words, which no reader misreads,
    each date whole (an embassy copies them)."""
    return _day(start) if start == end else f"{_day(start)} to {_day(end)}"


def days_in_words(start: date, end: date) -> str:
    """The event's days for the letterhead: «25–26 May 2017», «31 May – 1 June 2017»."""
    if start == end:
        return _day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}\u2013{_day(end)}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMMM', locale=LETTER_LANGUAGE)} \u2013 {_day(end)}"
    return f"{_day(start)} \u2013 {_day(end)}"


def _day(day: date | None) -> str:
    return format_date(day, "d MMMM y", locale=LETTER_LANGUAGE) if day else ""


def _english(text, event: Event) -> str:
    return text.get(LETTER_LANGUAGE, event.main_language).text if text else ""


def _logged(letter: VisaLetter) -> dict:
    return {"reference": letter.reference, "stay_from": letter.stay_from.isoformat(),
            "stay_until": letter.stay_until.isoformat()}
