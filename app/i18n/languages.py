"""The language in the URL (`/LANG/...`), negotiation for `/`, and the language cookie."""
from datetime import date
from pathlib import Path

from babel import Locale
from flask import Flask, abort, current_app, g, request, url_for

from flask_babel import format_date, format_datetime, format_time

from ..extensions import babel
from .collation import country_name
from .formatting import date_range
from .side_by_side import PARAMETER, init_app as init_side_by_side
from .templating import init_app as init_templating


def catalog_languages(translations_dir: str, default: str) -> list[str]:
    """The default language plus one language per catalog folder: a catalog is all a new language needs."""
    found = sorted(
        p.name for p in Path(translations_dir).iterdir() if (p / "LC_MESSAGES").is_dir()
    ) if Path(translations_dir).is_dir() else []
    return [default] + [code for code in found if code != default]


def supported_languages() -> list[str]:
    return current_app.config["LANGUAGES"]


def negotiate_language() -> str:
    """The reader's language when the URL names none: cookie, then Accept-Language, then the default."""
    languages = supported_languages()
    cookie = request.cookies.get(current_app.config["LANGUAGE_COOKIE"], "")
    if cookie in languages:
        return cookie
    return accepted_language(request.accept_languages, languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def accepted_language(accept, languages: list[str]) -> str | None:
    """The supported language the reader ranks highest: `mn-MN` counts as `mn`, the q-value decides."""
    ranked = sorted(((quality, index, value) for index, (value, quality) in enumerate(accept) if quality > 0),
                    key=lambda item: (-item[0], item[1]))
    for _quality, _index, value in ranked:
        primary = value.replace("_", "-").split("-", 1)[0].lower()
        if primary in languages:
            return primary
    return None


def current_language() -> str:
    """The page's language: the one in the URL, else the negotiated one (error pages, `/`)."""
    lang = g.get("lang")
    if lang:
        return lang
    if request:
        # A page that does not exist still speaks the language its address names.
        first = request.path.lstrip("/").split("/", 1)[0]
        if first in supported_languages():
            return first
        return negotiate_language()
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def language_name(code: str) -> str:
    """A language's name in itself, as the switcher shows it: English, Монгол."""
    name = Locale.parse(code).display_name or code
    return name[:1].upper() + name[1:]


def url_for_language(code: str, external: bool = False, second: str | None = None) -> str:
    """This page in another language (the switcher and the hreflang alternates); with `second`,
    side by side with that language (see side_by_side.py), else in one language."""
    pair = {PARAMETER: second}
    rule = request.url_rule
    if rule is not None and "lang" in rule.arguments and request.endpoint:
        args = dict(request.view_args or {}, lang=code)
        return url_for(request.endpoint, _external=external, **args, **pair)
    return url_for("public.home", lang=code, _external=external, **pair)


def _pull_lang(endpoint, values):
    if values is None or "lang" not in values:
        return
    lang = values.pop("lang")
    if lang not in supported_languages():
        abort(404)
    g.lang = lang


def _add_lang(endpoint, values):
    if "lang" in values or not g.get("lang"):
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.lang


def _remember_language(response):
    """Remember a language the reader chose, so that `/` brings them back to it."""
    lang = g.get("lang")
    if lang and response.status_code < 400 and request.cookies.get(current_app.config["LANGUAGE_COOKIE"]) != lang:
        response.headers.add("Set-Cookie", current_app.config["LANGUAGE_COOKIES"][lang])
    return response


def language_cookies(config) -> dict[str, str]:
    """The Set-Cookie header that remembers each language for a year, written once (Max-Age alone:
    every browser the portal serves reads it)."""
    secure = "; Secure" if config["SESSION_COOKIE_SECURE"] else ""
    return {lang: f"{config['LANGUAGE_COOKIE']}={lang}; Max-Age={365 * 24 * 3600}; HttpOnly; Path=/; SameSite=Lax"
                  f"{secure}" for lang in config["LANGUAGES"]}


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "LANGUAGES",
        catalog_languages(
            app.config["BABEL_TRANSLATION_DIRECTORIES"], app.config["BABEL_DEFAULT_LOCALE"]
        ),
    )
    app.config["LANGUAGE_COOKIES"] = language_cookies(app.config)
    babel.init_app(app, locale_selector=current_language)
    app.url_value_preprocessor(_pull_lang)
    app.url_defaults(_add_lang)
    app.after_request(_remember_language)
    app.jinja_env.globals.update(
        current_language=current_language,
        language_name=language_name,
        url_for_language=url_for_language,
        supported_languages=supported_languages,
        date_range=date_range,
        format_date=format_date,
        format_time=format_time,
        format_datetime=format_datetime,
        country_name=lambda code: country_name(code, current_language()),
    )
    app.jinja_env.filters["isodate"] = date.fromisoformat
    init_templating(app)
    init_side_by_side(app)
