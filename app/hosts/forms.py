"""The console's forms: signing in, accounts, and the filters of its lists."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SearchField, SelectField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..email_address import InvalidEmail, checked_email
from ..forms import PortalForm, choices, clean_line, no_control_characters
from . import rules

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Too long (at most %(max)s characters).")
ROLE_NAMES = {"coordinator": _l("Coordinator"), "host": _l("Host")}
STATUS_NAMES = {"pending": _l("Pending"), "confirmed": _l("Confirmed"), "declined": _l("Declined"),
                "cancelled": _l("Cancelled")}
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
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1, max=10000)])
