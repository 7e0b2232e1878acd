"""The console's forms: signing in, accounts, and the filters of its lists."""
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, EmailField, HiddenField, IntegerField, PasswordField, SearchField, SelectField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..email_address import InvalidEmail, checked_email
from ..forms import PortalForm, choices, clean_block, clean_line, no_control_characters
from . import rules

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Too long (at most %(max)s characters).")
ROLE_NAMES = {"coordinator": _l("Coordinator"), "host": _l("Host")}
STATUS_NAMES = {"pending": _l("Pending"), "confirmed": _l("Confirmed"), "declined": _l("Declined"),
                "cancelled": _l("Cancelled")}
GENDER_NAMES = {"woman": _l("Woman"), "man": _l("Man"), "another": _l("Another gender"),
                "undisclosed": _l("Prefer not to say")}
ROOM_NAMES = {"single": _l("Single room"), "shared": _l("Shared room")}
REGISTRATION_ACTIONS = {"registration.confirmed": _l("Registration confirmed"),
                        "registration.declined": _l("Registration declined"),
                        "registration.noted": _l("Note added"),
                        "registrations.exported_passports": _l("Exported with passport details")}
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
    registration = IntegerField(_l("Registration number"), [Optional(), NumberRange(min=1, max=2**31)])
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1, max=10000)])


class RegistrationFilterForm(PortalForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), [Optional(), Length(max=100, message=TOO_LONG), no_control_characters],
                    filters=[clean_line])
    status = SelectField(_l("Status"), [Optional()])
    country = SelectField(_l("Country"), [Optional()])
    visa = BooleanField(_l("Visa invitation letter asked for"))
    hotel = BooleanField(_l("Hotel room asked for"))
    arrival = DateField(_l("Arriving on"), [Optional()])
    # Any other order asked for is ignored: the list keeps its usual one.
    sort = SelectField(_l("Order"), choices=choices(SORT_NAMES.items()), validate_choice=False)
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1, max=10000)])
    # The passport details, in an export only a coordinator may ask for.
    passport = BooleanField(_l("With passport details"))


class DecisionForm(PortalForm):
    """Confirm or decline, with a note for the delegate (sent with the email)."""

    note = TextAreaField(_l("Note to the delegate"), [Optional(), Length(max=NOTE_LENGTH, message=TOO_LONG),
                                                      no_control_characters], filters=[clean_block])
    next = HiddenField()


class NoteForm(PortalForm):
    """A note the hosts keep on a registration."""

    text = TextAreaField(_l("Note for the hosts"), [DataRequired(REQUIRED), Length(max=NOTE_LENGTH, message=TOO_LONG),
                                                    no_control_characters], filters=[clean_block])
