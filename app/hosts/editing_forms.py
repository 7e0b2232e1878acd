"""The editing forms: one input per language (NAME_en, NAME_mn), shown side by side.

Choices are not checked here: an unknown room or sign-up mode is refused by the rules in
editing.py, with a message that says what to do."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from ..forms import PortalForm, choices, clean_block, clean_line, no_control_characters
from .forms import REQUIRED, TOO_LONG, valid_email

SIGNUP_NAMES = {"open": _l("Open: delegates join"), "closed": _l("Closed: no more sign-ups"),
                "invitation": _l("Invitation only: hosts add delegates"), "none": _l("None: open to all")}
NOT_A_DATE = _l("Enter a valid date.")
NOT_A_TIME = _l("Enter a time as HH:MM.")
# Long enough for any real text; a longer one is refused with a message, never cut.
TITLE_MAX, DESCRIPTION_MAX, PAGE_MAX, LETTER_MAX = 300, 5000, 50000, 10000


def line(label, maximum=TITLE_MAX):
    return StringField(label, [Optional(), Length(max=maximum, message=TOO_LONG), no_control_characters],
                       filters=[clean_line])


def block(label, maximum):
    return TextAreaField(label, [Optional(), Length(max=maximum, message=TOO_LONG), no_control_characters],
                         filters=[clean_block])


def required(message):
    """Refuse an empty field with `message` (one that could not be read says so already)."""

    def check(form, field):
        if field.data is None and not field.errors:
            raise StopValidation(message)

    return check


def date_field(label):
    return DateField(label, [required(NOT_A_DATE)], format="%Y-%m-%d")


def time_field(label):
    return TimeField(label, [required(NOT_A_TIME)], format="%H:%M")


class SessionForm(PortalForm):
    title_en = line(_l("Title in English"))
    title_mn = line(_l("Title in Mongolian"))
    description_en = block(_l("Description in English"), DESCRIPTION_MAX)
    description_mn = block(_l("Description in Mongolian"), DESCRIPTION_MAX)
    day = date_field(_l("Day"))
    start = time_field(_l("Starts (Ulaanbaatar time)"))
    end = time_field(_l("Ends (Ulaanbaatar time)"))
    room = SelectField(_l("Room"), [Optional()], validate_choice=False)
    capacity = IntegerField(_l("Capacity"), [Optional(), NumberRange(min=0, max=100000, message=_l(
        "Enter a number of seats from 0 to 100,000, or leave it empty for no limit."))])
    signup = SelectField(_l("Sign-up"), choices=choices(SIGNUP_NAMES.items()), validate_choice=False)


class PageForm(PortalForm):
    title_en = line(_l("Title in English"))
    title_mn = line(_l("Title in Mongolian"))
    text_en = block(_l("Text in English"), PAGE_MAX)
    text_mn = block(_l("Text in Mongolian"), PAGE_MAX)


class EventForm(PortalForm):
    name_en = line(_l("Name in English"))
    name_mn = line(_l("Name in Mongolian"))
    theme_en = line(_l("Theme in English"))
    theme_mn = line(_l("Theme in Mongolian"))
    city_en = line(_l("City in English"))
    city_mn = line(_l("City in Mongolian"))
    starts_on = date_field(_l("First day"))
    ends_on = date_field(_l("Last day"))
    registration_closes_on = date_field(_l("Registration deadline"))
    visa_letter_text_en = block(_l("Visa letter text in English"), LETTER_MAX)
    visa_letter_text_mn = block(_l("Visa letter text in Mongolian"), LETTER_MAX)



class MemberForm(PortalForm):
    """A delegate added to an invitation-only session, by the address they registered with."""
    email = EmailField(_l("Email address the delegate registered with"),
                       [DataRequired(REQUIRED), Length(max=254, message=TOO_LONG), no_control_characters, valid_email],
                       filters=[clean_line], render_kw={"autocomplete": "off", "spellcheck": "false"})
