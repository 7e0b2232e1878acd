"""The «Stay informed» form."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Length, ValidationError

from ..email_address import InvalidEmail, checked_email
from ..forms import PortalForm, choices
from ..i18n.languages import language_name, supported_languages


class SubscribeForm(PortalForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(message=_l("This field is required.")),
            Length(max=254, message=_l("Too long (at most %(max)s characters).")),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
    )
    language = SelectField(_l("Language for messages"), validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = choices((code, language_name(code)) for code in supported_languages())

    def validate_email(self, field):
        try:
            field.data = checked_email(field.data)
        except InvalidEmail:
            raise ValidationError(_l("Enter a valid email address."))
