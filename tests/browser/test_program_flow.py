"""The program on a phone: joining, leaving, switching and the waitlist, with and without JavaScript.

The live portal holds the demo event; each test adds the sessions it taps (`breakouts`) and removes
them after, so that neither the demo's program nor another test's seats change what it sees."""
import itertools

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from app.events.models import Event
from app.extensions import db
from app.program.models import Seat, Session
from tests.browser.conftest import PHONE, axe_violations, register_in
from tests.conftest import at, build_session, program_changed

SERIAL = itertools.count(1)

WORDS = {
    "en": {"register": "Register", "join": "Join", "leave": "Leave this session", "seat": "You have a seat.",
           "switch": "Switch to this session", "waitlist": "Join the waiting list", "waiting": "waiting list"},
    "mn": {"register": "Бүртгүүлэх", "join": "Оролцох", "leave": "Оролцохоо цуцлах",
           "seat": "Та энэ хуралдаанд бүртгэгдсэн байна.", "switch": "Энэ хуралдаанд шилжих",
           "waitlist": "Хүлээлгийн жагсаалтад орох", "waiting": "хүлээлгийн жагсаалтад"},
}


def sign_up(page, live_server, email, lang):
    register_in(page, live_server, email, lang, country="TW", phone="+886 912 345 678")


def card(page, slug):
    return page.locator(f"#session-{slug}")


@pytest.fixture
def breakouts(live_server):
    """breakouts(*capacities) -> their slugs: open breakouts at the same time (7:00 on 25 May),
    in the live portal's event for this test only."""
    made = []

    def make(*capacities):
        slugs = []
        with live_server.app.app_context():
            event = db.session.scalars(select(Event).order_by(Event.id)).first()
            for capacity in capacities:
                number = next(SERIAL)
                slugs.append(build_session(
                    event, slug=f"flow-{number}", capacity=capacity, starts_at=at("2017-05-25 07:00"),
                    title={"en": f"Breakout {number}", "mn": f"Салбар хуралдаан {number}"}).slug)
            db.session.commit()
        made.extend(slugs)
        return slugs

    yield make
    with live_server.app.app_context():
        ids = select(Session.id).where(Session.slug.in_(made))
        db.session.execute(delete(Seat).where(Seat.session_id.in_(ids)))
        event_id = db.session.scalars(select(Session.event_id).where(Session.slug.in_(made))).first()
        db.session.execute(delete(Session).where(Session.slug.in_(made)))
        if event_id is not None:
            program_changed(event_id)
        db.session.commit()


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_join_switch_and_leave_with_htmx(page, live_server, breakouts, lang):
    first, second = breakouts(40, 40)
    sign_up(page, live_server, f"program.{lang}@example.org", lang)
    page.goto(f"{live_server.url}/{lang}/program")
    assert axe_violations(page) == []
    card(page, first).get_by_role("button", exact=True, name=WORDS[lang]["join"]).click()
    expect(card(page, first)).to_contain_text(WORDS[lang]["seat"])
    expect(page.locator("#agenda-count")).to_contain_text("1")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    # The parallel session offers a switch, and the switch frees the first seat.
    page.reload()
    card(page, second).get_by_role("button", exact=True, name=WORDS[lang]["switch"]).click()
    expect(card(page, second)).to_contain_text(WORDS[lang]["seat"])
    page.reload()
    expect(card(page, first).get_by_role("button", exact=True, name=WORDS[lang]["switch"])).to_be_visible()
    card(page, second).get_by_role("button", exact=True, name=WORDS[lang]["leave"]).click()
    expect(card(page, second).get_by_role("button", exact=True, name=WORDS[lang]["join"])).to_be_visible()
    page.reload()
    expect(card(page, first).get_by_role("button", exact=True, name=WORDS[lang]["join"])).to_be_visible()
    assert axe_violations(page) == []


def test_join_and_leave_without_javascript(browser, live_server, breakouts):
    [slug] = breakouts(40)
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_up(page, live_server, "nojs.program@example.org", "mn")
    page.goto(f"{live_server.url}/mn/program")
    card(page, slug).get_by_role("button", exact=True, name=WORDS["mn"]["join"]).click()
    expect(page).to_have_url(f"{live_server.url}/mn/program#session-{slug}")
    expect(card(page, slug)).to_contain_text(WORDS["mn"]["seat"])
    card(page, slug).get_by_role("button", exact=True, name=WORDS["mn"]["leave"]).click()
    expect(card(page, slug).get_by_role("button", exact=True, name=WORDS["mn"]["join"])).to_be_visible()
    context.close()


def test_the_waitlist_and_its_promotion(browser, live_server, breakouts):
    [slug] = breakouts(1)
    contexts = [browser.new_context(**PHONE) for _ in range(2)]
    first, second = (c.new_page() for c in contexts)
    sign_up(first, live_server, "seat.holder@example.org", "en")
    sign_up(second, live_server, "in.line@example.org", "mn")
    first.goto(f"{live_server.url}/en/program/{slug}")
    second.goto(f"{live_server.url}/mn/program/{slug}")
    # The second phone's page is now stale: it still offers a seat.
    first.get_by_role("button", exact=True, name="Join").click()
    expect(first.locator(f"#session-{slug}")).to_contain_text("You have a seat.")
    second.get_by_role("button", exact=True, name=WORDS["mn"]["join"]).click()
    expect(second.locator(f"#session-{slug}")).to_contain_text("Энэ хуралдааны суудал дүүрсэн байна.")
    second.get_by_role("button", exact=True, name=WORDS["mn"]["waitlist"]).click()
    expect(second.locator(f"#session-{slug}")).to_contain_text("хүлээлгийн дугаар: 1")
    assert axe_violations(second) == []
    first.get_by_role("button", exact=True, name="Leave this session").click()
    # The freed seat went to the first in line, so the session is full again.
    expect(first.get_by_role("button", exact=True, name="Join the waiting list")).to_be_visible()
    second.reload()
    expect(second.locator(f"#session-{slug}")).to_contain_text(WORDS["mn"]["seat"])
    for c in contexts:
        c.close()


def test_switching_and_waiting_while_keeping_a_seat_without_javascript(browser, live_server, breakouts):
    asia, strategies, full = breakouts(40, 40, 1)
    contexts = [browser.new_context(**PHONE, java_script_enabled=False) for _ in range(2)]
    holder, delegate = (c.new_page() for c in contexts)
    sign_up(holder, live_server, "nojs.holder@example.org", "en")
    holder.goto(f"{live_server.url}/en/program")
    card(holder, full).get_by_role("button", exact=True, name="Join").click()
    sign_up(delegate, live_server, "nojs.switcher@example.org", "en")
    delegate.goto(f"{live_server.url}/en/program")
    card(delegate, asia).get_by_role("button", exact=True, name="Join").click()
    expect(delegate).to_have_url(f"{live_server.url}/en/program#session-{asia}")
    # A parallel session with seats: a switch. A full one: its waitlist, keeping the seat.
    expect(card(delegate, strategies)).to_contain_text("You have a seat in “")
    expect(card(delegate, full)).to_contain_text("You keep your seat in “")
    card(delegate, full).get_by_role("button", exact=True, name="Join the waiting list").click()
    expect(card(delegate, full)).to_contain_text("You are on the waiting list (number 1).")
    card(delegate, strategies).get_by_role("button", exact=True, name="Switch to this session").click()
    expect(card(delegate, strategies)).to_contain_text("You have a seat.")
    expect(card(delegate, asia).get_by_role("button", exact=True, name="Switch to this session")).to_be_visible()
    # The seat waited for frees up: the delegate moves into it and the switched-to seat is freed.
    card(holder, full).get_by_role("button", exact=True, name="Leave this session").click()
    delegate.reload()
    expect(card(delegate, full)).to_contain_text("You have a seat.")
    expect(card(delegate, strategies).get_by_role("button", exact=True, name="Switch to this session")).to_be_visible()
    for c in contexts:
        c.close()


def test_signed_out_readers_are_sent_to_register(page, live_server, breakouts):
    [slug] = breakouts(40)
    page.goto(f"{live_server.url}/en/program/{slug}")
    page.get_by_role("link", name="Register to join").click()
    expect(page).to_have_url(f"{live_server.url}/en/register?next=/en/program/{slug}")
    assert axe_violations(page) == []
