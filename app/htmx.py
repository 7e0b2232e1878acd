"""HTMX: the pinned file (CDN with SRI, local fallback), telling fragment requests from pages,
and rendering the one or the other.

We pin htmx 2.0.x, the stable line: htmx 4 is a fresh rewrite (new event names,
explicit inheritance, different error swapping) and we want the idioms that the
documentation, the Hypermedia Systems book and years of use agree on.
"""
from urllib.parse import urlsplit

from flask import Flask, g, make_response, redirect, render_template, request

VERSION = "2.0.11"
CDN_ORIGIN = "https://cdn.jsdelivr.net"
CDN_URL = f"{CDN_ORIGIN}/npm/htmx.org@{VERSION}/dist/htmx.min.js"
# sha384 of dist/htmx.min.js in the npm package htmx.org@2.0.11 (`make htmx` checks it).
INTEGRITY = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
LOCAL_FILE = f"vendor/htmx-{VERSION}.min.js"

# The request headers that tell a fragment request from a page request.
FRAGMENT_HEADERS = ("HX-Request", "HX-History-Restore-Request", "HX-Boosted")


def _read(*headers: str) -> None:
    """The response depends on these request headers: the Vary header will name them."""
    g.setdefault("vary", set()).update(headers)


def is_htmx() -> bool:
    """True for a request htmx sent to swap a fragment (not a boosted or history request)."""
    _read(*FRAGMENT_HEADERS)
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def current_path() -> str | None:
    """The path of the page an htmx request was sent from (htmx's HX-Current-URL), if on this site."""
    _read("HX-Current-URL")
    if not is_htmx():
        return None
    try:
        parts = urlsplit(request.headers.get("HX-Current-URL", ""))
    except ValueError:  # not an address at all ("http://[")
        return None
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path or None


def render(page: str, partial: str | None = None, status: int = 200, **context):
    """The partial for an htmx request, else the whole page (which includes that partial)."""
    template = partial if partial is not None and is_htmx() else page
    return make_response(render_template(template, **context), status)


def see_other(location: str):
    """After a successful POST: a 303 for a plain form, a full-page redirect for htmx."""
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)


def add_vary(response, names) -> None:
    """Name these request headers in the response's Vary header, written as one string (Werkzeug's
    response.vary parses the header and writes it again for every name added)."""
    named = response.headers.get("Vary")
    known = {name.strip().lower() for name in named.split(",")} if named else set()
    added = [name for name in names if name.lower() not in known]
    if added:
        response.headers["Vary"] = ", ".join(([named] if named else []) + added)


def _add_vary(response):
    read = g.get("vary")
    if read:
        add_vary(response, sorted(read))
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_vary)
    app.jinja_env.globals.update(
        htmx_from_cdn=app.config["HTMX_FROM_CDN"],
        htmx_cdn_url=CDN_URL,
        htmx_cdn_origin=CDN_ORIGIN,
        htmx_integrity=INTEGRITY,
        htmx_local_file=LOCAL_FILE,
    )
