"""The hosts' console on a phone, JavaScript on and off: sign in, see the dashboard and the
coordinators' pages, sign out; axe finds nothing with JavaScript on."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select, update

from app.events.models import Event
from app.extensions import db
from app.hosts import audit, decisions
from app.hosts import services as host_services
from app.hosts.models import Host
from app.i18n import I18nText
from app.program.models import Session
from tests.browser.conftest import CDN, PHONE, axe_violations
from tests.conftest import HOST_PASSWORD, build_delegate, build_host

UB = ZoneInfo("Asia/Ulaanbaatar")

WORDS = {
    "en": {"sign_in": "Sign in", "dashboard": "Dashboard", "accounts": "Accounts", "audit": "Audit log",
           "sign_out": "Sign out"},
    "mn": {"sign_in": "Нэвтрэх", "dashboard": "Хяналтын самбар", "accounts": "Хэрэглэгчийн эрх",
           "audit": "Өөрчлөлтийн түүх", "sign_out": "Гарах"},
}


@pytest.fixture(scope="module")
def coordinator(live_server):
    """A coordinator's account on the live server (once for the module)."""
    with live_server.app.app_context():
        build_host("browser.coordinator@example.org")
        db.session.commit()
    return "browser.coordinator@example.org"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "mn"])
def test_a_coordinator_signs_in_on_a_phone_and_finds_the_console(browser, live_server, coordinator, lang, javascript):
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    try:
        page = context.new_page()
        words = WORDS[lang]
        page.goto(f"{live_server.url}/{lang}/hosts/audit")
        expect(page).to_have_url(f"{live_server.url}/{lang}/hosts/login?next=/{lang}/hosts/audit")
        if javascript:
            assert axe_violations(page) == []
        page.fill("#email", coordinator)
        page.fill("#password", HOST_PASSWORD)
        page.get_by_role("button", name=words["sign_in"], exact=True).click()
        expect(page).to_have_url(f"{live_server.url}/{lang}/hosts/audit")
        expect(page.locator("h1")).to_have_text(words["audit"])
        for link, heading in (("dashboard", "dashboard"), ("accounts", "accounts")):
            page.get_by_role("link", name=words[link], exact=True).click()
            expect(page.locator("h1")).to_have_text(words[heading])
            if javascript:
                assert axe_violations(page) == []
        # Nothing is wider than the phone: tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
        page.get_by_role("button", name=words["sign_out"], exact=True).click()
        expect(page).to_have_url(f"{live_server.url}/{lang}/hosts/login")
        page.goto(f"{live_server.url}/{lang}/hosts/")
        expect(page.locator("h1")).to_have_text(words["sign_in"])
    finally:
        context.close()


# Searching, confirming and editing from a phone, JavaScript on and off

NARROW = {**PHONE, "viewport": {"width": 360, "height": 780}}
TASKS = {
    "en": {"search": "Search", "confirm": "Confirm", "confirmed": "Confirmed", "pending": "Pending",
           "status": "Status: Confirmed", "save": "Save", "saved": "Saved."},
    "mn": {"search": "Хайх", "confirm": "Баталгаажуулах", "confirmed": "Баталгаажсан", "pending": "Хүлээгдэж буй",
           "status": "Төлөв: Баталгаажсан", "save": "Хадгалах", "saved": "Хадгалагдлаа."},
}


def the_event():
    return db.session.scalars(select(Event).order_by(Event.id)).first()


def registered(live_server, name, **fields) -> int:
    """A delegate registered on the live server; their registration number."""
    with live_server.app.app_context():
        registration = build_delegate(the_event(), name, **fields)
        db.session.commit()
        return registration.id


def sign_in(page, live_server, email, lang):
    page.goto(f"{live_server.url}/{lang}/hosts/login")
    page.fill("#email", email)
    page.fill("#password", HOST_PASSWORD)
    page.get_by_role("button", name=WORDS[lang]["sign_in"], exact=True).click()
    expect(page.locator("h1")).to_have_text(WORDS[lang]["dashboard"])


def stays_on_this_page(page):
    """Mark the document: the mark survives htmx's swaps and goes with any page load."""
    page.evaluate("window.sameDocument = true")
    return lambda: page.evaluate("window.sameDocument === true")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "mn"])
def test_a_host_searches_in_cyrillic_and_confirms_from_the_list(browser, live_server, coordinator, lang, javascript):
    family = {("en", True): "Батбаяр", ("en", False): "Должин", ("mn", True): "Энхтуяа", ("mn", False): "Сарнай"}[
        lang, javascript]
    number = registered(live_server, f"tsetseg.{lang}.{javascript}", given_name="Цэцэг", family_name=family)
    registered(live_server, f"decoy.{lang}.{javascript}", given_name="Oyunaa", family_name=f"Decoy{lang}{javascript}")
    words = TASKS[lang]
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    context.route(CDN, lambda route: route.abort())
    try:
        page = context.new_page()
        sign_in(page, live_server, coordinator, lang)
        page.goto(f"{live_server.url}/{lang}/hosts/registrations")
        rows = page.locator("#rows")
        expect(rows).to_contain_text(f"Decoy{lang}{javascript}")
        row = rows.locator("tr", has_text=family)
        if javascript:
            same = stays_on_this_page(page)
            page.locator("#q").press_sequentially("цэцэг", delay=30)  # lower case, as one types on a phone
            expect(rows).not_to_contain_text(f"Decoy{lang}{javascript}")
            expect(row).to_contain_text("Цэцэг")
            assert same(), "the rows follow the search without a page load"
            expect(page).to_have_url(re.compile(r"q=%D1%86%D1%8D%D1%86%D1%8D%D0%B3"))  # the address keeps the search
        else:
            page.fill("#q", "цэцэг")
            page.get_by_role("button", name=words["search"], exact=True).click()
            expect(page).to_have_url(re.compile(r"/hosts/registrations\?q=%D1%86%D1%8D%D1%86%D1%8D%D0%B3"))
            expect(rows).not_to_contain_text(f"Decoy{lang}{javascript}")
        expect(row).to_contain_text(words["pending"])
        confirm = row.get_by_role("button", name=f"{words['confirm']}: Цэцэг {family}", exact=True)
        if javascript:
            confirm.click()
            expect(row).to_contain_text(words["confirmed"])
            assert same(), "the row is swapped in place"
            assert axe_violations(page) == []  # the list as htmx left it
        else:
            with page.expect_response(lambda answer: answer.request.method == "POST") as answer:
                confirm.click()
            assert answer.value.status == 303
            expect(page).to_have_url(re.compile(r"/hosts/registrations\?q=%D1%86%D1%8D%D1%86%D1%8D%D0%B3"))
            expect(row).to_contain_text(words["confirmed"])
        expect(row.get_by_role("button", name=f"{words['confirm']}: Цэцэг {family}")).to_have_count(0)
        row.get_by_role("link", name=f"Цэцэг {family}").click()
        expect(page).to_have_url(f"{live_server.url}/{lang}/hosts/registrations/{number}")
        expect(page.get_by_text(words["status"])).to_be_visible()
    finally:
        context.close()


@pytest.fixture(scope="module")
def editable_session(live_server):
    """A session of the live event made for these tests, gone after them (the demo's own stay as they are)."""
    with live_server.app.app_context():
        event = the_event()
        db.session.add(Session(
            event_id=event.id, slug="console-edit", kind="breakout", signup="open", capacity=20,
            title=I18nText({"en": "Edited from the console", "mn": "Консолоос засах хуралдаан"}),
            description=I18nText({}), speakers=I18nText({}),
            starts_at=datetime(2017, 5, 26, 18, tzinfo=UB), ends_at=datetime(2017, 5, 26, 19, tzinfo=UB)))
        db.session.execute(update(Event).values(program_version=Event.program_version + 1))
        db.session.commit()
    yield "console-edit"
    with live_server.app.app_context():  # the other modules' program is the demo's (its printed sheets)
        db.session.execute(delete(Session).where(Session.slug == "console-edit"))
        db.session.execute(update(Event).values(program_version=Event.program_version + 1))
        db.session.commit()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_coordinator_edits_a_sessions_mongolian_title_and_the_program_shows_it(browser, live_server, coordinator,
                                                                                editable_session, javascript):
    title = "Иргэний нийгэмтэй хамтрах нь" + (" (JS)" if javascript else " (JS-гүй)")
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    context.route(CDN, lambda route: route.abort())
    try:
        page = context.new_page()
        sign_in(page, live_server, coordinator, "mn")
        page.goto(f"{live_server.url}/mn/hosts/program/{editable_session}/edit")
        expect(page.locator("h1")).to_have_text("Хуралдаан засах")
        page.get_by_label("Гарчиг (монгол хэлээр)").fill(title)
        page.get_by_role("button", name=TASKS["mn"]["save"], exact=True).click()
        expect(page.get_by_role("status")).to_contain_text(TASKS["mn"]["saved"])
        expect(page.get_by_label("Гарчиг (монгол хэлээр)")).to_have_value(title)
        page.goto(f"{live_server.url}/mn/program")
        expect(page.get_by_text(title, exact=True)).to_be_visible()
        page.goto(f"{live_server.url}/en/program")
        expect(page.get_by_text("Edited from the console", exact=True)).to_be_visible()  # the English title stays
    finally:
        context.close()


# Every console page: axe finds nothing, and nothing is wider than a 360-pixel phone

@pytest.fixture(scope="module")
def history(live_server, coordinator):
    """A registration with a decision, a note and a place; and an audit log with every kind of change."""
    with live_server.app.app_context():
        event = the_event()
        actor = db.session.scalars(select(Host).where(Host.email == coordinator)).one()
        registration = build_delegate(event, "history", given_name="Цэцэг", family_name="Гомбосүрэнгийн-Өлзийбаяр",
                                      email="a.very.long.address.for.a.delegate.from.far.away@example.org",
                                      organisation="Монгол Ардын Нам – Progressive Alliance of the Asia-Pacific region")
        now = datetime(2017, 5, 1, 10, tzinfo=UB)
        decisions.decide(actor, registration, "confirm", "Танай нислэгийг 7:30-д угтана. " * 5, now)
        decisions.add_note(actor, registration, "Travels with her daughter Saraa.", now)
        host = host_services.create_host("history.host@example.org", "host", HOST_PASSWORD, actor, now)
        host_services.change_host(actor, host, "coordinator", True)
        host_services.change_host(actor, host, "coordinator", False)
        page = event.pages[0]
        long_text = "A long page text that goes on and on. " * 40
        audit.record(actor, "page.edited", "page", page.id, {"title_en": "Information", "text_en": long_text},
                     {"title_en": "Practical information", "text_en": long_text + "More."})
        audit.record(actor, "event.edited", "event", event.id, {"registration_closes_on": "2017-05-08"},
                     {"registration_closes_on": "2017-05-15"})
        db.session.commit()
        return registration.id


PAGES = ("/hosts/", "/hosts/registrations", "/hosts/registrations/{number}", "/hosts/accounts", "/hosts/audit",
         "/hosts/content", "/hosts/program/console-edit/edit", "/hosts/pages/info/edit", "/hosts/event")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_every_console_page_passes_axe_and_fits_a_narrow_phone(browser, live_server, coordinator, editable_session,
                                                               history, lang):
    context = browser.new_context(**NARROW)
    context.route(CDN, lambda route: route.abort())
    found = {}
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/hosts/login")
        found["login"] = axe_violations(page), fits_the_phone(page)
        page.get_by_role("button", name=WORDS[lang]["sign_in"], exact=True).click()  # nothing typed: a 422
        expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
        found["login with errors"] = axe_violations(page), fits_the_phone(page)
        sign_in(page, live_server, coordinator, lang)
        for path in PAGES:
            address = path.format(number=history)
            response = page.goto(f"{live_server.url}/{lang}{address}")
            assert response.status == 200, address
            found[address] = axe_violations(page), fits_the_phone(page)
        page.goto(f"{live_server.url}/{lang}/hosts/program/{editable_session}/edit")
        page.locator("#end").fill("07:00")  # before the start: refused
        with page.expect_response(lambda answer: answer.request.method == "POST") as answer:
            page.get_by_role("button", name=TASKS[lang]["save"], exact=True).click()
        assert answer.value.status == 422
        found["a session refused"] = axe_violations(page), fits_the_phone(page)
        page.goto(f"{live_server.url}/{lang}/hosts/accounts")
        page.locator("#email").fill("new.host@example.org")
        page.locator("#password").fill("short")
        with page.expect_response(lambda answer: answer.request.method == "POST") as answer:
            page.locator("form[action$='/hosts/accounts'] button[type=submit]").click()
        assert answer.value.status == 422
        found["an account refused"] = axe_violations(page), fits_the_phone(page)
    finally:
        context.close()
    assert {where: axe for where, (axe, fits) in found.items() if axe} == {}
    assert [where for where, (axe, fits) in found.items() if not fits] == []
