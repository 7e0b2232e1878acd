"""Visa letters on a phone, JavaScript on and off: a host issues a delegate's letter from the
registration's page, downloads it, and an embassy opens the verification address the page gives
(both languages); the host withdraws it and the page says so. axe finds nothing, and nothing is
wider than a 360-pixel phone."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.conftest import CDN, PHONE, axe_violations
from tests.browser.test_console import sign_in, the_event
from tests.conftest import build_delegate, build_host

NARROW = {**PHONE, "viewport": {"width": 360, "height": 780}}
LETTER = {
    "en": {"issue": "Issue the letter", "download": "Download the letter (PDF)", "withdraw": "Withdraw the letter",
           "genuine": "Visa invitation letter: genuine", "withdrawn": "This letter was withdrawn",
           "unknown": "No such letter"},
    "mn": {"issue": "Урилга олгох", "download": "Урилгыг татаж авах (PDF)", "withdraw": "Урилгыг хүчингүй болгох",
           "genuine": "Визийн урилга: жинхэнэ", "withdrawn": "Энэ урилгыг хүчингүй болгосон",
           "unknown": "Ийм урилга олдсонгүй"},
}


@pytest.fixture(scope="module")
def letter_host(live_server):
    with live_server.app.app_context():
        build_host("letters.host@example.org", role="host")
        db.session.commit()
    return "letters.host@example.org"


def visa_delegate(live_server, name) -> int:
    with live_server.app.app_context():
        registration = build_delegate(
            the_event(), name, given_name="Цэцэгмаа", family_name="Гомбосүрэнгийн-Өлзийбаяр",
            passport_given_name="TSETSEGMAA", passport_family_name="GOMBOSURENGIIN-ULZIIBAYAR-" + "X" * 30,
            visa_letter=True, nationality="MN", passport_number="E1234567", date_of_birth=date(1985, 3, 4),
            passport_expiry=date(2027, 1, 1), arrival_date=date(2017, 5, 24), departure_date=date(2017, 5, 27))
        db.session.commit()
        return registration.id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "mn"])
def test_a_host_issues_a_letter_and_an_embassy_checks_it(browser, live_server, letter_host, lang, javascript):
    number = visa_delegate(live_server, f"visa-{lang}-{javascript}")
    words = LETTER[lang]
    context = browser.new_context(**NARROW, java_script_enabled=javascript, accept_downloads=True)
    context.route(CDN, lambda route: route.abort())
    found = {}
    try:
        page = context.new_page()
        sign_in(page, live_server, letter_host, lang)
        page.goto(f"{live_server.url}/{lang}/hosts/registrations/{number}")
        page.get_by_role("button", name=words["issue"], exact=True).click()
        expect(page).to_have_url(re.compile(rf"/{lang}/hosts/registrations/{number}#visa-letter$"))
        section = page.locator("section[aria-labelledby=visa-letter]")
        address = section.locator("a[href*='/en/verify/PA-']").get_attribute("href")
        assert re.fullmatch(rf"{live_server.url}/en/verify/PA-[A-Z2-9]{{5}}-[A-Z2-9]{{5}}", address)
        if javascript:
            found["registration"] = axe_violations(page), fits(page)
        with page.expect_download() as download:
            section.get_by_role("link", name=words["download"], exact=True).click()
        assert download.value.suggested_filename == f"visa-letter-{address.rsplit('/', 1)[1]}.pdf"

        embassy = context.new_page()
        embassy.goto(address.replace("/en/", f"/{lang}/"))
        expect(embassy.locator("h1")).to_have_text(words["genuine"])
        expect(embassy.locator("main")).to_contain_text("TSETSEGMAA")
        expect(embassy.locator("main")).not_to_contain_text("E1234567")
        found["genuine"] = (axe_violations(embassy) if javascript else []), fits(embassy)

        page.get_by_role("button", name=words["withdraw"], exact=True).click()
        expect(section.get_by_role("button", name=words["issue"], exact=True)).to_be_visible()
        embassy.reload()
        expect(embassy.locator("h1")).to_have_text(words["withdrawn"])
        expect(embassy.locator("main")).not_to_contain_text("TSETSEGMAA")
        found["withdrawn"] = (axe_violations(embassy) if javascript else []), fits(embassy)
        embassy.goto(f"{live_server.url}/{lang}/verify/PA-22222-22222")
        expect(embassy.locator("h1")).to_have_text(words["unknown"])
        found["unknown"] = (axe_violations(embassy) if javascript else []), fits(embassy)
    finally:
        context.close()
    assert {where: axe for where, (axe, _fits) in found.items() if axe} == {}
    assert [where for where, (_axe, fit) in found.items() if not fit] == []


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
