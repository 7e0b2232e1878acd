"""`?with=OTHER`: a page's texts in its own language and in a second one, side by side.

Pages that can pair their texts are marked with `offers_side_by_side`. On such a page, a second
language is a single `with` value naming another language with a catalog; anything else (none,
two values, an unknown or hostile value, the page's own language) is ignored and the page is the
ordinary one. Links from a side-by-side page to another page that offers it keep the pair.
"""
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import force_locale

from .formatting import date_range

PARAMETER = "with"


def offers_side_by_side(view):
    """Mark a view whose page can show its texts in a second language (`?with=OTHER`)."""
    view.side_by_side = True
    return view


def chosen_second_language(page_language: str, values: list[str], languages: list[str]) -> str | None:
    """The second language asked for: one value, a language with a catalog, not the page's own."""
    if len(values) != 1 or values[0] == page_language or values[0] not in languages:
        return None
    return values[0]


def endpoint_offers_side_by_side(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "side_by_side", False)


def second_language() -> str | None:
    """The second language of the page being answered, or None for an ordinary page."""
    if not has_request_context():
        return None
    if "second_language" not in g:
        lang = g.get("lang")
        offered = lang and request.query_string and endpoint_offers_side_by_side(request.endpoint)
        g.second_language = chosen_second_language(
            lang, request.args.getlist(PARAMETER), current_app.config["LANGUAGES"]) if offered else None
    return g.second_language


def offers_side_by_side_here() -> bool:
    """Whether the page being answered can pair its texts (the switcher then offers it)."""
    return has_request_context() and request.method == "GET" and endpoint_offers_side_by_side(request.endpoint)


def _keep_pair(endpoint, values):
    """Links to pages that offer side by side keep this page's pair, in this page's language.
    `with=None` drops it (the switcher's links to one language)."""
    if PARAMETER in values:
        if values[PARAMETER] is None:
            del values[PARAMETER]
        return
    other = second_language()
    if other and endpoint_offers_side_by_side(endpoint) and values.get("lang", g.get("lang")) == g.get("lang"):
        values[PARAMETER] = other


def date_range_in(code: str, start, end) -> str:
    """The event's dates written in another language than the page's."""
    with force_locale(code):
        return date_range(start, end)


def init_app(app: Flask) -> None:
    app.url_defaults(_keep_pair)
    app.jinja_env.globals.update(second_language=second_language, side_by_side_offered=offers_side_by_side_here,
                                 date_range_in=date_range_in)
