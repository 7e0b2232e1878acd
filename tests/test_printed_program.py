"""The program on paper: /LANG/program/print (made for A4) and /LANG/program.pdf (the same page
laid out by WeasyPrint), in one language or two."""
import io
import os
import time

import pytest

from app import pdf
from app.config import ROOT
from app.events.content import ContentError
from app.program.content import read_session
from tests.conftest import at
from tests.html_tree import parse

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(autouse=True)
def weasyprint_here():
    if not pdf.available():
        if os.environ.get("CI"):
            pytest.fail("Pango missing: `make install` runs scripts/install-pdf-libs.sh")
        pytest.skip("Pango missing: run scripts/install-pdf-libs.sh as root")


@pytest.fixture
def program(make_session, make_room):
    hall = make_room(name={"en": "Main hall", "mn": "Их танхим"})
    hall_b = make_room(name={"en": "Hall B", "mn": "B танхим"})
    make_session(slug="opening", kind="plenary", starts_at=at("2017-05-25 09:30"), ends_at=at("2017-05-25 10:30"),
                 room=hall, interpretation=True, title={"en": "Opening ceremony", "mn": "Нээлтийн ёслол"})
    make_session(slug="coffee", kind="break", starts_at=at("2017-05-25 10:30"), ends_at=at("2017-05-25 11:00"),
                 room=hall, title={"en": "Coffee break", "mn": "Цайны завсарлага"})
    make_session(slug="gender", starts_at=at("2017-05-26 09:00"), room=hall_b, floor_language="mn",
                 title={"en": "Working group on Gender", "mn": "Жендэрийн ажлын хэсэг"})
    make_session(slug="reception", kind="social", starts_at=at("2017-05-25 19:00"), room=hall,
                 title={"en": "Welcome reception", "mn": "Хүлээн авалт"})


def test_the_printed_program_has_every_day_time_room_session_and_break(client, program):
    root = parse(client.get("/en/program/print").get_data(as_text=True))
    table = root.find("table", cls="program")
    days = [th.text() for th in table.find_all("th", scope="rowgroup")]
    assert days == ["Day 1: Thursday, May 25, 2017", "Day 2: Friday, May 26, 2017"]
    rows = [[td.text() for td in tr.find_all("td")] for tr in table.find_all("tr") if "kind-" in tr.attrs.get("class", "")]
    assert rows == [
        ["09:30–10:30", "Opening ceremony Plenary session", "Main hall", "in English, with English–Mongolian interpretation"],
        ["10:30–11:00", "Coffee break Break", "Main hall", ""],
        ["19:00–20:30", "Welcome reception Social program", "Main hall", "in English"],
        ["09:00–10:30", "Working group on Gender Breakout session", "Hall B", "in Mongolian"],
    ]
    # The event's name and dates head the table, which the browser and WeasyPrint repeat on every sheet.
    head = table.find("thead").find("tr", cls="running-head").text()
    assert head == "Progressive Alliance Conference · May 25 – 26, 2017 · Ulaanbaatar, Mongolia"
    # Paper has no buttons, forms or menus; the one line of links is for the screen only.
    assert not root.find_all("nav") and not root.find_all("form") and not root.find_all("button")
    assert [p.classes for p in root.find_all("p") if p.find_all("a")] == [["screen-only"]]


def test_the_printed_program_side_by_side_pairs_titles_and_rooms(client, program):
    root = parse(client.get("/mn/program/print?with=en").get_data(as_text=True))
    opening = next(tr for tr in root.find_all("tr") if "kind-plenary" in tr.attrs.get("class", ""))
    titles = opening.find("td", cls="session").find_all("span", cls="title")
    assert [(t.attrs["lang"], t.text()) for t in titles] == [("mn", "Нээлтийн ёслол"), ("en", "Opening ceremony")]
    rooms = opening.find("td", cls="room").find_all("span")
    assert [(r.attrs["lang"], r.text()) for r in rooms] == [("mn", "Их танхим"), ("en", "Main hall")]
    assert opening.find("span", cls="kind").text() == "Нэгдсэн хуралдаан"  # the chrome stays Mongolian
    assert "Progressive Alliance Conference" in root.find("tr", cls="running-head").text()


def test_the_program_page_links_to_its_print_and_its_pdf(client, program):
    links = {a.text(): a.attrs["href"] for a in parse(client.get("/mn/program").get_data(as_text=True)).find_all("a")}
    assert links["Хөтөлбөрийг хэвлэх (A4)"] == "/mn/program/print"
    assert links["Хөтөлбөрийг PDF файлаар татаж авах"] == "/mn/program.pdf"


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages]


def test_the_pdf_has_both_scripts_as_text_and_the_event_on_every_page(client, program, make_session):
    for hour in range(8, 22):  # enough sessions for a second sheet
        for room in ("A", "B"):
            make_session(starts_at=at(f"2017-05-26 {hour:02}:00"), ends_at=at(f"2017-05-26 {hour:02}:50"),
                         title={"en": f"Breakout {hour} {room} on sustainability", "mn": f"Салбар {hour} {room}: тогтвортой хөгжил"})
    pages = pdf_pages(client.get("/en/program.pdf?with=mn"))
    assert len(pages) >= 2
    text = "\n".join(pages)
    for latin, cyrillic in (("Opening ceremony", "Нээлтийн ёслол"), ("Main hall", "Их танхим"),
                            ("Working group on Gender", "Жендэрийн ажлын хэсэг"), ("Coffee break", "Цайны завсарлага")):
        assert latin in text and cyrillic in text
    assert "Үүлэг" not in text and "ө" in text and "ү" in text  # Mongolian's own letters survive extraction
    for page in pages:
        assert "Progressive Alliance Conference / Прогрессив Аллиансын бага хурал" in page
        assert "May 25\u2009–\u200926, 2017" in page
    assert "Day 2: Friday, May 26, 2017" in text and "in English, with" in text


def test_the_pdf_in_mongolian_names_its_font(client, program):
    response = client.get("/mn/program.pdf")
    text = "\n".join(pdf_pages(response))
    assert "Нэгдүгээр өдөр" in text and "Нээлтийн ёслол" in text and "Opening ceremony" not in text
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVu-Sans" in name for name in fonts), fonts
    assert response.headers["Content-Disposition"] == 'inline; filename="program-mn.pdf"'


def test_the_pdf_is_made_once_per_program_version_and_language_pair(client, program, make_session, monkeypatch):
    made = []
    render = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda *args: made.append(1) or render(*args))
    first = client.get("/en/program.pdf?with=mn")
    again = client.get("/en/program.pdf?with=mn")
    assert again.data == first.data and len(made) == 1
    assert client.get("/en/program.pdf?with=mn", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    client.get("/en/program.pdf")
    client.get("/mn/program.pdf?with=en")
    assert len(made) == 3
    make_session(title={"en": "Added later", "mn": "Сүүлд нэмэгдсэн"})
    fresh = client.get("/en/program.pdf?with=mn", headers={"If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and len(made) == 4 and "Сүүлд нэмэгдсэн" in "".join(pdf_pages(fresh))


def test_a_cold_pdf_is_quick_and_weasyprint_understands_the_whole_stylesheet(client, program, caplog):
    start = time.perf_counter()
    client.get("/en/program.pdf?with=mn")
    assert time.perf_counter() - start < 10  # about a second on a shared 2-core machine; cached afterwards
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_without_pango_the_pdf_says_so_and_the_print_page_still_works(client, program, monkeypatch):
    monkeypatch.setattr(pdf, "HTML", None)
    response = client.get("/en/program.pdf")
    assert response.status_code == 503
    assert "The printable page has the same program." in response.get_data(as_text=True)
    assert client.get("/en/program/print").status_code == 200


def test_weasyprint_reads_only_the_portals_own_static_files():
    fetch = pdf.StaticFilesOnly(str(ROOT / "app" / "static"), "/static").fetch
    assert b"@page" in fetch("http://localhost/static/css/print.css?v=1").read()
    for url in ("http://example.org/x.png", "file:///etc/passwd", "http://localhost/static/../../app/config.py",
                "http://localhost/static/%2e%2e/%2e%2e/app/config.py", "http://169.254.169.254/latest/meta-data",
                "data:text/css,body{}", "http://localhost/en/program"):
        with pytest.raises(ValueError):
            fetch(url)


def test_no_session_may_take_the_printed_programs_address(app, event):
    item = {"slug": "print", "kind": "plenary", "starts_at": at("2017-05-25 09:00"), "ends_at": at("2017-05-25 10:00"),
            "title": {"en": "Print"}}
    with app.app_context(), pytest.raises(ContentError, match="print"):
        read_session(type("E", (), {"id": event, "main_language": "en"})(), item, {})
