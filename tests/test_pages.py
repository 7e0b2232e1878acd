"""The invitation and the technical details, in both languages, from the event's own content."""
from app import create_app
from app.extensions import db
from app.events.models import Event, Page
from app.i18n import I18nText
from tests.conftest import TestConfig


def test_invitation_in_english(client, event):
    html = client.get("/en/").get_data(as_text=True)
    assert "<h1 id=\"event-title\">Progressive Alliance Conference</h1>" in html
    assert "Social Justice and Sustainability for a Fair and Prosperous World" in html
    assert "May 25\u2009–\u200926, 2017" in html
    assert "Registration deadline: May 8, 2017" in html
    assert "Dear Comrades, dear Friends," in html
    assert "Konstantin Woinoff" in html


def test_invitation_in_mongolian(client, event):
    html = client.get("/mn/").get_data(as_text=True)
    assert "Прогрессив Аллиансын бага хурал" in html
    assert "2017 оны тавдугаар сарын 25–26" in html
    # Babel keeps «2017 оны» together with a narrow no-break space.
    assert "Бүртгэлийн эцсийн хугацаа: 2017\u202fоны тавдугаар сарын 8" in html
    assert "Эрхэм нөхөд" in html
    assert "Dear Comrades" not in html


def test_information_page_in_both_languages(client, event):
    en = client.get("/en/info").get_data(as_text=True)
    mn = client.get("/mn/info").get_data(as_text=True)
    assert "<h1 id=\"page-title\">Venue and travel</h1>" in en
    assert "Chinggis Khaan International Airport" in en
    assert "<h1 id=\"page-title\">Хэрэгцээт мэдээлэл</h1>" in mn
    assert "Чингис хаан олон улсын нисэх буудал" in mn
    # Draft content is marked as such for the reader.
    assert "<blockquote>" in en and "<blockquote>" in mn


def test_a_missing_translation_falls_back_and_says_its_language(app, client, event):
    with app.app_context():
        page = db.session.scalar(db.select(Page).filter_by(slug="info"))
        page.body = I18nText({"en": "## Venue\n\nTo be announced."})
        db.session.commit()
    html = client.get("/mn/info").get_data(as_text=True)
    assert '<div lang="en">' in html
    assert "To be announced." in html


def test_content_markup_is_escaped(app, client, event):
    with app.app_context():
        page = db.session.scalar(db.select(Page).filter_by(slug="info"))
        page.body = I18nText({"en": '<script>alert(1)</script>\n\n[x](javascript:alert(1))'})
        db.session.commit()
    html = client.get("/en/info").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_event_dates_follow_the_event(app, client, event):
    with app.app_context():
        stored = db.session.get(Event, event)
        stored.ends_on = stored.starts_on
        db.session.commit()
    assert "May 25, 2017" in client.get("/en/").get_data(as_text=True)


def test_healthz_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "oldest_unsent_email_seconds": None}


def test_healthz_when_the_database_does_not(tmp_path):
    from tests.conftest import dispose, make_app

    app = make_app(tmp_path / "missing" / "dir" / "portal.sqlite3")
    response = app.test_client().get("/healthz")
    dispose(app)
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}


def test_pages_without_an_event_say_the_portal_is_not_ready(client):
    response = client.get("/mn/")
    assert response.status_code == 503
    assert '<html lang="mn">' in response.get_data(as_text=True)


def test_privacy_notice_in_both_languages(client, event):
    en = client.get("/en/privacy").get_data(as_text=True)
    mn = client.get("/mn/privacy").get_data(as_text=True)
    assert '<h1 id="page-title">Privacy notice</h1>' in en and "Passport" in en
    assert '<h1 id="page-title">Нууцлалын мэдэгдэл</h1>' in mn and "паспорт" in mn.lower()


def test_a_database_that_does_not_answer_gets_a_503_in_the_readers_language(tmp_path):
    """SQLite cannot open a file in a folder that does not exist: the same error as a database
    server that is restarting (tests/production/ restarts a real PostgreSQL)."""
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/portal.sqlite3",
                                  "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    page = client.get("/mn/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "өгөгдлийн сан" in page.get_data(as_text=True)
    sent = client.post("/en/register", data={"given_name": "Ana", "email": "ana@example.org"})
    assert sent.status_code == 503
    assert "cannot reach its database" in sent.get_data(as_text=True) and "Nothing was changed" in sent.get_data(as_text=True)
