"""Registering on a phone, in both languages, with and without JavaScript; the emailed link on a second phone."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, axe_violations, fill_the_form, register_in

TEXT = {
    "en": {"register": "Register", "me": "My registration", "invalid_email": "Enter a valid email address.",
           "closed": "Registration is closed.", "inbox": "Please check your inbox", "signout": "Sign out on this device",
           "invalid_link": "This link has been used, has expired or is not valid.", "sign_in": "Sign in on this device"},
    "mn": {"register": "Бүртгүүлэх", "me": "Миний бүртгэл", "invalid_email": "Зөв цахим шуудангийн хаяг оруулна уу.",
           "closed": "Бүртгэл хаагдсан байна.", "inbox": "Цахим шуудангаа шалгана уу", "signout": "Энэ төхөөрөмжөөс гарах",
           "invalid_link": "Энэ холбоос аль хэдийн ашиглагдсан, хугацаа нь дууссан эсвэл хүчингүй байна.",
           "sign_in": "Энэ төхөөрөмжөөс нэвтрэх"},
}


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_a_delegate_registers_on_a_phone(page, live_server, lang):
    page.goto(f"{live_server.url}/{lang}/register")
    assert axe_violations(page) == []
    fill_the_form(page, f"amara.{lang}@example.org", lang)
    # A mistake, caught as the delegate leaves the field (HTMX), then corrected.
    page.fill("#phone", "12")
    page.locator("#phone").blur()
    expect(page.locator("#phone-error")).to_be_visible()
    page.fill("#phone", "+234 802 123 4567")
    page.fill("#email", "amara@")
    page.get_by_role("button", name=TEXT[lang]["register"]).click()
    expect(page.locator("#email-error")).to_have_text(TEXT[lang]["invalid_email"])
    expect(page.locator("#given_name")).to_have_value("Amara")
    assert axe_violations(page) == []
    page.fill("#email", f"amara.{lang}@example.org")
    page.get_by_role("button", name=TEXT[lang]["register"]).click()
    expect(page).to_have_url(f"{live_server.url}/{lang}/me")
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[lang]["me"])
    expect(page.locator(".summary")).to_contain_text("Amara Okafor")
    assert axe_violations(page) == []


def test_registering_without_javascript(no_js_page, live_server):
    page = no_js_page
    page.goto(f"{live_server.url}/mn/register")
    fill_the_form(page, "nojs@example.org", "mn")
    page.fill("#given_name", "Цэцэг")
    page.get_by_role("button", name="Бүртгүүлэх").click()
    # Without JavaScript the passport spelling is suggested on the first submit, to check.
    expect(page.locator("#passport_given_name")).to_have_value("Tsetseg")
    page.fill("#passport_family_name", "Okafor")
    page.check("#privacy_consent")
    page.get_by_role("button", name="Бүртгүүлэх").click()
    expect(page).to_have_url(f"{live_server.url}/mn/me")
    expect(page.locator(".summary")).to_contain_text("Tsetseg Okafor")


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_the_same_address_again_only_resends_the_link(page, live_server, lang):
    register_in(page, live_server, f"twice.{lang}@example.org", lang)
    page.get_by_role("button", name=TEXT[lang]["signout"]).click()
    page.goto(f"{live_server.url}/{lang}/register")
    fill_the_form(page, f"TWICE.{lang}@example.org", lang)
    page.fill("#given_name", "Someone else")
    page.get_by_role("button", name=TEXT[lang]["register"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[lang]["inbox"])
    expect(page.locator("main")).not_to_contain_text("Amara")
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_the_emailed_link_signs_in_a_second_phone(page, browser, live_server, lang):
    register_in(page, live_server, f"link.{lang}@example.org", lang)
    link = newest_link(live_server, f"link.{lang}@example.org")
    other = browser.new_context(**PHONE)
    second = other.new_page()
    second.goto(link)
    second.get_by_role("button", name=TEXT[lang]["sign_in"], exact=True).click()
    expect(second).to_have_url(f"{live_server.url}/{lang}/me")
    expect(second.locator(".summary")).to_contain_text(f"link.{lang}@example.org")
    second.goto(link.replace("/link/", "/link/x"))
    expect(second.get_by_role("heading", level=1)).to_have_text(TEXT[lang]["invalid_link"])
    assert axe_violations(second) == []
    other.close()


def test_after_the_deadline_the_form_is_closed(page, live_server):
    live_server.app.config["PORTAL_NOW"] = "2017-05-09T00:00:01+08:00"
    try:
        for lang in ("en", "mn"):
            page.goto(f"{live_server.url}/{lang}/register")
            expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[lang]["closed"])
            expect(page.locator("main")).to_contain_text("hosts@example.org")
            assert page.locator("form#registration-form").count() == 0
            assert axe_violations(page) == []
    finally:
        live_server.app.config["PORTAL_NOW"] = "2017-05-01T10:00:00+08:00"


def newest_link(live_server, address):
    """The private link in the newest message to `address`, from the portal's outbox folder
    (where the sender, run once here as `flask portal send-mail` would, writes without MAIL_SERVER)."""
    from email import message_from_bytes
    from email.policy import default

    from app.mail.sender import send_due

    with live_server.app.app_context():
        send_due()
    messages = sorted(live_server.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime)
    for path in reversed(messages):
        message = message_from_bytes(path.read_bytes(), policy=default)
        if message["To"] == address:
            text = message.get_body(("plain",)).get_content()
            return re.search(r"http://\S+/me/link/\S+", text).group(0)
    raise AssertionError(f"no message to {address}")


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_the_delegates_own_pages_are_accessible(page, live_server, lang):
    register_in(page, live_server, f"own.{lang}@example.org", lang)
    for path in ("/me/edit", "/me/cancel", "/me/delete", "/me/link", "/subscribe", "/privacy"):
        page.goto(f"{live_server.url}/{lang}{path}")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
        assert axe_violations(page) == [], path


def test_stay_informed_with_and_without_javascript(page, no_js_page, live_server):
    for browser_page, address in ((page, "news@example.org"), (no_js_page, "news.nojs@example.org")):
        browser_page.goto(f"{live_server.url}/mn/")
        browser_page.get_by_role("link", name="Шинэ мэдээ авах").first.click()
        browser_page.fill("#email", "nope")
        browser_page.get_by_role("button", name="Захиалах").click()
        expect(browser_page.locator("#email-error")).to_be_visible()
        browser_page.fill("#email", address)
        browser_page.get_by_role("button", name="Захиалах").click()
        expect(browser_page.get_by_role("heading", level=2)).to_have_text(TEXT["mn"]["inbox"])
