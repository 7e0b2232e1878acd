"""Content texts stored per language: a `{lang: text}` map with a fallback, like pretix's i18n fields."""
from dataclasses import dataclass

from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator


@dataclass(frozen=True)
class Localized:
    """A text picked for a reader, and the language it is really in."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


class I18nText:
    """One text in several languages. A new language needs no migration."""

    def __init__(self, texts: dict[str, str] | None = None):
        self.texts = {k: v for k, v in (texts or {}).items() if isinstance(v, str)}

    def get(self, lang: str, fallback: str) -> Localized:
        """The text in `lang`, else in the event's main language `fallback`, else any non-empty one."""
        for code in (lang, fallback):
            text = self.texts.get(code, "")
            if text.strip():
                return Localized(text, code)
        for code, text in sorted(self.texts.items()):
            if text.strip():
                return Localized(text, code)
        return Localized("", lang)

    def missing(self, languages: list[str]) -> list[str]:
        """The languages this text still lacks."""
        return [code for code in languages if not self.texts.get(code, "").strip()]

    def __eq__(self, other) -> bool:
        return isinstance(other, I18nText) and self.texts == other.texts

    def __repr__(self) -> str:
        return f"I18nText({self.texts!r})"


class I18nTextType(TypeDecorator):
    """Stores an I18nText as a JSON object."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, dict):
            value = I18nText(value)
        return dict(value.texts)

    def process_result_value(self, value, dialect):
        return I18nText(value or {})
