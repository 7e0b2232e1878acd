"""The registration form: what a delegate tells the hosts, checked field by field."""
from datetime import date, timedelta

import phonenumbers
from flask_babel import format_date, get_locale, lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, SelectField, SelectMultipleField, StringField, TelField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..email_address import InvalidEmail, checked_email
from ..forms import CountrySelect, PortalForm, choices, clean_block, clean_line, no_control_characters
from ..i18n.collation import countries
from ..i18n.languages import language_name, supported_languages
from .transliteration import is_latin, passport_suggestion

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Too long (at most %(max)s characters).")
LINE = {"filters": [clean_line]}
BLOCK = {"filters": [clean_block]}


def required():
    return DataRequired(message=REQUIRED)


def at_most(n):
    return Length(max=n, message=TOO_LONG)


MAX_BAGS = 5


def bags_or_none(value):
    """A select's value as a number of bags: "" (not said) is None; anything else must be a number."""
    return None if value in ("", None) else int(value)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegistrationForm(PortalForm):
    # About you
    given_name = StringField(_l("Given name"), [required(), at_most(100), no_control_characters],
                             render_kw={"autocomplete": "given-name"}, **LINE)
    family_name = StringField(_l("Family name"), [required(), at_most(100), no_control_characters],
                              render_kw={"autocomplete": "family-name"}, **LINE)
    passport_given_name = StringField(_l("Given name as in your passport"), [at_most(100), no_control_characters],
                                      render_kw={"autocapitalize": "characters"}, **LINE)
    passport_family_name = StringField(_l("Family name as in your passport"), [at_most(100), no_control_characters],
                                       render_kw={"autocapitalize": "characters"}, **LINE)
    organisation = StringField(_l("Party or organisation"), [required(), at_most(200), no_control_characters],
                               render_kw={"autocomplete": "organization"}, **LINE)
    position = StringField(_l("Position"), [Optional(), at_most(200), no_control_characters],
                           render_kw={"autocomplete": "organization-title"}, **LINE)
    country = SelectField(_l("Country"), [required()], widget=CountrySelect(), render_kw={"autocomplete": "country"})
    gender = SelectField(_l("Gender"), [Optional()], choices=choices([
        ("", _l("Choose…")), ("woman", _l("Woman")), ("man", _l("Man")),
        ("another", _l("Another gender")), ("undisclosed", _l("Prefer not to say")),
    ]))

    # Contact
    email = EmailField(_l("Email address"), [required(), at_most(254)],
                       render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}, **LINE)
    phone = TelField(_l("Mobile phone"), [required(), at_most(32)], render_kw={"autocomplete": "tel"}, **LINE)
    # A choice is always made (the page's language), so no empty "required" placeholder.
    language = SelectField(_l("Language for messages"), [required()], render_kw={"required": False})

    # Attendance and travel
    days = CheckboxesField(_l("Days you will attend"), [InputRequired(message=_l("Choose at least one day."))])
    arrival_date = DateField(_l("Arrival date"), [Optional()])
    arrival_time = TimeField(_l("Arrival time"), [Optional()])
    arrival_flight = StringField(_l("Arrival flight number"), [Optional(), at_most(16), Regexp(
        r"^[A-Za-z0-9]{2}\s?\d{1,4}[A-Za-z]?$", message=_l("Enter a flight number such as OM 302."))], **LINE)
    # Checked bags, for the car that meets the delegate at the airport (not said: counted as one).
    luggage = SelectField(_l("Checked bags"), [Optional()], coerce=bags_or_none, choices=choices([
        ("", _l("Choose…")), *((str(n), str(n)) for n in range(MAX_BAGS + 1))]))
    departure_date = DateField(_l("Departure date"), [Optional()])
    departure_time = TimeField(_l("Departure time"), [Optional()])
    departure_flight = StringField(_l("Departure flight number"), [Optional(), at_most(16), Regexp(
        r"^[A-Za-z0-9]{2}\s?\d{1,4}[A-Za-z]?$", message=_l("Enter a flight number such as OM 302."))], **LINE)

    # Hotel
    hotel_needed = BooleanField(_l("I would like the hosts to book a hotel room for me"))
    hotel_check_in = DateField(_l("Hotel check-in"), [Optional()])
    hotel_check_out = DateField(_l("Hotel check-out"), [Optional()])
    room_type = SelectField(_l("Room type"), [Optional()], choices=choices([
        ("", _l("Choose…")), ("single", _l("Single room")), ("shared", _l("Shared room")),
    ]))

    # Needs
    dietary_needs = TextAreaField(_l("Dietary needs"), [Optional(), at_most(500), no_control_characters], **BLOCK)
    accessibility_needs = TextAreaField(_l("Accessibility needs"), [Optional(), at_most(500), no_control_characters], **BLOCK)
    interpretation = BooleanField(_l("I need interpretation between English and Mongolian"))

    # Visa invitation letter
    visa_letter = BooleanField(_l("I need an invitation letter for my visa application"))
    nationality = SelectField(_l("Nationality"), [Optional()], widget=CountrySelect())
    passport_number = StringField(_l("Passport number"), [Optional(), at_most(20), Regexp(
        r"^[A-Za-z0-9]{5,20}$", message=_l("Enter the passport number as printed, letters and digits only."))],
        render_kw={"autocapitalize": "characters", "spellcheck": "false"}, **LINE)
    date_of_birth = DateField(_l("Date of birth"), [Optional()], render_kw={"autocomplete": "bday"})
    passport_expiry = DateField(_l("Passport expiry date"), [Optional()])

    # Consent
    privacy_consent = BooleanField(_l("I have read the privacy notice and agree to it"),
                                   [DataRequired(message=_l("Please accept the privacy notice."))])
    newsletter = BooleanField(_l("Send me the newsletter"))

    def __init__(self, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        lang = str(get_locale())
        country_choices = choices([("", _l("Choose…")), *countries(lang)])
        self.country.choices = country_choices
        self.nationality.choices = country_choices
        self.language.choices = choices((code, language_name(code)) for code in supported_languages())
        self.days.choices = choices(self.day_choices(event))

    @staticmethod
    def day_choices(event) -> list[tuple[str, str]]:
        """The event's days: (ISO date, the date in full in the reader's language)."""
        choices, day = [], event.starts_on
        while day <= event.ends_on:
            choices.append((day.isoformat(), format_date(day, "full")))
            day += timedelta(days=1)
        return choices

    # Field checks: each says what is wrong in the reader's language.

    def validate_email(self, field):
        try:
            field.data = checked_email(field.data)
        except InvalidEmail:
            raise ValidationError(_l("Enter a valid email address."))

    def validate_phone(self, field):
        try:
            number = phonenumbers.parse(field.data, self.country.data or None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(_l("Enter a valid phone number."))
        field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def validate_passport_given_name(self, field):
        self._passport_name(field, self.given_name.data)

    def validate_passport_family_name(self, field):
        self._passport_name(field, self.family_name.data)

    def _passport_name(self, field, own):
        if field.data and not is_latin(field.data):
            raise ValidationError(_l("Write the name in Latin letters, as in your passport."))
        if not field.data and own and not is_latin(own):
            suggestion = passport_suggestion(own)
            if suggestion is None:  # a script the table does not cover
                raise ValidationError(_l("Write the name in Latin letters, as in your passport."))
            # Suggest a spelling the delegate checks and corrects before sending again.
            field.data = suggestion
            raise ValidationError(_l("Please check the spelling against your passport."))

    def _near_the_event(self, field):
        """Travel and hotel dates fall within a month of the conference."""
        if field.data and not (self.event.starts_on - timedelta(days=30) <= field.data
                               <= self.event.ends_on + timedelta(days=30)):
            raise ValidationError(_l("Enter a date within a month of the conference."))

    def validate_arrival_date(self, field):
        self._near_the_event(field)

    def validate_departure_date(self, field):
        self._near_the_event(field)
        if field.data and self.arrival_date.data and field.data < self.arrival_date.data:
            raise ValidationError(_l("Departure must be after arrival."))

    def validate_hotel_check_in(self, field):
        if self.hotel_needed.data and not field.data:
            raise ValidationError(REQUIRED)
        self._near_the_event(field)

    def validate_hotel_check_out(self, field):
        if self.hotel_needed.data and not field.data:
            raise ValidationError(REQUIRED)
        self._near_the_event(field)
        if field.data and self.hotel_check_in.data and field.data <= self.hotel_check_in.data:
            raise ValidationError(_l("Check-out must be after check-in."))

    def validate_room_type(self, field):
        if self.hotel_needed.data and not field.data:
            raise ValidationError(REQUIRED)

    def validate_nationality(self, field):
        self._passport_required(field)

    # On the edit form, passport details already on file are never shown again (only hosts see
    # them); left empty, they stay as stored.
    passport_on_file = False

    def _passport_required(self, field):
        if self.visa_letter.data and not field.data and not self.passport_on_file:
            raise ValidationError(REQUIRED)

    def validate_passport_number(self, field):
        self._passport_required(field)

    def validate_date_of_birth(self, field):
        self._passport_required(field)
        if field.data and not date(1900, 1, 1) <= field.data <= self.event.starts_on:
            raise ValidationError(_l("Enter a valid date."))

    def validate_passport_expiry(self, field):
        self._passport_required(field)
        if field.data and field.data <= self.event.ends_on:
            raise ValidationError(_l("The passport must still be valid after the conference."))

    def check(self, name: str, posted) -> list:
        """Validate the form for the one field `name` the delegate just left; returns the passport
        name fields that now carry a suggested Latin spelling (when `name` is a name in another
        script and the delegate has not typed a passport spelling yet)."""
        self.validate()
        suggestions = []
        for own, passport in (("given_name", "passport_given_name"), ("family_name", "passport_family_name")):
            suggestion = passport_suggestion(self[own].data) if name == own else None
            if suggestion and not posted.get(passport):
                self[passport].data = suggestion
                self[passport].errors = []
                suggestions.append(self[passport])
        return suggestions

    def registration_data(self) -> dict:
        """The checked values, as the registration service takes them."""
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "privacy_consent")}
        data.setdefault("email", None)
        data["days"] = sorted(set(data["days"] or []))
        data["arrival_flight"] = (data["arrival_flight"] or "").replace(" ", "").upper()
        data["departure_flight"] = (data["departure_flight"] or "").replace(" ", "").upper()
        data["passport_number"] = (data["passport_number"] or "").upper()
        if data["email"] is None:
            del data["email"]
        for name in ("position", "dietary_needs", "accessibility_needs", "passport_given_name",
                     "passport_family_name", "gender", "room_type", "nationality"):
            data[name] = data[name] or ""
        return data


class EditForm(RegistrationForm):
    """The delegate's own form after registering: the address is the one the private link goes
    to, and consent was given at registration. Passport details on file are never shown again."""

    email = None
    privacy_consent = None

    def __init__(self, event, registration, subscribed: bool, *args, **kwargs):
        super().__init__(event, *args, obj=registration, **kwargs)
        self.passport_on_file = registration.has_passport_data
        if not self.is_submitted():
            for name in registration.PASSPORT_FIELDS:
                self[name].data = None
            self.newsletter.data = subscribed  # as it is now: an unsubscribe from an email counts


class LinkRequestForm(PortalForm):
    """«Send me a new link»."""

    email = EmailField(_l("Email address"), [required(), at_most(254)],
                       render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}, **LINE)

    def validate_email(self, field):
        try:
            field.data = checked_email(field.data)
        except InvalidEmail:
            raise ValidationError(_l("Enter a valid email address."))
