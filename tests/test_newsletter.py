"""«Stay informed»: double opt-in by email in the subscriber's language, unsubscribe in every message."""
import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.mail import OutboxMessage
from app.newsletter import services
from app.newsletter.models import Subscriber
from app.timestamps import utcnow
from app.web import newsletter as newsletter_views
from tests.conftest import csrf_token, free_port, links_in


def subscribe(client, lang="en", **fields):
    token = csrf_token(client.get(f"/{lang}/subscribe").get_data(as_text=True))
    data = {"email": "ana@example.org", "language": lang, "csrf_token": token, **fields}
    return client.post(f"/{lang}/subscribe", data=data)


def subscribers(app):
    with app.app_context():
        return db.session.scalars(select(Subscriber).order_by(Subscriber.id)).all()


def test_the_form_is_in_the_readers_language(client, event):
    html = client.get("/mn/subscribe").get_data(as_text=True)
    assert "<h1>Шинэ мэдээ авах</h1>" in html
    assert 'autocomplete="email"' in html


def test_signing_up_sends_a_confirmation_in_the_chosen_language(app, client, event, mailbox):
    response = subscribe(client, lang="en", email="Ana@Example.org", language="mn")
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/subscribe/sent"
    [message] = mailbox.messages
    assert message["To"] == "Ana@example.org"
    assert message["Subject"] == "Захиалгаа баталгаажуулна уу"
    assert "Прогрессив Аллиансын бага хурал" in mailbox.text()
    assert message["List-Unsubscribe"].startswith("<http://localhost/mn/unsubscribe/")
    [subscriber] = subscribers(app)
    assert (subscriber.status, subscriber.language, subscriber.email_key) == ("pending", "mn", "ana@example.org")


def test_the_emailed_link_confirms_after_a_press(app, client, event, mailbox):
    subscribe(client)
    confirm_link = links_in(mailbox.text())[0]
    page = client.get(confirm_link)
    assert page.status_code == 200
    # Opening the link (a mail scanner does) confirms nothing by itself.
    assert subscribers(app)[0].status == "pending"
    response = client.post(confirm_link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert "Your subscription is confirmed" in response.get_data(as_text=True)
    assert subscribers(app)[0].status == "confirmed"
    # Replaying the link changes nothing.
    assert client.post(confirm_link, data={"csrf_token": csrf_token(page.get_data(as_text=True))}).status_code == 200
    assert subscribers(app)[0].status == "confirmed"


def test_one_click_unsubscribe_from_any_message(app, client, event, mailbox):
    subscribe(client)
    unsubscribe_link = links_in(mailbox.text())[-1]
    assert "/unsubscribe/" in unsubscribe_link
    assert client.get(unsubscribe_link).status_code == 200
    assert subscribers(app)[0].status == "pending"
    # Mail clients post here without a form (RFC 8058).
    response = client.post(unsubscribe_link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert subscribers(app)[0].status == "unsubscribed"


def test_a_confirmed_address_is_not_mailed_again_and_nothing_is_revealed(app, client, event, mailbox):
    subscribe(client)
    with app.app_context():
        services.confirm(db.session.get(Subscriber, subscribers(app)[0].id))
        db.session.commit()
    response = subscribe(client, email="ANA@example.org")
    assert response.status_code == 303
    assert len(mailbox.messages) == 1
    assert len(subscribers(app)) == 1


@pytest.mark.parametrize("token", ["nonsense", "a.b.c", "x" * 500, "%00", "Иш"])
def test_forged_links_are_a_clear_400(client, event, token):
    response = client.get(f"/mn/subscribe/confirm/{token}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Энэ холбоосын хугацаа дууссан эсвэл холбоос буруу байна." in html
    assert 'href="/mn/subscribe"' in html


def test_a_link_for_an_unsubscribe_does_not_confirm(app, client, event, mailbox):
    subscribe(client)
    unsubscribe_token = links_in(mailbox.text())[-1].rsplit("/", 1)[1]
    assert client.get(f"/en/subscribe/confirm/{unsubscribe_token}").status_code == 400


def test_an_expired_confirmation_is_refused(client, event, mailbox, monkeypatch):
    subscribe(client)
    monkeypatch.setattr(newsletter_views, "CONFIRM_MAX_AGE", -1)
    assert client.get(links_in(mailbox.text())[0]).status_code == 400


@pytest.mark.parametrize(
    "email",
    ["", "   ", "not-an-address", "<script>alert(1)</script>@x.org", "a@b", "x" * 250 + "@example.org",
     "ana@exa\x00mple.org", "\u202eana@example.org", "ana@example.org'; DROP TABLE subscribers;--"],
)
def test_bad_addresses_get_a_422_in_the_readers_language(app, client, event, email):
    response = subscribe(client, lang="mn", email=email)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Доорх алдааг засна уу." in html
    assert 'aria-invalid="true"' in html
    assert "<script>alert(1)" not in html
    assert subscribers(app) == []


def test_an_unknown_language_choice_is_refused(app, client, event):
    assert subscribe(client, language="xx").status_code == 422
    assert subscribers(app) == []


def test_a_forged_csrf_token_is_refused(app, client, event):
    response = client.post("/mn/subscribe", data={"email": "ana@example.org", "language": "mn", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Маягтын хугацаа дууссан" in response.get_data(as_text=True)
    assert subscribers(app) == []


def test_htmx_gets_fragments(client, event, mailbox):
    headers = {"HX-Request": "true"}
    token = csrf_token(client.get("/en/subscribe").get_data(as_text=True))
    invalid = client.post("/en/subscribe", data={"email": "nope", "language": "en", "csrf_token": token}, headers=headers)
    assert invalid.status_code == 422
    assert invalid.get_data(as_text=True).lstrip().startswith("<form")
    assert "HX-Request" in invalid.headers["Vary"]
    ok = client.post("/en/subscribe", data={"email": "ana@example.org", "language": "en", "csrf_token": token}, headers=headers)
    assert ok.status_code == 200
    assert "Please check your inbox" in ok.get_data(as_text=True)
    assert "<html" not in ok.get_data(as_text=True)


def test_a_mail_server_that_is_down_loses_nothing(app, client, event, mailbox):
    server = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=free_port())  # nobody answers there
    response = subscribe(client)
    assert response.status_code == 303 and len(subscribers(app)) == 1
    assert "Please check your inbox" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert mailbox.deliver() == 0  # refused: it waits in the outbox
    app.config.update(MAIL_PORT=server)
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))  # its retry is due
        db.session.commit()
    assert [m["To"] for m in mailbox.messages] == ["ana@example.org"]
    assert mailbox.deliver() == 0 and len(mailbox.messages) == 1  # once


def test_sign_ups_are_rate_limited(migrated_database, tmp_path):
    from tests.conftest import copy_database, dispose, drop_database, make_app
    from app.program.content import load_demo

    database = copy_database(migrated_database, tmp_path)
    app = make_app(database, RATELIMIT_ENABLED=True, MAIL_OUTBOX=tmp_path / "outbox")
    with app.app_context():
        load_demo(app.config["DEMO_CONTENT"])
        db.session.commit()
    client = app.test_client()
    statuses = [subscribe(client, lang="mn", email=f"p{i}@example.org").status_code for i in range(12)]
    limited = subscribe(client, lang="mn")
    dispose(app)
    drop_database(database)
    assert statuses[:10] == [303] * 10
    assert statuses[-1] == 429
    assert "Хэт олон удаа оролдлоо" in limited.get_data(as_text=True)


def test_the_newsletter_box_on_the_delegates_form(app, event):
    """Ticked, it subscribes with a confirmation to send; unticked, it unsubscribes; as it stands, nothing."""
    from app.events.models import Event

    with app.app_context():
        ev = db.session.get(Event, event)
        assert not services.is_subscribed(ev, "ana@example.org")
        assert services.choose(ev, "ana@example.org", "mn", wanted=False) is None
        assert services.find(ev, "ana@example.org") is None
        pending = services.choose(ev, "Ana@example.org", "mn", wanted=True)
        assert (pending.status, pending.language) == ("pending", "mn")
        assert services.is_subscribed(ev, "ANA@example.org")
        assert services.choose(ev, "ana@example.org", "mn", wanted=True) is None  # pending already: no second email
        assert services.choose(ev, "ana@example.org", "mn", wanted=False) is None
        assert services.find(ev, "ana@example.org").status == "unsubscribed"
        assert not services.is_subscribed(ev, "ana@example.org")
        assert services.choose(ev, "ana@example.org", "en", wanted=True).status == "pending"  # asks again
