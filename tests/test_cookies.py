"""The session cookie and the form token (app/cookies.py): signed for less, read as Flask and
Flask-WTF read them, and refused when forged."""
import re
from datetime import datetime, timezone

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import validate_csrf

from app import create_app
from app.cookies import SessionCookies, plain
from tests.conftest import TestConfig, csrf_token, dispose, register


def flask_reads(secret: str, cookie: str, fallbacks=()) -> dict:
    """The session as Flask's own interface reads `cookie` (an empty dict when it refuses it)."""
    reader = Flask("reader")
    reader.secret_key = secret
    reader.config["SECRET_KEY_FALLBACKS"] = list(fallbacks)
    serializer = SecureCookieSessionInterface().get_signing_serializer(reader)
    try:
        return serializer.loads(cookie)
    except Exception:
        return {}


def session_cookie(response) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            return header.split(";")[0].removeprefix("session=")
    raise AssertionError("no session cookie")


def test_a_first_visit_to_the_form_gets_a_cookie_and_token_flask_and_flask_wtf_accept(app, client, open_registration):
    response = client.get("/en/register")
    token = csrf_token(response.get_data(as_text=True))
    stored = flask_reads(app.secret_key, session_cookie(response))
    assert re.fullmatch(r"[0-9a-f]{40}", stored["csrf_token"])
    with app.test_request_context("/en/register"):
        from flask import session

        session["csrf_token"] = stored["csrf_token"]
        validate_csrf(token)  # raises when Flask-WTF refuses it
    assert response.headers["Vary"].endswith("Cookie") and response.headers["Vary"].count("Cookie") == 1
    assert register(client).status_code == 303  # and the form goes through with them


def test_a_cookie_flask_signed_is_read_and_a_forged_one_is_not(app, open_registration):
    flask_own = SecureCookieSessionInterface().get_signing_serializer(app)
    raw = "f" * 40
    long_value = "compressible " * 40  # Flask compresses this payload: the portal reads that form too
    cases = {"flask": flask_own.dumps({"csrf_token": raw, "note": long_value}),
             "forged": flask_reads_other_key(raw)}
    read = {}
    for name, cookie in cases.items():
        client = app.test_client()
        client.set_cookie("session", cookie)
        with client:
            client.get("/en/register")
            from flask import session

            read[name] = session.get("csrf_token")
    assert read["flask"] == raw
    assert read["forged"] != raw  # ignored: the form made the visitor a token of their own


def flask_reads_other_key(raw: str) -> str:
    other = Flask("other")
    other.secret_key = "another-secret"
    return SecureCookieSessionInterface().get_signing_serializer(other).dumps({"csrf_token": raw})


def other_app(app, **settings):
    """The portal on the same database with other settings (another worker, after a change of secret)."""
    return create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                   "PORTAL_NOW": app.config["PORTAL_NOW"], **settings})


def test_a_form_sent_with_a_token_from_another_key_is_refused_in_the_readers_language(app, open_registration):
    client = app.test_client()
    client.get("/mn/register")
    forged = other_app(app, SECRET_KEY="another-secret")
    with forged.test_request_context("/mn/register"):
        from app.cookies import form_token

        token = form_token()
    dispose(forged)
    response = register(client, lang="mn", csrf_token=token)
    assert response.status_code == 400
    assert "Маягтын хугацаа дууссан" in response.get_data(as_text=True)
    with app.app_context():
        from app.registration.models import Registration
        from app.extensions import db

        assert db.session.query(Registration).count() == 0


def test_a_delegate_stays_signed_in_when_the_secret_is_rotated(app, open_registration):
    client = app.test_client()
    assert register(client).status_code == 303
    cookie = client.get_cookie("session").value
    rotated = other_app(app, SECRET_KEY="rotated-secret", SECRET_KEY_FALLBACKS=[app.secret_key])
    retired = other_app(app, SECRET_KEY="rotated-secret")  # the old secret no longer trusted
    pages = {}
    for name, portal in {"rotated": rotated, "retired": retired}.items():
        reader = portal.test_client()
        reader.set_cookie("session", cookie)
        pages[name] = reader.get("/en/me")
    newcomer = session_cookie(rotated.test_client().get("/en/register"))
    for portal in (rotated, retired):
        dispose(portal)
    assert pages["rotated"].status_code == 200 and "Ana" in pages["rotated"].get_data(as_text=True)
    assert pages["retired"].status_code == 303  # to «send me a new link»
    # What the rotated portal signs, it signs with the new secret only.
    assert flask_reads("rotated-secret", newcomer) and not flask_reads(app.secret_key, newcomer)


def test_only_plain_values_take_the_quick_path():
    assert plain({"csrf_token": "a" * 40, "delegate": "b" * 43, "_fresh": True, "_permanent": True, "n": 3})
    assert not plain({" t": "looks like a tag"})
    assert not plain({"when": datetime(2017, 5, 25, tzinfo=timezone.utc)})
    assert not plain({"pair": (1, 2)})


def test_values_flask_tags_keep_their_types(app):
    cookies = SessionCookies()
    with app.test_request_context("/"):
        from flask import session

        session["pair"] = (1, 2)
        session["csrf_token"] = "c" * 40
        response = app.response_class("")
        cookies.save_session(app, session, response)
    assert flask_reads(app.secret_key, session_cookie(response)) == {"pair": (1, 2), "csrf_token": "c" * 40}
