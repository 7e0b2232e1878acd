"""Content texts per language, the demo content folder, and dates in the reader's language.

The demo tests here are about the demo content itself (content/progressive-alliance-2017): that
it loads, and that its program is served as the contract says. They read the demo on purpose and
name none of its sessions; every other test builds the sessions it relies on (tests/conftest.py).
"""
import json
import tomllib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from app.events.content import ContentError, read_event
from app.program.content import load_demo
from app.events.models import Event
from app.extensions import db
from app.i18n import I18nText
from app.i18n.formatting import date_range


def test_text_in_the_readers_language():
    text = I18nText({"en": "Program", "mn": "Хөтөлбөр"})
    picked = text.get("mn", fallback="en")
    assert (picked.text, picked.lang) == ("Хөтөлбөр", "mn")


def test_text_falls_back_to_the_main_language_then_to_any():
    assert text_and_lang(I18nText({"en": "Program", "mn": "  "}), "mn", "en") == ("Program", "en")
    assert text_and_lang(I18nText({"mn": "Хөтөлбөр"}), "fr", "en") == ("Хөтөлбөр", "mn")
    assert text_and_lang(I18nText({}), "mn", "en") == ("", "mn")


def test_text_knows_what_it_lacks():
    assert I18nText({"en": "x", "mn": ""}).missing(["en", "mn"]) == ["mn"]


def text_and_lang(text, lang, fallback):
    picked = text.get(lang, fallback)
    return picked.text, picked.lang


def test_demo_content_has_every_page_in_both_languages(app):
    event = read_event(app.config["DEMO_CONTENT"])
    assert event.starts_on == date(2017, 5, 25) and event.ends_on == date(2017, 5, 26)
    assert event.timezone == "Asia/Ulaanbaatar"
    assert event.registration_closes_on == date(2017, 5, 8)
    for field in (event.name, event.theme, event.city, event.hosted_by):
        assert field.missing(["en", "mn"]) == []
    assert [p.slug for p in event.pages] == ["invitation", "info", "privacy"]
    for page in event.pages:
        assert page.title.missing(["en", "mn"]) == []
        assert page.body.missing(["en", "mn"]) == []


def test_registration_closes_at_the_end_of_the_deadline_day_in_ulaanbaatar(app):
    event = read_event(app.config["DEMO_CONTENT"])
    ub = ZoneInfo("Asia/Ulaanbaatar")
    assert event.registration_is_open(datetime(2017, 5, 8, 23, 59, 59, tzinfo=ub))
    assert not event.registration_is_open(datetime(2017, 5, 9, 0, 0, 0, tzinfo=ub))
    # 16:30 UTC on 8 May is already 00:30 on 9 May in Ulaanbaatar.
    assert not event.registration_is_open(datetime(2017, 5, 8, 16, 30, tzinfo=ZoneInfo("UTC")))


def test_load_demo_fills_an_empty_database_only(app):
    with app.app_context():
        first = load_demo(app.config["DEMO_CONTENT"])
        first.contact_email = "changed@example.org"
        db.session.commit()
        assert load_demo(app.config["DEMO_CONTENT"]) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 1
        assert db.session.scalar(db.select(Event.contact_email)) == "changed@example.org"


def test_the_demo_program_loads_and_follows_the_contract(app, client, demo_event):
    source = tomllib.loads((app.config["DEMO_CONTENT"] / "program.toml").read_text(encoding="utf-8"))
    data = json.loads(client.get("/en/program.json").get_data(as_text=True))
    assert data["event"]["timezone"] == "Asia/Ulaanbaatar"
    assert sorted(s["slug"] for s in data["sessions"] + data["breaks"]) == sorted(s["slug"] for s in source["sessions"])
    for session in data["sessions"]:
        assert {"slug", "title", "kind", "starts_at", "ends_at", "room", "capacity", "seats_taken", "waitlist",
                "signup"} <= set(session), session["slug"]
        assert session["kind"] in ("plenary", "breakout", "meeting") and session["title"], session["slug"]
        assert session["signup"] in ("none", "open", "closed", "invitation"), session["slug"]
        assert session["signup"] == "none" or isinstance(session["capacity"], int), session["slug"]
        assert session["starts_at"] < session["ends_at"], session["slug"]
    for lang in ("en", "mn"):
        assert client.get(f"/{lang}/program").status_code == 200


def test_a_page_without_its_main_language_is_refused(tmp_path, app):
    folder = tmp_path / "event"
    folder.mkdir()
    source = app.config["DEMO_CONTENT"]
    (folder / "event.toml").write_text((source / "event.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "invitation.mn.md").write_text("Сайн байна уу", encoding="utf-8")
    with pytest.raises(ContentError, match="invitation.en.md"):
        read_event(folder)


@pytest.mark.parametrize(
    "lang, expected",
    [("en", "May 25\u2009–\u200926, 2017"), ("mn", "2017 оны тавдугаар сарын 25–26")],
)
def test_event_dates_in_the_readers_language(app, lang, expected):
    with app.test_request_context(), force_locale(lang):
        assert date_range(date(2017, 5, 25), date(2017, 5, 26)) == expected
