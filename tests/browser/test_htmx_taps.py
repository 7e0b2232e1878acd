"""Taps in a row without a reload: join, leave, join again, on the program page and on a session's
own page. Each answer fits the page it lands on: on the session's page the card has no heading
of its own (the page's h1 names the session), and htmx never looks for cards that are not there."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.events.models import Event
from app.extensions import db
from app.i18n import I18nText
from app.program.models import Session
from tests.browser.conftest import register_in

UB = ZoneInfo("Asia/Ulaanbaatar")
BUTTONS = {
    "en": {"join": "Join", "leave": "Leave this session"},
    "mn": {"join": "Оролцох", "leave": "Оролцохоо цуцлах"},
}


@pytest.fixture(scope="module")
def two_sessions_at_once(live_server):
    """Two open breakouts at the same hour, made for these tests."""
    with live_server.app.app_context():
        event = db.session.scalars(select(Event).order_by(Event.id)).first()
        for slug, title in (("tap-first", "Tapping first"), ("tap-beside", "Tapping beside")):
            db.session.add(Session(
                event_id=event.id, slug=slug, kind="breakout", signup="open", capacity=20,
                title=I18nText({"en": title, "mn": f"{title} (мн)"}), description=I18nText({}), speakers=I18nText({}),
                starts_at=datetime(2017, 5, 26, 16, tzinfo=UB), ends_at=datetime(2017, 5, 26, 17, tzinfo=UB)))
        db.session.execute(update(Event).values(program_version=Event.program_version + 1))
        db.session.commit()
    return "tap-first"


@pytest.mark.parametrize("where", ["program", "session"])
@pytest.mark.parametrize("lang", ["en", "mn"])
def test_join_leave_and_join_again_without_reloading(page, live_server, two_sessions_at_once, lang, where):
    errors = []

    def console(message):
        # The CDN is unreachable on purpose (the local htmx loads instead): only other errors count.
        if message.type == "error" and not message.location.get("url", "").startswith("https://cdn.jsdelivr.net/"):
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    slug = two_sessions_at_once
    register_in(page, live_server, f"taps.{where}.{lang}@example.org", lang)
    address = f"/{lang}/program" if where == "program" else f"/{lang}/program/{slug}"
    page.goto(live_server.url + address)
    card = page.locator(f"#session-{slug}")
    words = BUTTONS[lang]
    for button, then in (("join", "leave"), ("leave", "join"), ("join", "leave")):
        card.get_by_role("button", exact=True, name=words[button]).click()
        expect(card.get_by_role("button", exact=True, name=words[then])).to_be_visible()
        if where == "session":
            expect(page.locator("h1")).to_have_count(1)
            expect(card.locator("h1, h2, h3")).to_have_count(0)
            expect(page.locator("#session-tap-beside")).to_have_count(0)
        else:
            expect(card.locator("h3")).to_have_count(1)
            expect(page.locator("#session-tap-beside")).to_have_count(1)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # never reloaded
    assert page.url == live_server.url + address
    assert errors == []
