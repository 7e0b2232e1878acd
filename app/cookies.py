"""The session cookie and the form token: Flask's and Flask-WTF's own formats, signed for less.

A first visit to a form makes both: a session holding the secret half of the form token, and the
signed token. Flask builds the session's serializer afresh on every request and Flask-WTF the
token's on every token (each build serialises an empty dict to learn its output type); itsdangerous
then derives the key again for every signature, tries to compress forty bytes, and computes the
HMAC through Python's hmac objects. Measured in bench/costs.py, that was a third of the time of the
blank registration form. Here the keys are derived once per secret, and plain values (text,
numbers, true and false: every value the portal stores in a session) are signed directly; what
is written is what itsdangerous writes for an uncompressed payload, so Flask and Flask-WTF read
it unchanged (tests/test_cookies.py checks both ways). Any other value goes through Flask's own
serializer.
"""
import hashlib
import hmac
import json
import os
import time

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, int_to_bytes

from .extensions import csrf
from .htmx import add_vary

TOKEN_SALT = "wtf-csrf-token"  # Flask-WTF's, which checks the token
PLAIN = (str, int, float, bool, type(None))


class QuickSigner:
    """Signs JSON as itsdangerous's URLSafeTimedSerializer does (a payload, a timestamp, an HMAC,
    each in URL-safe base64, joined by dots), with the serializer's key derived once."""

    def __init__(self, serializer: URLSafeTimedSerializer):
        signer = serializer.make_signer()
        self.key = signer.derive_key()  # from the newest secret, as itsdangerous signs
        self.digest = signer.digest_method
        self.serializer = serializer

    def dumps(self, value) -> str:
        payload = base64_encode(json.dumps(value, separators=(",", ":")).encode())
        signed = payload + b"." + base64_encode(int_to_bytes(int(time.time())))
        return (signed + b"." + base64_encode(hmac.digest(self.key, signed, self.digest))).decode()


def plain(data: dict) -> bool:
    """Whether Flask's tagged JSON writes `data` as plain JSON: text keys that are not tags (these
    begin with a space), and plain values."""
    return all(type(key) is str and not key.startswith(" ") and type(value) in PLAIN for key, value in data.items())


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, its serializer and key kept while the secrets stay the same."""

    def __init__(self):
        self._kept: tuple[tuple, QuickSigner | None] = ((), None)

    def quick_signer(self, app: Flask) -> QuickSigner | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._kept[0] != keys:
            serializer = super().get_signing_serializer(app)
            self._kept = (keys, QuickSigner(serializer) if serializer else None)
        return self._kept[1]

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        signer = self.quick_signer(app)
        return signer.serializer if signer else None

    def save_session(self, app: Flask, session, response) -> None:
        """Flask's, with `Vary: Cookie` added as a string (see htmx.add_vary) and plain data signed
        by the quick signer."""
        if session.accessed:
            add_vary(response, ["Cookie"])
        cookie = dict(domain=self.get_cookie_domain(app), path=self.get_cookie_path(app),
                      secure=self.get_cookie_secure(app), partitioned=self.get_cookie_partitioned(app),
                      samesite=self.get_cookie_samesite(app), httponly=self.get_cookie_httponly(app))
        if not session:  # emptied: the cookie goes; never set: none is sent
            if session.modified:
                response.delete_cookie(self.get_cookie_name(app), **cookie)
            return
        if self.should_set_cookie(app, session):
            data = dict(session)
            signer = self.quick_signer(app)
            value = signer.dumps(data) if plain(data) else signer.serializer.dumps(data)
            response.set_cookie(self.get_cookie_name(app), value, expires=self.get_expiration_time(app, session),
                                **cookie)


def form_token() -> str:
    """The reader's form token, as Flask-WTF's generate_csrf makes it: the secret half in their
    session, made on first need; signed once a request."""
    config = current_app.config
    field = config["WTF_CSRF_FIELD_NAME"]
    token = g.get(field)
    if token is None:
        if not isinstance(session.get(field), str):
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        token = token_signer(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key).dumps(session[field])
        setattr(g, field, token)
    return token


_token_signers: dict[str, QuickSigner] = {}


def token_signer(key: str) -> QuickSigner:
    """The form token's signer for this secret (Flask-WTF's salt and serializer)."""
    signer = _token_signers.get(key)
    if signer is None:
        signer = _token_signers[key] = QuickSigner(URLSafeTimedSerializer(key, salt=TOKEN_SALT))
    return signer


def _check_form_token():
    config = current_app.config
    if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


def init_app(app: Flask) -> None:
    """After CSRFProtect.init_app: templates' csrf_token() is form_token, a global rather than
    Flask-WTF's context processor (which made a dict for every template rendered)."""
    app.session_interface = SessionCookies()
    # Flask-WTF's own check looks for exempt views before it looks at the method: this one looks at
    # the method first, so that a GET does not pay for the check it does not need.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(_check_form_token)
    processors = app.template_context_processors[None]
    processors[:] = [p for p in processors if p.__module__ != "flask_wtf.csrf"]
    app.jinja_env.globals["csrf_token"] = form_token
