"""Security headers on every response, and limits on what a request may carry."""
import os
import secrets
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, abort, current_app, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ENVIRONMENTS, UnsafeSettings

from . import htmx


def content_security_policy(from_cdn: bool) -> str:
    """Scripts only from the site and the one pinned htmx file; no inline script or style."""
    scripts = "'self'" + (f" {htmx.CDN_URL}" if from_cdn else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class RowNumber(IntegerConverter):
    """`<int:…>` in a route: a number an id column holds (1 to 2³¹−1). Any other names no page: a
    404 before the view, where a database would otherwise be asked (SQLite refuses to compare it)."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


class UnreadableForm(BadRequest):
    """A form whose bytes are not UTF-8 (the error pages say so in the reader's language)."""


def local_path(value: str | None) -> str | None:
    """`value` if it is a path on this site (a safe place to send the reader back to), else None.

    Browsers and Werkzeug drop tabs and newlines, so `/\t/evil.example` would become a link
    to another site: any whitespace or control character disqualifies a value."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if any(char.isspace() or ord(char) < 32 or char == "\\" for char in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def _check_request_size():
    if len(request.query_string) > current_app.config["MAX_QUERY_STRING"]:
        abort(414)


def _check_form_encoding():
    """A form whose bytes are not UTF-8 is refused whole (Werkzeug would keep them as literal %XX text)."""
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return None
    body = request.get_data(cache=True)  # the form is parsed from this copy afterwards
    try:
        for pair in body.split(b"&"):
            for part in pair.split(b"=", 1):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableForm() from None


def security_headers(config) -> list[tuple[str, str]]:
    """The headers every response carries unless a view set its own."""
    headers = [
        ("Content-Security-Policy", content_security_policy(config["HTMX_FROM_CDN"])),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Private links carry a token in the path: never leak it to another site.
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if config["SESSION_COOKIE_SECURE"]:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def _add_headers(response):
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    for name, value in current_app.config["SECURITY_HEADERS"]:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def check_settings(app: Flask) -> None:
    """Fail closed: production starts only with its own secrets and shared services; elsewhere
    a random key is made once under instance/ (there is no public development key)."""
    config = app.config
    if config["PORTAL_ENV"] not in ENVIRONMENTS:
        raise UnsafeSettings(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {config['PORTAL_ENV']!r}")
    if config["PORTAL_ENV"] != "production":
        if not config["SECRET_KEY"]:
            config["SECRET_KEY"] = instance_key(Path(app.instance_path) / "secret_key")
        return
    missing = [name for name in ("SECRET_KEY", "TRUSTED_HOSTS", "MAIL_SERVER") if not config[name]]
    if not urlsplit(config["PORTAL_URL"] or "").netloc:
        missing.append("PORTAL_URL (the address in emailed links, such as https://portal.example.org)")
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        missing.append("RATELIMIT_STORAGE_URI (a store shared by every worker, such as redis://…)")
    if missing:
        raise UnsafeSettings(f"PORTAL_ENV=production needs these settings: {', '.join(missing)}")
    if len(config["SECRET_KEY"]) < 32:
        raise UnsafeSettings("SECRET_KEY must be at least 32 characters (python3 -c 'import secrets; print(secrets.token_hex(32))')")


def instance_key(path: Path) -> str:
    """This installation's own random key, made on first start and kept (readable by its owner only).

    Written whole under another name and linked into place: a process starting at the same
    moment reads either no key (and makes its own, which loses the race) or the whole key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its key is the key
        finally:
            draft.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) != 64:
        raise UnsafeSettings(f"{path} does not hold a key: delete it and start again")
    return key


def init_app(app: Flask) -> None:
    """Before the blueprints are registered (their routes' `int` is RowNumber)."""
    check_settings(app)
    app.url_map.converters["int"] = RowNumber
    if app.config["FORWARDED_PROXIES"]:
        count = app.config["FORWARDED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.config["SECURITY_HEADERS"] = security_headers(app.config)
    app.before_request(_check_request_size)
    # First of all, before CSRF protection reads the form from the body.
    app.before_request_funcs.setdefault(None, []).insert(0, _check_form_encoding)
    app.after_request(_add_headers)
