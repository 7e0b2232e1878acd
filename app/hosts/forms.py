"""The console's forms: signing in, accounts, and the filters of its lists."""
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, EmailField, HiddenField, IntegerField, PasswordField, SearchField, SelectField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..email_address import InvalidEmail, checked_email
from ..forms import CountrySelect, PortalForm, choices, clean_block, clean_line, no_control_characters
from ..i18n.collation import countries
from . import rules
from .registrations import DEFAULT_SORT, Filters

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Too long (at most %(max)s characters).")
NOT_A_NUMBER = _l("Enter a registration number (a whole number, 1 or more).")
ROLE_NAMES = {"coordinator": _l("Coordinator"), "host": _l("Host")}
STATUS_NAMES = {"pending": _l("Pending"), "confirmed": _l("Confirmed"), "declined": _l("Declined"),
                "cancelled": _l("Cancelled")}
GENDER_NAMES = {"woman": _l("Woman"), "man": _l("Man"), "another": _l("Another gender"),
                "undisclosed": _l("Prefer not to say")}
ROOM_NAMES = {"single": _l("Single room"), "shared": _l("Shared room")}
REGISTRATION_ACTIONS = {"registration.confirmed": _l("Registration confirmed"),
                        "registration.declined": _l("Registration declined"),
                        "registration.noted": _l("Note added"),
                        "registration.passport_viewed": _l("Passport details viewed"),
                        "registrations.exported_passports": _l("Exported with passport details"),
                        "registration.visa_letter_issued": _l("Visa letter issued"),
                        "registration.visa_letter_downloaded": _l("Visa letter downloaded"),
                        "registration.visa_letter_withdrawn": _l("Visa letter withdrawn"),
                        "registration.checked_in": _l("Checked in at the door")}
# The audit log's wording: every action the console records, the fields its before and after
# keep (in the order shown), and how their values read. A test holds it to the code.
AUDIT_ACTIONS = {"host.created": _l("Account added"), "host.disabled": _l("Account disabled"),
                 "host.enabled": _l("Account enabled"), "host.role_changed": _l("Role changed"),
                 **REGISTRATION_ACTIONS,
                 "session.edited": _l("Session edited"), "session.member_added": _l("Member added to a session"),
                 "session.member_removed": _l("Member removed from a session"),
                 "page.edited": _l("Page edited"), "event.edited": _l("Event details edited"),
                 "badges.printed": _l("Badges printed")}
AUDIT_FIELDS = {"email": _l("Email address"), "role": _l("Role"), "active": _l("Active"),
                "registration": _l("Registration number"), "status": _l("Status"), "note": _l("Note"),
                "filters": _l("Search and filters"), "rows": _l("Rows"), "format": _l("File format"),
                "name_en": _l("Name in English"), "name_mn": _l("Name in Mongolian"),
                "theme_en": _l("Theme in English"), "theme_mn": _l("Theme in Mongolian"),
                "city_en": _l("City in English"), "city_mn": _l("City in Mongolian"),
                "title_en": _l("Title in English"), "title_mn": _l("Title in Mongolian"),
                "description_en": _l("Description in English"), "description_mn": _l("Description in Mongolian"),
                "text_en": _l("Text in English"), "text_mn": _l("Text in Mongolian"),
                "day": _l("Day"), "start": _l("Starts (Ulaanbaatar time)"), "end": _l("Ends (Ulaanbaatar time)"),
                "room": _l("Room"), "capacity": _l("Capacity"), "signup": _l("Sign-up"),
                "starts_on": _l("First day"), "ends_on": _l("Last day"),
                "registration_closes_on": _l("Registration deadline"),
                "visa_letter_text_en": _l("Visa letter text in English"),
                "visa_letter_text_mn": _l("Visa letter text in Mongolian"),
                "reference": _l("Reference number"), "stay_from": _l("Stay from"), "stay_until": _l("Stay until")}
AUDIT_DATES = ("day", "starts_on", "ends_on", "registration_closes_on", "arrival", "stay_from", "stay_until")
AUDIT_FILTERS = {"q": _l("Search"), "status": _l("Status"), "country": _l("Country"),
                 "visa": _l("Visa invitation letter asked for"), "hotel": _l("Hotel room asked for"),
                 "arrival": _l("Arriving on"), "sort": _l("Order")}
FILE_FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "a4": _l("Badges, four to an A4 sheet"),
                "a6": _l("Badges, one to an A6 page")}
SEAT_NAMES = {"seated": _l("seated"), "waiting": _l("on the waiting list")}
SORT_NAMES = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "name": _l("Family name"),
              "country": _l("Country"), "status": _l("Status"), "arrival": _l("Arrival date")}
NOTE_LENGTH = 2000
ALL = _l("All")
ALREADY_A_HOST = _l("This address already has an account.")


def valid_email(form, field):
    try:
        field.data = checked_email(field.data or "")
    except InvalidEmail:
        raise ValidationError(_l("Enter a valid email address.")) from None


def strong_password(form, field):
    problem = rules.password_problem(field.data or "", form.email.data or "")
    if problem is not None:
        raise ValidationError(problem)


class PageNumber(IntegerField):
    """A list's page, from its links: anything but a page number reads as the first page (there is
    no field on the page to show a message beside)."""

    def process_formdata(self, valuelist):
        try:
            number = int(valuelist[0]) if valuelist else 1
        except ValueError:
            number = 1
        self.data = number if 1 <= number <= 10000 else 1


class LoginForm(PortalForm):
    email = EmailField(_l("Email address"), [DataRequired(REQUIRED), Length(max=254, message=TOO_LONG),
                                             no_control_characters, valid_email],
                       filters=[clean_line], render_kw={"autocomplete": "username", "spellcheck": "false"})
    password = PasswordField(_l("Password"), [DataRequired(REQUIRED), Length(max=rules.MAX_PASSWORD, message=TOO_LONG),
                                              no_control_characters],
                             render_kw={"autocomplete": "current-password"})


class AddHostForm(PortalForm):
    email = EmailField(_l("Email address"), [DataRequired(REQUIRED), Length(max=254, message=TOO_LONG),
                                             no_control_characters, valid_email],
                       filters=[clean_line], render_kw={"autocomplete": "off", "spellcheck": "false"})
    role = SelectField(_l("Role"), choices=choices(ROLE_NAMES.items()), default="host")
    password = PasswordField(_l("Password"), [DataRequired(REQUIRED), strong_password],
                             render_kw={"autocomplete": "new-password"})


class ChangeHostForm(PortalForm):
    role = SelectField(_l("Role"), choices=choices(ROLE_NAMES.items()))
    active = BooleanField(_l("Active"))


class AuditFilterForm(PortalForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    host = SelectField(_l("Host"), [Optional()], coerce=lambda value: int(value) if value else None)
    registration = IntegerField(_l("Registration number"), [Optional(), NumberRange(min=1, max=2**31, message=NOT_A_NUMBER)])
    page = PageNumber(default=1)


class RegistrationFilterForm(PortalForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), [Optional(), Length(max=100, message=TOO_LONG), no_control_characters],
                    filters=[clean_line])
    status = SelectField(_l("Status"), [Optional()])
    country = SelectField(_l("Country"), [Optional()], widget=CountrySelect(empty=ALL))
    visa = BooleanField(_l("Visa invitation letter asked for"))
    hotel = BooleanField(_l("Hotel room asked for"))
    arrival = DateField(_l("Arriving on"), [Optional()])
    # Any other order asked for is ignored: the list keeps its usual one.
    sort = SelectField(_l("Order"), choices=choices(SORT_NAMES.items()), validate_choice=False)
    page = PageNumber(default=1)
    # The passport details, in an export only a coordinator may ask for.
    passport = BooleanField(_l("With passport details"))

    @classmethod
    def read(cls, args, language: str) -> "RegistrationFilterForm":
        """The list's search as the address gives it (the list, its exports and the badges read it
        alike), with the statuses and the countries to choose from in the console's language."""
        form = cls(args)
        form.status.choices = [("", ALL), *STATUS_NAMES.items()]
        form.country.choices = [("", ALL), *countries(language)]
        return form

    def filters(self) -> Filters:
        return Filters(q=self.q.data or "", status=self.status.data or "", country=self.country.data or "",
                       visa=self.visa.data, hotel=self.hotel.data, arrival=self.arrival.data,
                       sort=self.sort.data or DEFAULT_SORT)


class DecisionForm(PortalForm):
    """Confirm or decline, with a note for the delegate (sent with the email)."""

    note = TextAreaField(_l("Note to the delegate"), [Optional(), Length(max=NOTE_LENGTH, message=TOO_LONG),
                                                      no_control_characters], filters=[clean_block])
    next = HiddenField()


class NoteForm(PortalForm):
    """A note the hosts keep on a registration."""

    text = TextAreaField(_l("Note for the hosts"), [DataRequired(REQUIRED), Length(max=NOTE_LENGTH, message=TOO_LONG),
                                                    no_control_characters], filters=[clean_block])
