"""The emailed link on a second phone, with JavaScript on and off, in both languages: opening it
shows one button and signs nobody in; pressing it signs that phone in, and the phone that only
filled in the form is signed out, since the address's owner has now proved it."""
import re
from email import message_from_bytes
from email.policy import default

import pytest
from playwright.sync_api import expect

from app.mail.sender import send_due
from tests.browser.conftest import PHONE, register_in

WORDS = {
    "en": {"button": "Sign in on this device", "mine": "My registration", "used": "This link has been used"},
    "mn": {"button": "Энэ төхөөрөмжөөс нэвтрэх", "mine": "Миний бүртгэл", "used": "Энэ холбоос аль хэдийн ашиглагдсан"},
}


def emailed_link(live_server, address: str) -> str:
    """The private link in the newest message to `address` (the sender runs once first)."""
    with live_server.app.app_context():
        send_due()
    for path in sorted(live_server.outbox.glob("*.eml"), reverse=True):
        message = message_from_bytes(path.read_bytes(), policy=default)
        if message["To"] == address:
            return re.search(r"http://\S+/me/link/\S+", message.get_body(("plain",)).get_content()).group(0)
    raise AssertionError(f"no message to {address}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "mn"])
def test_the_link_page_signs_in_only_on_a_press(browser, live_server, lang, javascript):
    first = browser.new_context(**PHONE, java_script_enabled=javascript)
    second = browser.new_context(**PHONE, java_script_enabled=javascript)
    try:
        registering = first.new_page()
        address = f"link.{lang}.{'js' if javascript else 'nojs'}@example.org"
        register_in(registering, live_server, address, lang)
        link = emailed_link(live_server, address).replace("/en/me/link/", f"/{lang}/me/link/")
        phone = second.new_page()
        phone.goto(link)
        button = phone.get_by_role("button", name=WORDS[lang]["button"], exact=True)
        expect(button).to_be_visible()
        expect(phone.locator("html")).to_have_attribute("lang", lang)
        # Opening the link changed nothing: the registering phone is still signed in.
        registering.goto(f"{live_server.url}/{lang}/me")
        expect(registering.locator("h1")).to_have_text(WORDS[lang]["mine"])
        button.click()
        expect(phone).to_have_url(f"{live_server.url}/{lang}/me")
        expect(phone.locator("h1")).to_have_text(WORDS[lang]["mine"])
        # The address is proven: the phone that only filled in the form is signed out.
        registering.goto(f"{live_server.url}/{lang}/me")
        expect(registering).to_have_url(f"{live_server.url}/{lang}/me/link")
        # The link is spent.
        registering.goto(link)
        expect(registering.locator("h1")).to_contain_text(WORDS[lang]["used"])
    finally:
        first.close()
        second.close()
