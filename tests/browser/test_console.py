"""The hosts' console on a phone, JavaScript on and off: sign in, see the dashboard and the
coordinators' pages, sign out; axe finds nothing with JavaScript on."""
import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.conftest import PHONE, axe_violations
from tests.conftest import HOST_PASSWORD, build_host

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
