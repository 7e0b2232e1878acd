"""Kept pages (app/page_cache.py) are served only while they are right: a change made in one
request shows in the next, in every worker, and a reader's 304 never confirms an old page."""
import json
import urllib.request

from sqlalchemy import select

from app.events.models import Event, Page
from app.extensions import db
from app.i18n import I18nText
from app.program import services as program
from app.program.models import Session
from app.registration.models import Registration
from tests.conftest import at, csrf_token, gunicorn, program_changed, registration_form


def edit_page(app, slug: str, english: str) -> None:
    """What a host's edit of a content page does (the console's service will commit the same way)."""
    with app.app_context():
        page = db.session.scalar(select(Page).filter_by(slug=slug))
        page.body = I18nText({**page.body.texts, "en": english})
        db.session.commit()


def versions(app) -> tuple[int, int]:
    with app.app_context():
        event = db.session.scalar(select(Event))
        return event.program_version, event.content_version


def test_an_edited_page_shows_in_the_next_request_and_the_old_etag_is_not_confirmed(app, client, event):
    first = client.get("/en/info")
    assert client.get("/en/info", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    edit_page(app, "info", "## Venue\n\nThe State Palace, Chinggis Square.")
    again = client.get("/en/info", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "The State Palace, Chinggis Square." in again.get_data(as_text=True)
    assert client.get("/mn/info").status_code == 200  # the other language is made afresh too
    edit_page(app, "invitation", "Dear Comrades, the hall has changed.")
    assert "the hall has changed" in client.get("/en/").get_data(as_text=True)


def test_a_moved_deadline_shows_on_the_invitation_at_once(app, client, runner, event):
    assert "Registration deadline: May 8, 2017" in client.get("/en/").get_data(as_text=True)
    assert runner.invoke(args=["portal", "set-deadline", "2017-05-15"]).exit_code == 0
    assert "Registration deadline: May 15, 2017" in client.get("/en/").get_data(as_text=True)


def test_the_content_version_moves_with_the_content_and_not_with_the_program(app, event, make_session, make_delegate):
    session = make_session(capacity=3)
    delegate = make_delegate()
    before = versions(app)
    with app.app_context():
        program.join(db.session.get(Registration, delegate.id), db.session.get(Session, session.id))
        db.session.commit()
    joined = versions(app)
    assert joined[0] > before[0] and joined[1] == before[1]
    with app.app_context():
        db.session.scalar(select(Event)).contact_email = "secretariat@example.org"
        db.session.commit()
    assert versions(app)[1] == joined[1] + 1


def test_program_json_shows_a_join_in_the_next_request(app, client, event, make_session, make_delegate):
    session = make_session(slug="kept", capacity=3)
    delegate = make_delegate()
    seats = lambda: next(s["seats_taken"] for s in json.loads(client.get("/en/program.json").get_data())["sessions"]
                         if s["slug"] == "kept")
    assert seats() == 0
    with app.app_context():
        program.join(db.session.get(Registration, delegate.id), db.session.get(Session, session.id))
        db.session.commit()
    assert seats() == 1


def test_every_worker_shows_an_edit_in_the_next_request(app, event):
    with gunicorn(app, workers=2) as url:
        read = lambda: [urllib.request.urlopen(url + "/en/info").read().decode() for _ in range(12)]
        assert not any("Closed for repairs" in page for page in read())  # both workers keep the page
        edit_page(app, "info", "## Venue\n\nClosed for repairs.")
        assert all("Closed for repairs" in page for page in read())


def test_the_kept_form_carries_each_readers_own_token(app, open_registration):
    first, second = app.test_client(), app.test_client()
    mine, theirs = (csrf_token(c.get("/en/register").get_data(as_text=True)) for c in (first, second))
    assert mine != theirs
    assert "\x00" not in first.get("/en/register").get_data(as_text=True)
    sent = register_with(second, mine)  # someone else's token: refused, nothing stored
    assert sent.status_code == 400
    assert register_with(second, theirs).status_code == 303


def test_the_kept_form_follows_the_deadline(app, client, runner, open_registration):
    assert 'name="given_name"' in client.get("/en/register").get_data(as_text=True)
    assert runner.invoke(args=["portal", "set-deadline", "2017-04-30"]).exit_code == 0
    page = client.get("/en/register").get_data(as_text=True)
    assert 'name="given_name"' not in page and "closed" in page


def register_with(client, token: str):
    return client.post("/en/register", data={**registration_form(), "csrf_token": token})


def test_the_moved_mark_goes_after_its_days_though_the_program_did_not_change(app, client, event, make_session):
    moved = make_session(title="A moved session")
    with app.app_context():
        db.session.get(Session, moved.id).changed_at = at("2017-05-01 10:00")
        program_changed(event)
        db.session.commit()
    app.config["PORTAL_NOW"] = "2017-05-03T10:00:00+08:00"
    assert "Time or room changed" in client.get("/en/program").get_data(as_text=True)
    app.config["PORTAL_NOW"] = "2017-05-05T10:00:00+08:00"  # the kept page of two days ago is not served
    assert "Time or room changed" not in client.get("/en/program").get_data(as_text=True)


def test_a_frame_puts_each_piece_in_its_slot():
    from app.page_cache import TOKEN_SLOT, Frame, fill, slot

    frame = Frame(f"<p>{slot('agenda')}</p><div>{slot(7)}{slot(8)}</div>{slot(7)}")
    assert frame.slots == ["agenda", "7", "8", "7"]
    body = frame.fill({"agenda": "2 sessions", "7": f"<form>{TOKEN_SLOT}</form>", "8": ""})
    assert fill(body, "mine") == "<p>2 sessions</p><div><form>mine</form></div><form>mine</form>"
    assert Frame("<p>no slots</p>").fill({}) == "<p>no slots</p>"


def test_a_full_store_lets_its_oldest_entry_go_first():
    from app.page_cache import PageCache

    store = PageCache(size=3)
    for key in "abcd":
        store.put(key, key.upper())
    assert store.get("a") is None and [store.get(key) for key in "bcd"] == ["B", "C", "D"]
