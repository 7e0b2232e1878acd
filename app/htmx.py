"""HTMX: the pinned file (CDN with SRI, local fallback) and telling fragment requests from pages.

We pin htmx 2.0.x, the stable line: htmx 4 is a fresh rewrite (new event names,
explicit inheritance, different error swapping) and we want the idioms that the
documentation, the Hypermedia Systems book and years of use agree on.
"""
from functools import wraps

from flask import Flask, make_response, redirect, request

VERSION = "2.0.11"
CDN_URL = f"https://cdn.jsdelivr.net/npm/htmx.org@{VERSION}/dist/htmx.min.js"
# sha384 of dist/htmx.min.js in the npm package htmx.org@2.0.11 (`make htmx` checks it).
INTEGRITY = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
LOCAL_FILE = f"vendor/htmx-{VERSION}.min.js"


def is_htmx() -> bool:
    """True for a request htmx sent to swap a fragment (not a boosted or history request)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def see_other(location: str):
    """After a successful POST: a 303 for a plain form, a full-page redirect for htmx."""
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)


def vary_on_htmx(view):
    """Responses differ for htmx requests: tell caches so."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.vary.add("HX-Request")
        return response

    return wrapper


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        htmx_from_cdn=app.config["HTMX_FROM_CDN"],
        htmx_cdn_url=CDN_URL,
        htmx_integrity=INTEGRITY,
        htmx_local_file=LOCAL_FILE,
    )
