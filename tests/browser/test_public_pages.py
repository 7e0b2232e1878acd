"""The invitation and the information pages on a phone, in both languages, with and without JavaScript."""
import pytest
from playwright.sync_api import expect

from app import htmx
from app.config import ROOT
from tests.browser.conftest import CDN, axe_violations

PAGES = {
    "en": {"/en/": "Progressive Alliance Conference", "/en/info": "Venue and travel"},
    "mn": {"/mn/": "Прогрессив Аллиансын бага хурал", "/mn/info": "Хэрэгцээт мэдээлэл"},
}


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_pages_read_well_on_a_phone(page, live_server, lang):
    for path, heading in PAGES[lang].items():
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        # Nothing wider than the screen: no sideways scrolling at 390 px, nor at 320 px.
        for width in (390, 320):
            page.set_viewport_size({"width": width, "height": 800})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        page.set_viewport_size({"width": 390, "height": 844})
        assert axe_violations(page) == []


def test_language_switcher_keeps_the_page(page, live_server):
    page.goto(live_server.url + "/en/info")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Монгол", exact=True).click()
    expect(page).to_have_url(live_server.url + "/mn/info")
    expect(page.get_by_role("heading", level=1)).to_have_text("Хэрэгцээт мэдээлэл")
    # The choice is remembered: the bare address now opens in Mongolian.
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/mn/")


def test_a_mongolian_phone_lands_in_mongolian(browser, live_server):
    from tests.browser.conftest import PHONE

    context = browser.new_context(**PHONE, locale="mn-MN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/mn/")
    context.close()


def test_htmx_falls_back_to_the_local_copy_when_the_cdn_fails(page, live_server):
    page.goto(live_server.url + "/en/")
    page.wait_for_function("window.htmx !== undefined")
    assert page.evaluate("htmx.version") == htmx.VERSION
    assert page.locator(f'script[src="/static/{htmx.LOCAL_FILE}"]').count() == 1


def test_htmx_from_the_cdn_needs_the_pinned_file(context, live_server):
    local = (ROOT / "app" / "static" / htmx.LOCAL_FILE).read_bytes()
    context.unroute(CDN)
    context.route(CDN, lambda route: route.fulfill(
        body=local, content_type="application/javascript",
        headers={"Access-Control-Allow-Origin": "*"}))
    page = context.new_page()
    page.goto(live_server.url + "/en/")
    page.wait_for_function("window.htmx !== undefined")
    assert page.locator(f'script[src="/static/{htmx.LOCAL_FILE}"]').count() == 0

    # A tampered CDN file fails its integrity check, and the local copy takes over.
    context.unroute(CDN)
    context.route(CDN, lambda route: route.fulfill(
        body=local + b"\n;window.tampered=1;", content_type="application/javascript",
        headers={"Access-Control-Allow-Origin": "*"}))
    page.goto(live_server.url + "/mn/")
    page.wait_for_function("window.htmx !== undefined")
    assert page.evaluate("window.tampered") is None
    assert page.locator(f'script[src="/static/{htmx.LOCAL_FILE}"]').count() == 1


def test_pages_work_without_javascript(no_js_page, live_server):
    page = no_js_page
    page.goto(live_server.url + "/mn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Прогрессив Аллиансын бага хурал")
    page.get_by_role("link", name="Хэрэгцээт мэдээлэл").first.click()
    expect(page).to_have_url(live_server.url + "/mn/info")
    page.get_by_role("link", name="English", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Venue and travel")


def test_a_missing_page_is_explained_in_the_readers_language(page, live_server):
    response = page.goto(live_server.url + "/mn/nowhere")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Хуудас олдсонгүй")
    assert axe_violations(page) == []
