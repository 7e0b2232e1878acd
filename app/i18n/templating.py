"""Jinja filters that put a content text on the page, marking a fallback with its own `lang`."""
from flask import Flask, current_app, g
from flask_babel import get_locale
from markupsafe import Markup, escape

from ..markup import render
from .text import I18nText, Localized


def current_language() -> str:
    """The language being rendered: the page's, or the recipient's inside force_locale()."""
    return str(get_locale())


def main_language() -> str:
    event = g.get("event")
    return event.main_language if event is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def localize(value: I18nText) -> Localized:
    """Pick the reader's language, else the event's main language, else any text."""
    return value.get(current_language(), main_language())


def text_in(value: I18nText, code: str) -> Localized:
    """A content text in `code` (a page's second language), else in the event's main language;
    its `lang` says which it is in."""
    return value.get(code, main_language())


def text_filter(value: I18nText) -> Markup:
    """An inline text; a fallback comes wrapped in `<span lang="…">`."""
    picked = localize(value)
    if picked.lang == current_language():
        return escape(picked.text)
    return Markup('<span lang="{}">{}</span>').format(picked.lang, picked.text)


def lang_attr(value: I18nText) -> Markup:
    """` lang="…"` for an element whose text is a fallback, else nothing."""
    picked = localize(value)
    if picked.lang == current_language():
        return Markup("")
    return Markup(' lang="{}"').format(picked.lang)


def markdown_filter(value: I18nText) -> Markup:
    """A content body rendered from CommonMark (raw HTML escaped)."""
    return render(localize(value).text)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(text=text_filter, lang_attr=lang_attr, markdown=markdown_filter, text_in=text_in)
