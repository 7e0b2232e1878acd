"""Only the owner of an address controls a registration: links sign in once and only on a press,
sign-outs end copies of the cookie, no public key exists, and answers reveal no address."""
import os
import stat

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from app.config import ProductionConfig, UnsafeSettings, config_from_environment
from app.security import instance_key
from tests.conftest import csrf_token, database_url, links_in, register, registration_form, use_link


def signed_in(client) -> bool:
    return client.get("/en/me").status_code == 200


def test_a_stranger_who_registered_an_address_first_loses_it_when_the_owner_appears(app, open_registration, mailbox):
    stranger, owner = app.test_client(), app.test_client()
    assert register(stranger, email="victim@example.org").status_code == 303
    assert stranger.get("/en/me/data.json").status_code == 200  # signed in by the form alone
    link = links_in(mailbox.text())[0]  # in the owner's inbox
    assert mailbox.messages[-1]["To"] == "victim@example.org"
    assert use_link(owner, link).headers["Location"] == "/en/me"
    # From now on the stranger's device opens nothing, and can change or erase nothing.
    assert stranger.get("/en/me/data.json").status_code == 303
    assert stranger.get("/en/me").headers["Location"] == "/en/me/link"
    form = owner.get("/en/me/edit").get_data(as_text=True)
    owner.post("/en/me/edit", data=registration_form(csrf_token=csrf_token(form), hotel_needed="y",
                                                     hotel_check_in="2017-05-24", hotel_check_out="2017-05-27",
                                                     room_type="single", accessibility_needs="Step-free room"))
    erase = stranger.post("/en/me/delete", data={"csrf_token": csrf_token(stranger.get("/en/me/link").get_data(as_text=True))})
    assert erase.status_code == 303 and erase.headers["Location"] == "/en/me/link"
    page = owner.get("/en/me").get_data(as_text=True)
    assert "Step-free room" in page and "Your email address was confirmed on" in page


def test_opening_a_link_signs_nobody_in(app, client, open_registration, mailbox):
    register(client)
    link = links_in(mailbox.text())[0]
    scanner = app.test_client()
    page = scanner.get(link)
    assert page.status_code == 200 and "Sign in on this device" in page.get_data(as_text=True)
    assert not signed_in(scanner)
    assert "a•••@example.org" in page.get_data(as_text=True)  # whose registration it opens
    # Someone signed in elsewhere who is sent the link stays who they were, and is warned.
    register(scanner, email="bo@example.org", given_name="Bo")
    assert "This device is signed in as another delegate" in scanner.get(link).get_data(as_text=True)
    assert "Bo García" in scanner.get("/en/me").get_data(as_text=True)
    assert "signed in as another delegate" not in client.get(link).get_data(as_text=True)  # the owner's own device
    # The registering device is still signed in too: nobody proved the address yet.
    assert signed_in(client)


def test_a_link_signs_in_once(app, client, open_registration, mailbox):
    register(client)
    link = links_in(mailbox.text())[0]
    first = app.test_client()
    assert use_link(first, link).status_code == 303 and signed_in(first)
    again = app.test_client()
    page = again.get(link.replace("/en/", "/mn/"))
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Энэ холбоос аль хэдийн ашиглагдсан" in html and 'action="/mn/me/link"' in html
    replayed = again.post(link, data={"csrf_token": csrf_token(again.get("/en/me/link").get_data(as_text=True))})
    assert replayed.status_code == 400 and not signed_in(again)


def test_a_link_post_without_the_form_token_is_refused(app, client, open_registration, mailbox):
    register(client)
    link = links_in(mailbox.text())[0]
    other = app.test_client()
    response = other.post(link.replace("/en/", "/mn/"), data={})
    assert response.status_code == 400 and "lang=\"mn\"" in response.get_data(as_text=True)
    assert not signed_in(other)
    assert use_link(other, link).status_code == 303  # the link was not spent


def test_signing_out_ends_copies_of_the_cookie(app, client, open_registration, mailbox):
    register(client)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert signed_in(copy)
    token = csrf_token(client.get("/en/me").get_data(as_text=True))
    assert client.post("/en/me/signout", data={"csrf_token": token}).status_code == 303
    assert not signed_in(client) and not signed_in(copy)


def test_signing_out_everywhere(app, client, open_registration, mailbox):
    register(client)
    phone, laptop = app.test_client(), app.test_client()
    use_link(phone, links_in(mailbox.text())[0])

    def new_link() -> str:
        token = csrf_token(phone.get("/en/me/link").get_data(as_text=True))
        phone.post("/en/me/link", data={"email": "ana@example.org", "csrf_token": token})
        return links_in(mailbox.text())[0]

    use_link(laptop, new_link())
    unused = new_link()
    assert signed_in(phone) and signed_in(laptop)
    page = phone.get("/en/me").get_data(as_text=True)
    assert 'name="everywhere" value="1"' in page
    phone.post("/en/me/signout", data={"csrf_token": csrf_token(page), "everywhere": "1"})
    assert not signed_in(phone) and not signed_in(laptop)
    assert app.test_client().get(unused).status_code == 400  # links emailed before are void too


def test_the_old_development_key_forges_nothing(app, client, open_registration):
    register(client)
    for key in ("dev-only-not-secret", app.config["SECRET_KEY"]):
        serializer = URLSafeTimedSerializer(key, salt="cookie-session", serializer=SecureCookieSessionInterface.serializer,
                                            signer_kwargs={"key_derivation": "hmac", "digest_method": SecureCookieSessionInterface.digest_method})
        forged = app.test_client()
        forged.set_cookie("session", serializer.dumps({"delegate": [1, 1]}))
        assert forged.get("/en/me/data.json").status_code == 303
        forged.set_cookie("session", serializer.dumps({"delegate": "a" * 43}))
        assert forged.get("/en/me/data.json").status_code == 303


@pytest.mark.parametrize("name", ["prod", "Production", "staging", ""])
def test_an_unknown_environment_refuses_to_start(monkeypatch, name):
    monkeypatch.setenv("PORTAL_ENV", name)
    with pytest.raises(UnsafeSettings, match="PORTAL_ENV must be one of development, testing, production"):
        config_from_environment()


def test_production_refuses_to_start_without_its_secrets_and_shared_services(migrated_database):
    with pytest.raises(UnsafeSettings) as refused:
        create_app(ProductionConfig, {"SECRET_KEY": None, "TRUSTED_HOSTS": None, "MAIL_SERVER": "", "PORTAL_URL": "",
                                      "SQLALCHEMY_DATABASE_URI": database_url(migrated_database)})
    for setting in ("SECRET_KEY", "TRUSTED_HOSTS", "MAIL_SERVER", "RATELIMIT_STORAGE_URI", "PORTAL_URL"):
        assert setting in str(refused.value)
    with pytest.raises(UnsafeSettings, match="at least 32"):
        create_app(ProductionConfig, {"SECRET_KEY": "short", "TRUSTED_HOSTS": ["portal.example.org"],
                                      "MAIL_SERVER": "mail.example.org", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1",
                                      "PORTAL_URL": "https://portal.example.org",
                                      "SQLALCHEMY_DATABASE_URI": database_url(migrated_database)})


def test_development_makes_its_own_key_once(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    key = instance_key(path)
    assert len(key) == 64 and instance_key(path) == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert instance_key(tmp_path / "other" / "secret_key") != key


def test_the_link_form_says_nothing_about_an_address(app, client, open_registration, mailbox):
    register(client)
    asker = app.test_client()
    token = csrf_token(asker.get("/en/me/link").get_data(as_text=True))
    answers = []
    for address in ("ana@example.org", "nobody@example.org"):
        response = asker.post("/en/me/link", data={"email": address, "csrf_token": token})
        page = asker.get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"], page.get_data()))
    assert answers[0] == answers[1]


def test_private_pages_are_kept_by_no_cache(app, client, open_registration):
    register(client)
    for path in ("/en/me", "/en/me/edit", "/en/me/agenda.ics", "/en/me/data.json", "/en/program"):
        assert "no-store" in client.get(path).headers["Cache-Control"], path
    assert "no-store" not in app.test_client().get("/en/program").headers.get("Cache-Control", "")


def test_healthz_waits_for_the_schema(tmp_path):
    from tests.conftest import dispose, make_app

    app = make_app(tmp_path / "empty.sqlite3")
    response = app.test_client().get("/healthz")
    dispose(app)
    assert response.status_code == 503


def test_logs_carry_the_request_id_and_no_address(app, client, open_registration, mailbox, capfd):
    from tests.conftest import free_port

    app.config["MAIL_PORT"] = free_port()  # the mail server is down: the sender logs the failure
    response = register(client, email="private.person@example.org")
    mailbox.deliver()
    logged = capfd.readouterr().err
    assert "not sent" in logged and "private.person" not in logged and response.status_code == 303
    app.config["MAIL_PORT"] = free_port()
    asker = app.test_client()
    token = csrf_token(asker.get("/en/me/link").get_data(as_text=True))
    with app.test_request_context(headers={"X-Request-ID": "edge-1234"}):
        app.logger.warning("a line in a request")
    assert "[edge-1234] a line in a request" in capfd.readouterr().err
    asker.post("/en/me/link", data={"email": "private.person@example.org", "csrf_token": token})
    mailbox.deliver()
    assert "private.person" not in capfd.readouterr().err


def test_a_link_from_another_portal_or_mangled_signs_nobody_in(app, client, open_registration, mailbox):
    """A link signed by another installation (the next conference, say), doubled or cut short."""
    register(client)
    link = links_in(mailbox.text())[0]
    token = link.rsplit("/", 1)[1]
    elsewhere = URLSafeTimedSerializer("another portal's key", salt="delegate-link").dumps([1, "0" * 16, 1, "a" * 16])
    other = app.test_client()
    for bad in (f"/mn/me/link/{elsewhere}", f"/mn/me/link/{token}{token}", f"/mn/me/link/{token[:20]}"):
        response = other.get(bad)
        assert response.status_code == 400 and 'action="/mn/me/link"' in response.get_data(as_text=True)
    assert other.get(f"/mn/me/link/{token}/{token}").status_code == 404
    assert not signed_in(other)


@pytest.mark.parametrize("field, value", [("email", "second@example.org"), ("country", "XX"), ("country", "ES")])
def test_a_field_sent_twice_is_refused_and_nothing_stored(app, client, open_registration, field, value):
    from werkzeug.datastructures import MultiDict

    from app.registration.models import Registration

    page = client.get("/mn/register").get_data(as_text=True)
    form = MultiDict(registration_form(csrf_token=csrf_token(page)))
    form.add(field, value)
    response = client.post("/mn/register", data=form)
    assert response.status_code == 422
    assert "Энэ талбарыг хоёр удаа илгээсэн байна" in response.get_data(as_text=True)
    with app.app_context():
        from app.extensions import db

        assert db.session.query(Registration).count() == 0
