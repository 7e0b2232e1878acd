"""Arrivals and needs on a 360-pixel phone, JavaScript on and off: a host sees a pickup wave, narrows
the window and sees it split, opens the driver sheet and the placards; axe finds nothing on the
new pages (JavaScript on) and nothing is wider than the phone."""
import io
import re
from datetime import date, time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from tests.browser.conftest import CDN, PHONE, axe_violations
from tests.browser.test_console import WORDS
from tests.conftest import HOST_PASSWORD, build_delegate, build_host

pypdf = pytest.importorskip("pypdf")

NARROW = {**PHONE, "viewport": {"width": 360, "height": 780}}
DAY = date(2017, 5, 22)  # a day of their own: other modules' delegates land on other days
HOST = "logistics.host@example.org"
WAVE = ["Wave Alpha", "Wave Bravo", "Wave Charlie"]  # Latin names; Bravo's own name is Cyrillic
TEXT = {
    "en": {"wave1": "Wave 1", "wave2": "Wave 2", "show": "Show the pickup waves", "sheet": "Driver sheet",
           "placards": "Name placards", "arrivals": "Arrivals", "needs": "Needs", "bags": "4 luggage places"},
    "mn": {"wave1": "1-р ээлж", "wave2": "2-р ээлж", "show": "Угталтын ээлжийг харуулах", "sheet": "Жолоочийн жагсаалт",
           "placards": "Нэрийн самбар", "arrivals": "Ирэх, буцах", "needs": "Тусгай хэрэгцээ", "bags": "Тээш: 4 ширхэг"},
}


@pytest.fixture(scope="module")
def travellers(live_server):
    """A plain host, and three delegates landing on DAY within 90 minutes (but not 30), a fourth later."""
    with live_server.app.app_context():
        build_host(HOST, role="host")
        event = db.session.scalars(select(Event).order_by(Event.id)).first()
        for (given, family), at, bags, flight in (
                (("Wave", "Alpha"), time(7, 30), 2, "OM302"),
                (("Вэйв", "Браво"), time(7, 55), None, "KE867"),
                (("Wave", "Charlie"), time(8, 55), 1, "SU320"),
                (("Wave", "Delta"), time(11, 0), 0, "CA901")):
            build_delegate(event, f"{given}.{family}.logistics", given_name=given, family_name=family,
                           passport_given_name="Wave" if given == "Вэйв" else "",
                           passport_family_name="Bravo" if family == "Браво" else "",
                           arrival_date=DAY, arrival_time=at, arrival_flight=flight, luggage=bags,
                           hotel_needed=True, hotel_check_in=DAY, hotel_check_out=date(2017, 5, 27), room_type="single",
                           dietary_needs="Vegetarian" if family == "Alpha" else "")
        db.session.commit()
    return DAY.isoformat()


def sign_in(page, live_server, lang):
    page.goto(f"{live_server.url}/{lang}/hosts/login")
    page.fill("#email", HOST)
    page.fill("#password", HOST_PASSWORD)
    page.get_by_role("button", name=WORDS[lang]["sign_in"], exact=True).click()
    expect(page.locator("h1")).to_have_text(WORDS[lang]["dashboard"])


def fits_the_phone(page) -> bool:
    page.wait_for_load_state("load")  # measured with the stylesheet, not before it arrives
    return page.evaluate("document.documentElement.scrollWidth") <= NARROW["viewport"]["width"]


def wave_names(page, day) -> list[list[str]]:
    waves = page.locator(f"section[aria-labelledby='day-{day}'] article.wave")
    return [wave.locator("a.who").all_inner_texts() for wave in waves.all()]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "mn"])
def test_a_host_sees_a_pickup_wave_narrows_the_window_and_prints_its_sheet(browser, live_server, travellers, lang,
                                                                           javascript):
    day, text = travellers, TEXT[lang]
    context = browser.new_context(**NARROW, java_script_enabled=javascript)
    context.route(CDN, lambda route: route.abort())
    try:
        page = context.new_page()
        sign_in(page, live_server, lang)
        page.get_by_role("link", name=text["arrivals"], exact=True).click()
        expect(page).to_have_url(f"{live_server.url}/{lang}/hosts/arrivals")
        first = page.locator(f"section[aria-labelledby='day-{day}'] article.wave").first
        expect(first.locator("h4")).to_contain_text(text["wave1"])
        expect(first).to_contain_text(text["bags"])  # 2 + 1 (not given) + 1
        expect(first).to_contain_text("Вэйв Браво")
        assert wave_names(page, day) == [WAVE, ["Wave Delta"]]
        assert fits_the_phone(page)
        if javascript:
            assert axe_violations(page) == []
            page.evaluate("window.sameDocument = true")
        page.fill("#window", "30")
        page.get_by_role("button", name=text["show"], exact=True).click()
        expect(page).to_have_url(re.compile(r"/hosts/arrivals\?window=30$"))
        expect(page.locator(f"section[aria-labelledby='day-{day}'] article.wave")).to_have_count(3)
        assert wave_names(page, day) == [WAVE[:2], WAVE[2:], ["Wave Delta"]]
        if javascript:
            assert page.evaluate("window.sameDocument === true"), "htmx swapped the waves in place"
        page.fill("#window", "5")  # below the bounds: the default, with a message
        page.get_by_role("button", name=text["show"], exact=True).click()
        expect(page.locator("#window-feedback")).to_contain_text("360")
        assert wave_names(page, day) == [WAVE, ["Wave Delta"]]
        if javascript:
            assert axe_violations(page) == []

        first = page.locator(f"section[aria-labelledby='day-{day}'] article.wave").first
        first.get_by_role("link", name=text["sheet"], exact=True).click()
        expect(page.locator("h1")).to_have_text(text["sheet"])
        expect(page.locator("table.sheet tbody tr")).to_have_count(3)
        expect(page.locator("table.sheet")).to_contain_text("OM302")
        assert fits_the_phone(page)
        if javascript:
            assert axe_violations(page) == []
        page.get_by_role("link", name=text["placards"], exact=True).click()
        expect(page.locator("section.placard")).to_have_count(3)
        expect(page.locator("section.placard").nth(1)).to_contain_text("Вэйв Браво")
        assert fits_the_phone(page)
        if javascript:
            assert axe_violations(page) == []

        page.goto(f"{live_server.url}/{lang}/hosts/needs")
        expect(page.locator("section[aria-labelledby='people']")).to_contain_text("Wave Alpha")
        assert fits_the_phone(page)
        if javascript:
            assert axe_violations(page) == []
    finally:
        context.close()


def test_placards_and_the_sheet_fit_a4_when_printed(browser, live_server, travellers):
    """Printed from the browser: each placard fills one landscape sheet, its name inside it."""
    context = browser.new_context(**NARROW)
    context.route(CDN, lambda route: route.abort())
    try:
        page = context.new_page()
        sign_in(page, live_server, "en")
        page.goto(f"{live_server.url}/en/hosts/arrivals/{travellers}/waves/1/placards")
        page.emulate_media(media="print")
        expect(page.locator(".screen-only").first).to_be_hidden()
        for placard in page.locator("section.placard").all():
            box = placard.bounding_box()
            name = placard.locator(".placard-name").bounding_box()
            assert name["width"] <= box["width"] + 1 and name["height"] <= box["height"] + 1
        pages = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages
        assert len(pages) == 3  # one sheet each, none spilling onto another
        assert all(round(float(p.mediabox.width) / 72 * 25.4) == 297 for p in pages)  # A4 landscape
        assert "Wave Bravo" in pages[1].extract_text()
        page.goto(f"{live_server.url}/en/hosts/arrivals/{travellers}/waves/1")
        sheet = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages
        assert len(sheet) == 1 and round(float(sheet[0].mediabox.width) / 72 * 25.4) == 210  # A4 portrait
        assert "Wave Charlie" in sheet[0].extract_text()
    finally:
        context.close()
