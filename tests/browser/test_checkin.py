"""Check-in at the door on a 360-pixel phone, JavaScript on and off: a host opens a badge's
address (as the phone's camera app does with its QR code), signs in, and checks the delegate in
with one tap; a second tap warns with the time and the host; a search in Cyrillic finds the
delegate; axe finds nothing on the door's pages. Screenshots go to CHECKIN_SHOTS if it is set."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.events.models import Event
from app.extensions import db
from app.hosts.checkin import checkins
from app.registration.models import Registration
from tests.browser.conftest import CDN, PHONE, axe_violations
from tests.conftest import HOST_PASSWORD, build_delegate, build_host

NARROW = {**PHONE, "viewport": {"width": 360, "height": 780}}
HOSTS = ("door.first@example.org", "door.second@example.org")
WORDS = {
    "en": {"sign_in": "Sign in", "check_in": "Check in", "done": "Checked in.", "again": "Already checked in.",
           "search": "Search", "found": "1 delegate found", "pending": "Not yet confirmed.",
           "anyway": "Check in though not confirmed", "refused": "Do not check in", "unknown": "This badge is not known",
           "when": "When:", "who": "Who:"},
    "mn": {"sign_in": "Нэвтрэх", "check_in": "Ирснийг бүртгэх", "done": "Ирснийг бүртгэлээ.",
           "again": "Аль хэдийн ирсэн гэж бүртгэгдсэн байна.", "search": "Хайх", "found": "1 төлөөлөгч олдлоо",
           "pending": "Баталгаажаагүй байна.", "anyway": "Баталгаажаагүй ч ирснийг бүртгэх",
           "refused": "Ирцийг бүртгэж болохгүй", "unknown": "Энэ үнэмлэх танигдсангүй", "when": "Хэзээ:", "who": "Хэн:"},
}
SHOTS = os.environ.get("CHECKIN_SHOTS")


@pytest.fixture(scope="module")
def door_hosts(live_server):
    """Two hosts' accounts on the live server (plain hosts: the door is for every host)."""
    with live_server.app.app_context():
        for email in HOSTS:
            build_host(email, role="host")
        db.session.commit()
    return HOSTS


def delegate(live_server, name, status="confirmed", **fields) -> str:
    """A delegate registered on the live server; their badge's code."""
    with live_server.app.app_context():
        event = db.session.scalars(select(Event).order_by(Event.id)).first()
        fields = {"given_name": "Цэцэг", "passport_given_name": "TSETSEG", "country": "MN",
                  "organisation": "Монгол Ардын Нам", "days": ["2017-05-25", "2017-05-26"], **fields}
        registration = build_delegate(event, name, **fields)
        db.session.execute(update(Registration).where(Registration.id == registration.id).values(status=status))
        db.session.commit()
        return registration.checkin_code


def phone(browser, javascript=True):
    context = browser.new_context(**NARROW, java_script_enabled=javascript)
    context.route(CDN, lambda route: route.abort())
    return context


def sign_in_from(page, lang, email):
    """The login page the door sent the host to: sign in, and be brought back."""
    expect(page).to_have_url(re.compile(rf"/{lang}/hosts/login\?next="))
    page.fill("#email", email)
    page.fill("#password", HOST_PASSWORD)
    page.get_by_role("button", name=WORDS[lang]["sign_in"], exact=True).click()


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def arrived_today(page) -> int:
    return int(page.locator("#door-counts tr[aria-current=date] td").first.inner_text())


def tap(page, label, javascript):
    """Tap the card's button: with JavaScript htmx swaps the card, without it the form is sent."""
    with page.expect_response(lambda answer: answer.request.method == "POST") as answer:
        page.get_by_role("button", name=label, exact=True).click()
    return answer.value.status


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "mn"])
def test_a_host_opens_a_badge_and_checks_the_delegate_in_and_a_second_try_warns(browser, live_server, door_hosts,
                                                                                lang, javascript):
    # Names no other browser test gives (they share the live server's database and search it).
    family = {("en", True): "Төмөрбаатар", ("en", False): "Алтанцэцэг", ("mn", True): "Мөнхзул",
              ("mn", False): "Хонгорзул"}[lang, javascript]
    code = delegate(live_server, f"door.{lang}.{javascript}", family_name=family, passport_family_name="LATIN")
    words = WORDS[lang]
    badge = f"{live_server.url}/{lang}/hosts/checkin/{code}"
    first, second = phone(browser, javascript), phone(browser, javascript)
    try:
        page = first.new_page()
        page.goto(badge)  # what the camera app opens
        sign_in_from(page, lang, HOSTS[0])
        expect(page).to_have_url(badge)
        expect(page.locator("h1")).to_have_text(f"Цэцэг {family}")
        expect(page.locator("#door-card")).to_contain_text("TSETSEG LATIN")
        button = page.get_by_role("button", name=words["check_in"], exact=True)
        box = button.bounding_box()
        assert box["width"] >= 0.8 * 360 and box["height"] >= 60, box  # a big button across the phone
        assert float(page.locator("h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 30
        assert fits_the_phone(page)
        if javascript:
            assert axe_violations(page) == []
        shot(page, f"card-{lang}-{'js' if javascript else 'nojs'}")
        before = arrived_today(page)

        other = second.new_page()  # a second host has the same card open on their phone
        other.goto(badge)
        sign_in_from(other, lang, HOSTS[1])
        expect(other.get_by_role("button", name=words["check_in"], exact=True)).to_be_visible()

        if javascript:
            page.evaluate("window.sameDocument = true")
        status = tap(page, words["check_in"], javascript)
        assert status == (200 if javascript else 303)
        expect(page.locator("#door-card")).to_contain_text(words["done"])
        expect(page.locator("#door-card")).to_contain_text("10:00")
        expect(page.get_by_role("button", name=words["check_in"], exact=True)).to_have_count(0)
        assert arrived_today(page) == before + 1
        if javascript:
            assert page.evaluate("window.sameDocument === true"), "the card is swapped in place"
            assert axe_violations(page) == []
        else:
            expect(page).to_have_url(badge + "?done=1")
        assert fits_the_phone(page)
        shot(page, f"done-{lang}-{'js' if javascript else 'nojs'}")

        # The second host taps the card they had open: told when and by whom, nothing recorded.
        assert tap(other, words["check_in"], javascript) == 409
        card = other.locator("#door-card")
        expect(card).to_contain_text(words["again"])
        expect(card).to_contain_text(HOSTS[0])
        expect(card).to_contain_text(f"{words['when']}")
        expect(card).to_contain_text("10:00")
        expect(other.get_by_role("button", name=words["check_in"], exact=True)).to_have_count(0)
        assert fits_the_phone(other)
        if javascript:
            assert axe_violations(other) == []
        shot(other, f"again-{lang}-{'js' if javascript else 'nojs'}")

        # Opening the badge again (the first host, later): the same warning.
        page.goto(badge)
        expect(page.locator("#door-card")).to_contain_text(words["again"])
        assert arrived_today(page) == before + 1
    finally:
        first.close()
        second.close()
    with live_server.app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.checkin_code == code))
        assert len(checkins(registration)) == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "mn"])
def test_a_search_in_cyrillic_finds_the_delegate(browser, live_server, door_hosts, lang, javascript):
    family = {("en", True): "Ганбаатар", ("en", False): "Түмэнбаяр", ("mn", True): "Нарантуяа",
              ("mn", False): "Отгонбаяр"}[lang, javascript]
    code = delegate(live_server, f"search.{lang}.{javascript}", given_name="Оюунчимэг", family_name=family,
                    passport_given_name="OYUUNCHIMEG", passport_family_name=family.upper())
    words = WORDS[lang]
    context = phone(browser, javascript)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/hosts/checkin")
        sign_in_from(page, lang, HOSTS[0])
        expect(page).to_have_url(f"{live_server.url}/{lang}/hosts/checkin")
        results = page.locator("#door-results")
        query = family[:4].lower()  # lower case, the start of the family name, as one types on a phone
        if javascript:
            page.evaluate("window.sameDocument = true")
            page.locator("#q").press_sequentially(query, delay=30)
            expect(results).to_contain_text(words["found"])
            assert page.evaluate("window.sameDocument === true"), "the results follow the typing without a page load"
        else:
            page.fill("#q", query)
            page.get_by_role("button", name=words["search"], exact=True).click()
            expect(page).to_have_url(re.compile(r"/hosts/checkin\?q=%D[0-4]"))
        link = results.get_by_role("link", name=re.compile(f"Оюунчимэг {family}"))
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["height"] >= 56 and box["width"] >= 0.8 * 360, box  # a large tap target
        assert fits_the_phone(page)
        if javascript:
            assert axe_violations(page) == []
        shot(page, f"search-{lang}-{'js' if javascript else 'nojs'}")
        link.click()
        expect(page).to_have_url(f"{live_server.url}/{lang}/hosts/checkin/{code}")
        expect(page.locator("h1")).to_have_text(f"Оюунчимэг {family}")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_the_doors_warnings_pass_axe_and_fit_a_narrow_phone(browser, live_server, door_hosts, lang):
    long_name = "Гомбосүрэнгийн-Өлзийбаярын-Энхтөгөлдөр"
    pending = delegate(live_server, f"pending.{lang}", status="pending", family_name=long_name,
                       passport_family_name="GOMBOSURENGIINULZIIBAYARYNENKHTUGULDURGOMBOSURENGIIN",
                       organisation="Монгол Ардын Нам – Progressive Alliance of the Asia-Pacific region")
    declined = delegate(live_server, f"declined.{lang}", status="declined", family_name="Татгалзсан")
    words = WORDS[lang]
    context = phone(browser)
    found = {}
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/hosts/checkin/{pending}")
        sign_in_from(page, lang, HOSTS[1])
        expect(page.locator("#door-card")).to_contain_text(words["pending"])
        expect(page.get_by_role("button", name=words["anyway"], exact=True)).to_be_visible()
        found["pending"] = axe_violations(page), fits_the_phone(page)
        shot(page, f"pending-{lang}")
        response = page.goto(f"{live_server.url}/{lang}/hosts/checkin/{declined}")
        assert response.status == 200
        expect(page.locator("#door-card")).to_contain_text(words["refused"])
        expect(page.locator("#door-card button")).to_have_count(0)
        found["declined"] = axe_violations(page), fits_the_phone(page)
        shot(page, f"declined-{lang}")
        response = page.goto(f"{live_server.url}/{lang}/hosts/checkin/not-a-badge")
        assert response.status == 404
        expect(page.locator("h1")).to_have_text(words["unknown"])
        found["unknown"] = axe_violations(page), fits_the_phone(page)
        shot(page, f"unknown-{lang}")
        page.goto(f"{live_server.url}/{lang}/hosts/checkin")
        found["door"] = axe_violations(page), fits_the_phone(page)
        shot(page, f"door-{lang}")
    finally:
        context.close()
    assert {where: axe for where, (axe, fits) in found.items() if axe} == {}
    assert [where for where, (axe, fits) in found.items() if not fits] == []
