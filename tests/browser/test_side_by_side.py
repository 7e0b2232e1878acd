"""Two languages side by side and the program on paper, in Chromium: two columns on a wide screen,
one beneath the other on a phone, no sideways scrolling, axe clean; and what every public page
prints (Chromium's own print to PDF)."""
import io

import pytest
from playwright.sync_api import expect

from sqlalchemy import delete, select, update

from app.events.models import Event
from app.extensions import db
from app.i18n import I18nText
from app.program.models import Session
from tests.browser.conftest import CDN, PHONE, axe_violations
from tests.conftest import at

pypdf = pytest.importorskip("pypdf")

SIDE_BY_SIDE = ["/en/?with=mn", "/mn/?with=en", "/en/info?with=mn", "/en/program?with=mn", "/mn/program/opening?with=en"]
SCREENS = {"phone": {**PHONE, "viewport": {"width": 360, "height": 780}},
           "wide": {"viewport": {"width": 1280, "height": 900}}}


@pytest.fixture(params=list(SCREENS))
def screen(request, browser):
    context = browser.new_context(**SCREENS[request.param])
    context.route(CDN, lambda route: route.abort())
    yield request.param, context.new_page()
    context.close()


def boxes(page, selector: str) -> list[tuple[dict, dict]]:
    """The two sides of each row matching `selector`, as the browser lays them out."""
    return page.eval_on_selector_all(selector, """rows => rows.map(row => [...row.children].slice(0, 2)
        .map(side => { const r = side.getBoundingClientRect();
                       return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width}; }))""")


@pytest.mark.parametrize("path", SIDE_BY_SIDE)
def test_side_by_side_reads_in_two_columns_on_a_wide_screen_and_stacked_on_a_phone(screen, live_server, path):
    kind, page = screen
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, f"{path} scrolls sideways"
    rows = boxes(page, "main .twin")
    assert len(rows) >= 2
    width = page.viewport_size["width"]
    for first, second in rows:
        assert first["width"] > 0 and second["width"] > 0
        assert first["right"] <= width and second["right"] <= width  # both on screen
        if kind == "wide":
            assert second["x"] >= first["right"] and abs(second["y"] - first["y"]) < 2  # side by side
            assert second["width"] > 0.3 * 928 / 2  # two real columns, not a squeezed one
        else:
            assert second["y"] >= first["bottom"] - 1  # the translation directly beneath
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/en/program/print", "/mn/program/print?with=en"])
def test_the_printed_program_fits_any_screen(screen, live_server, path):
    _kind, page = screen
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert axe_violations(page) == []


def test_the_switcher_opens_side_by_side_and_goes_back_to_one_language(page, live_server):
    page.goto(live_server.url + "/en/info")
    page.get_by_role("link", name="Side by side with Монгол").click()
    expect(page).to_have_url(live_server.url + "/en/info?with=mn")
    expect(page.locator("h1 [lang=mn]")).to_have_text("Хэрэгцээт мэдээлэл")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="English", exact=True).click()
    expect(page).to_have_url(live_server.url + "/en/info")


def printed(page) -> list[str]:
    """The page as Chromium prints it (A4), one text per sheet."""
    page.emulate_media(media="print")
    return [sheet.extract_text() for sheet in pypdf.PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]


@pytest.mark.parametrize("path, first_words", [
    ("/en/", "Progressive Alliance Conference"), ("/mn/info", "Хэрэгцээт мэдээлэл"),
    ("/en/privacy", "Privacy notice"), ("/en/program", "Program"), ("/en/program/opening", "Opening ceremony"),
    ("/en/register", "Registration"), ("/mn/subscribe", "Шинэ мэдээ авах"), ("/en/program?with=mn", "Program"),
])
def test_every_public_page_prints_its_text_from_the_first_sheet_without_menus_or_buttons(page, live_server, path,
                                                                                         first_words):
    page.goto(live_server.url + path)
    sheets = printed(page)
    assert first_words in sheets[0], sheets[0][:300]  # no blank or menu-only first sheet
    shown = page.eval_on_selector_all("nav, form, button, .button, .skip",
                                      "found => found.filter(e => e.getClientRects().length).map(e => e.outerHTML.slice(0, 80))")
    assert shown == []
    text = "\n".join(sheets)
    assert "Skip to main content" not in text and "Үндсэн агуулга руу шилжих" not in text
    # Links print as readable text: dark, not the screen's red.
    colours = page.eval_on_selector_all("main a", """found => found.filter(a => a.getClientRects().length)
        .map(a => [a.textContent.trim().slice(0, 40), getComputedStyle(a).color])""")
    assert [(text, colour) for text, colour in colours
            if max(int(c) for c in colour[4:-1].split(",")[:3]) > 40] == []


def test_the_invitation_prints_as_a_letter(page, live_server):
    page.goto(live_server.url + "/en/")
    sheets = printed(page)
    first = sheets[0]
    # Letterhead, then the letter itself on the first sheet; its signature at the end.
    assert first.index("Progressive Alliance Conference") < first.index("Dear Comrades, dear Friends,")
    assert "Social Justice and Sustainability" in first and "May 25" in first
    assert "Coordinator of the Progressive Alliance" in sheets[-1] or "Coordinator of the Progressive Alliance" in sheets[-2]
    assert "Register for the conference" not in "".join(sheets)


def test_the_printed_program_names_the_event_and_its_dates_on_every_sheet(page, live_server):
    page.goto(live_server.url + "/en/program/print?with=mn")
    sheets = printed(page)
    assert len(sheets) >= 2
    for sheet in sheets:
        assert "Progressive Alliance Conference" in sheet and "2017" in sheet
    text = "\n".join(sheets)
    assert "Opening ceremony" in text and "Нээлтийн ёслол" in text and "Download the program as PDF" not in text


def test_a_longer_program_still_names_the_event_on_every_sheet(page, live_server):
    """Sessions added one at a time, so that the program ends at every height of its last sheet:
    the hosts' lines at its end stay under the running head wherever the page breaks (they once
    spilled alone onto a sheet without it)."""
    slugs = []
    try:
        for n in range(10):
            with live_server.app.app_context():
                slugs.append(f"longer-{n}")
                db.session.add(Session(
                    event_id=db.session.scalar(select(Event.id)), slug=slugs[-1], kind="breakout", signup="open",
                    capacity=20, title=I18nText({"en": f"Extra session {n}", "mn": f"Нэмэлт хуралдаан {n}"}),
                    description=I18nText({}), speakers=I18nText({}),
                    starts_at=at(f"2017-05-26 {18 + n // 4}:{n % 4 * 15:02d}"),
                    ends_at=at(f"2017-05-26 {18 + n // 4}:{n % 4 * 15 + 10:02d}")))
                db.session.execute(update(Event).values(program_version=Event.program_version + 1))
                db.session.commit()
            page.goto(live_server.url + "/en/program/print?with=mn")
            sheets = printed(page)
            assert all("Progressive Alliance Conference" in sheet for sheet in sheets), (n, len(sheets))
            assert "Questions? Write to the hosts" in sheets[-1]
    finally:
        with live_server.app.app_context():
            db.session.execute(delete(Session).where(Session.slug.in_(slugs)))
            db.session.execute(update(Event).values(program_version=Event.program_version + 1))
            db.session.commit()
