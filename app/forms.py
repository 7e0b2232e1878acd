"""What every form shares: WTForms' own messages through our catalogs, and clean text input."""
import unicodedata

from flask_babel import get_locale, get_translations, lazy_gettext as _l, lazy_ngettext
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from flask import request
from wtforms import SelectChoice, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import html_params

from .i18n.collation import country_options

# WTForms' built-in messages that a delegate can meet, so that the catalogs carry them.
WTFORMS_MESSAGES = (
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("This field is required."),
    _l("Invalid Choice: could not coerce."),
)

DOUBLED = _l("This field was sent more than once. Please send the form again.")

# Bidirectional overrides and isolates can make a name display as something else.
REFUSED = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
# U+FFFD stands where a browser sent bytes that were not UTF-8.
UNREADABLE = "\ufffd"


class CatalogTranslations:
    """Hands WTForms' messages to Flask-Babel, so they come out in the reader's language."""

    def gettext(self, string):
        return get_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        # WTForms fills in the placeholders itself.
        return get_translations().ngettext(singular, plural, n)


class PortalForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return CatalogTranslations()

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, and one more: a field that takes one value, sent twice, is
        refused rather than read as its first value (a forged or garbled form)."""
        valid = super().validate(extra_validators)
        if not self.is_submitted():
            return valid
        for field in self:
            if not isinstance(field, SelectMultipleField) and len(request.form.getlist(field.name)) > 1:
                field.errors = [*field.errors, DOUBLED]
                valid = False
        return valid


def choices(pairs) -> list[SelectChoice]:
    """Options for a select or a set of checkboxes, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class CountrySelect:
    """A country picker whose options are rendered once per language and reused; `empty` names
    the choice of no country."""

    def __init__(self, empty=_l("Choose…")):
        self.empty = empty

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if field.flags.required:
            kwargs.setdefault("required", True)
        options = country_options(str(get_locale()))
        if field.data:
            chosen = Markup('<option value="{}">').format(field.data)
            options = Markup(options.replace(chosen, chosen[:-1] + Markup(" selected>"), 1))
        return Markup("<select {}><option value=\"\">{}</option>{}</select>").format(
            Markup(html_params(name=field.name, **kwargs)), escape(self.empty), options
        )


def clean_line(value):
    """A one-line text as typed: Unicode NFC, trimmed; None stays None."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value).strip()


def clean_block(value):
    """A multi-line text as typed: NFC, trimmed, Windows line ends folded."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()


def no_control_characters(form, field):
    """Refuse invisible control characters (NUL, bidi overrides, line breaks in a one-line field)."""
    text = field.data or ""
    if UNREADABLE in text:
        raise ValidationError(_l("Some characters could not be read. Please type them again."))
    allowed = {"\n", "\t"} if field.type == "TextAreaField" else set()
    for char in text:
        if (unicodedata.category(char) == "Cc" and char not in allowed) or char in REFUSED:
            raise ValidationError(_l("Please remove the invisible control characters."))
