"""Badges (/LANG/hosts/badges.pdf): whose (the registrations list's filters; those coming by
default), what each prints (the name in Latin letters and in the delegate's own script where the
font has it, organisation, country, the event), the QR code that opens the badge's check-in page
and names nothing else, the two layouts, hostile names, who may print them and the audit log."""
import io
import re
from urllib.parse import urlsplit

import pytest
import segno
from PIL import Image
from sqlalchemy import select

from app import pdf
from app.extensions import db
from app.hosts import badges
from app.hosts.models import AuditEntry
from app.registration.models import Registration
from tests.conftest import register
from tests.test_hosts import coordinator, plain_host  # noqa: F401 (fixtures)

pypdf = pytest.importorskip("pypdf")

BATBAYAR = dict(given_name="Батбаяр", family_name="Өлзий", passport_given_name="Batbayar",
                passport_family_name="Ulzii", country="MN", organisation="Монгол Ардын Нам")
ANA = dict(given_name="Ana", family_name="García", country="ES", organisation="PSOE")
XIAOMING = dict(given_name="小明", family_name="王", passport_given_name="Xiaoming", passport_family_name="Wang",
                country="CN", organisation="International Department")
SOMCHAI = dict(given_name="สมชาย", family_name="ใจดี", passport_given_name="Somchai", passport_family_name="Jaidee",
               country="TH", organisation="พรรคเพื่อไทย")


@pytest.fixture(autouse=True)
def weasyprint_here():
    if not pdf.available():
        pytest.skip("Pango missing: run scripts/install-pdf-libs.sh as root")


def badge_pages(response) -> list[str]:
    """The text of each page of a badges PDF."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages]


def drawn_images(page) -> list:
    """The images a page draws (WeasyPrint lists every image of the document in each page's resources)."""
    drawn = re.findall(rb"/(\w+) Do", page.get_contents().get_data())
    return [image for image in page.images if image.name.rsplit(".", 1)[0].encode() in drawn]


def qr_images(page) -> list:
    """The QR codes a page draws (square; the event's band is wide)."""
    return [image for image in drawn_images(page) if image.image.width == image.image.height]


def lines(page: str) -> list[str]:
    """A page's lines of text, blank ones left out."""
    return [line for line in page.split("\n") if line.strip()]


def flat(text: str) -> str:
    """The text with its line breaks gone (a wrapped name is one name)."""
    return re.sub(r"\s+", "", text)


def registration(app, email) -> Registration:
    with app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.email_key == email))
        db.session.expunge(found)
        return found


def audit_entries(app, action="badges.printed"):
    with app.app_context():
        return db.session.execute(select(AuditEntry.after, AuditEntry.host_id).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).all()


# The rules, as plain functions

def test_a_badge_prints_letters_and_marks_and_leaves_off_controls_and_symbols():
    assert badges.printable("  Ana \t García ") == "Ana García"
    assert badges.printable("Ana 🦄😀👍🏽 García ❤️") == "Ana García"  # emoji, skin tones, variation selectors
    assert badges.printable("dorj\u202etxet\u202c") == "dorjtxet"  # a right-to-left override has no say
    assert badges.printable("Ana\x00\u200b\u00adMaría") == "AnaMaría"
    assert badges.printable("e\u0301") == "é"  # NFC
    assert badges.printable("Z" + "\u0336" * 40) == "Z" + "\u0336" * 3  # a pile of combining marks is cut
    assert badges.printable("Nguyễn Thị Ánh") == "Nguyễn Thị Ánh"
    assert badges.printable("می\u200cخواهم") == "می\u200cخواهم"  # a Persian word keeps its joiner


@pytest.mark.parametrize("text, has", [
    ("Батбаяр Өлзий", True), ("Ελένη", True), ("محمد العلي", True), ("שרה לוי", True), ("Նարեկ", True),
    ("ნინო", True), ("Nguyễn Thị", True),
    ("王小明", False), ("สมชาย", False), ("राम", False), ("김민준", False), ("田中", False),
])
def test_the_font_has_latin_cyrillic_greek_arabic_hebrew_but_no_chinese_thai_or_devanagari(text, has):
    assert badges.covered(text) is has


def test_the_fonts_table_is_read_once_per_process():
    badges.coverage()
    assert badges.coverage.cache_info().currsize == 1 and badges._metrics.cache_info().currsize == 2


def test_a_name_gets_the_largest_size_on_one_line_then_wraps_larger_then_is_shortened():
    def set_as(text):
        line = badges.fit(text, "bold", badges.NAME)
        return line.size, badges.wrapped_lines(line.text, "bold", line.size)

    assert set_as("Ana García") == (30, ["Ana García"])
    assert set_as("Enkhjargal Tserendulam") == (30, ["Enkhjargal", "Tserendulam"])  # two lines at 30 pt, not one at 18
    assert set_as("Oyuunchimeg Tserendulam-Dolgorsuren") == (16, ["Oyuunchimeg", "Tserendulam-Dolgorsuren"])
    size, lines = set_as("Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Senior")
    assert size < badges.BIG and len(lines) == 3 and lines[-1].endswith("Senior")  # three lines only when small
    size, lines = set_as("A" * 300)
    assert size == 12 and len(lines) == 3 and lines[-1].endswith("…")  # the smallest size, shortened
    # Every other line of the badge keeps to its setting too.
    for setting in (badges.OWN_NAME, badges.ORGANISATION, badges.COUNTRY, badges.EVENT_NAME):
        line = badges.fit("Сайн байна уу " * 30, "regular", setting)
        assert len(badges.wrapped_lines(line.text, "regular", line.size)) <= setting.most_lines


def test_the_name_on_a_badge_is_the_passport_spelling_and_the_own_script_beneath_where_the_font_has_it():
    def badge(**names):
        return badges.badge(Registration(country="MN", organisation="P", **names), "/badges/qr-1.png")

    mongolian = badge(**{k: v for k, v in BATBAYAR.items() if k not in ("country", "organisation")})
    assert (mongolian.name.text, mongolian.own.text) == ("Batbayar Ulzii", "Батбаяр Өлзий")
    transliterated = badge(given_name="Батбаяр", family_name="Өлзий", passport_given_name="", passport_family_name="")
    assert (transliterated.name.text, transliterated.own.text) == ("Batbayar Ulzii", "Батбаяр Өлзий")
    latin = badge(given_name="José", family_name="Núñez", passport_given_name="JOSE", passport_family_name="NUNEZ")
    assert latin.name.text == "JOSE NUNEZ" and latin.own is None  # the same name, in other case and accents
    chinese = badge(given_name="小明", family_name="王", passport_given_name="Xiaoming", passport_family_name="Wang")
    assert chinese.name.text == "Xiaoming Wang" and chinese.own is None
    arabic = badge(given_name="محمد", family_name="العلي", passport_given_name="Mohammed", passport_family_name="Al-Ali")
    assert arabic.own.text == "محمد العلي" and arabic.own.rtl and not arabic.name.rtl


def test_the_country_is_named_in_english_and_in_mongolian():
    assert badges.country_line("DE") == "Germany · Герман"
    assert badges.country_line("MN") == "Mongolia · Монгол"


def test_an_unknown_layout_is_the_a4_sheet():
    assert [badges.layout_named(value) for value in ("a4", "a6", "A6", "a5", "", None, "a6\x00")] == \
        ["a4", "a6", "a4", "a4", "a4", "a4", "a4"]


def qr_modules(image: Image.Image) -> list[list[bool]]:
    """The dark modules of a QR image drawn one pixel per module."""
    grey = image.convert("L")
    return [[grey.getpixel((x, y)) < 128 for x in range(grey.width)] for y in range(grey.height)]


def segno_modules(payload: str) -> list[list[bool]]:
    """The modules segno makes for `payload` (mask 0), with the standard's quiet zone of 4."""
    code = segno.make(payload, error="m", mask=0, micro=False)
    return [[bool(dark) for dark in row] for row in code.matrix_iter(scale=1, border=4)]


def test_the_qr_image_is_the_code_of_its_payload_one_pixel_per_module():
    url = "https://portal.example.org/en/hosts/checkin/Zq3v9-X_abcdEFGH"
    image = Image.open(io.BytesIO(badges.qr_png(url)))
    assert image.mode == "L" and image.width == image.height == 33 + 8  # version 4, with its quiet zone
    assert qr_modules(image) == segno_modules(url)


# The PDF

def set_status(app, email, status):
    with app.app_context():
        db.session.scalar(select(Registration).where(Registration.email_key == email)).status = status
        db.session.commit()


@pytest.fixture
def delegates(app, make_delegate):
    """Four delegates coming, with Mongolian, Spanish, Chinese and Thai names (Ana confirmed, the
    others pending), and two who are not: one declined, one cancelled."""
    made = {"batbayar": make_delegate("batbayar", **BATBAYAR), "ana": make_delegate("ana", **ANA),
            "xiaoming": make_delegate("xiaoming", **XIAOMING), "somchai": make_delegate("somchai", **SOMCHAI),
            "declined": make_delegate("declined", given_name="Declan", family_name="Declined", country="IE"),
            "cancelled": make_delegate("cancelled", given_name="Cass", family_name="Cancelled", country="GB")}
    set_status(app, "ana@example.org", "confirmed")
    set_status(app, "declined@example.org", "declined")
    set_status(app, "cancelled@example.org", "cancelled")
    return made


def test_badges_print_names_in_latin_and_own_script_country_and_organisation(app, coordinator, delegates):
    pages = badge_pages(coordinator.get("/en/hosts/badges.pdf?sort=name&layout=a6"))
    assert len(pages) == 4  # the declined and the cancelled are not coming
    text = "\n".join(pages)
    assert "Declan" not in text and "Cass" not in text
    by_name = {lines(page)[0]: lines(page) for page in pages}
    assert by_name["Batbayar Ulzii"] == ["Batbayar Ulzii", "Батбаяр Өлзий", "Монгол Ардын Нам", "Mongolia · Монгол"]
    assert by_name["Ana García"] == ["Ana García", "PSOE", "Spain · Испани"]
    # No font for Chinese or Thai: the passport spelling only, and an organisation in Thai is left off.
    assert by_name["Xiaoming Wang"] == ["Xiaoming Wang", "International Department", "China · Хятад"]
    assert by_name["Somchai Jaidee"] == ["Somchai Jaidee", "Thailand · Тайланд"]
    assert not re.search("[\u4e00-\u9fff\u0e00-\u0e7f]", text)
    assert [line for page in pages for line in lines(page) if line.startswith("Ana")] == ["Ana García"]


def test_a4_sheets_hold_four_badges_and_a6_pages_one(app, coordinator, make_delegate):
    for number in range(9):
        make_delegate(f"d{number}", given_name=f"Delegate{number}", family_name="Dorj")
    a4 = badge_pages(coordinator.get("/en/hosts/badges.pdf"))
    a6 = badge_pages(coordinator.get("/en/hosts/badges.pdf?layout=a6"))
    unknown = badge_pages(coordinator.get("/en/hosts/badges.pdf?layout=letter%00"))
    assert (len(a4), len(a6), len(unknown)) == (3, 9, 3)
    assert [len(re.findall(r"Delegate\d Dorj", page)) for page in a4] == [4, 4, 1]
    reader = pypdf.PdfReader(io.BytesIO(coordinator.get("/en/hosts/badges.pdf").data))
    width, height = (float(value) * 25.4 / 72 for value in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (210, 297)
    reader = pypdf.PdfReader(io.BytesIO(coordinator.get("/en/hosts/badges.pdf?layout=a6").data))
    width, height = (float(value) * 25.4 / 72 for value in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (105, 148)
    assert [len(qr_images(page)) for page in reader.pages] == [1] * 9


def test_the_event_heads_every_badge_in_english_and_mongolian_as_one_shared_image(app, coordinator, delegates):
    reader = pypdf.PdfReader(io.BytesIO(coordinator.get("/en/hosts/badges.pdf?layout=a6").data))
    bands = [[image for image in drawn_images(page) if image.image.width > image.image.height] for page in reader.pages]
    assert [len(band) for band in bands] == [1] * 4 and len({band[0].name for band in bands}) == 1
    band = bands[0][0].image
    assert band.width == round(91 / 25.4 * 600) and 12 < band.height / 600 * 25.4 < 20  # 91 mm wide, 600 dpi
    with app.test_request_context("/en/hosts/badges.pdf"):
        from app.events.services import current_event
        lines_ = badges.event_lines(current_event())
    assert [(line.text, line.lang, line.bold) for line in lines_] == [
        ("Progressive Alliance Conference", "en", True), ("Прогрессив Аллиансын бага хурал", "mn", True),
        ("Ulaanbaatar, Mongolia · May 25\u2009–\u200926, 2017", "en", False)]


def test_without_the_fonts_files_the_event_is_printed_as_text(app, coordinator, delegates, monkeypatch, tmp_path):
    monkeypatch.setattr(badges, "FONT_FOLDER", tmp_path)
    for cached in (badges.coverage, badges._metrics, badges.event_band):
        cached.cache_clear()
    try:
        pages = badge_pages(coordinator.get("/en/hosts/badges.pdf?layout=a6&sort=name"))
        # Only what every common font has is trusted: Latin, Greek and Cyrillic, no Arabic.
        assert not badges.covered("محمد") and badges.covered("Ελένη")
    finally:
        for cached in (badges.coverage, badges._metrics, badges.event_band):
            cached.cache_clear()
    assert lines(pages[0])[:4] == ["Progressive Alliance Conference", "Прогрессив Аллиансын бага хурал",
                                   "Ulaanbaatar, Mongolia · May 25\u2009–\u200926, 2017", "Ana García"]
    assert lines(pages[1])[3:5] == ["Batbayar Ulzii", "Батбаяр Өлзий"]


def test_the_list_filters_choose_whose_badges(app, coordinator, delegates):
    def names(query):
        pages = badge_pages(coordinator.get("/en/hosts/badges.pdf?layout=a6&" + query))
        return sorted(lines(page)[0] for page in pages)

    assert names("status=declined") == ["Declan Declined"]  # a status chosen: that one, coming or not
    assert names("status=confirmed") == ["Ana García"]
    assert names("country=MN") == ["Batbayar Ulzii"]
    assert names("q=өлзий") == ["Batbayar Ulzii"]  # the list's search, in Cyrillic
    assert names("q=wang") == ["Xiaoming Wang"]  # and in the passport spelling
    assert names("sort=name") == ["Ana García", "Batbayar Ulzii", "Somchai Jaidee", "Xiaoming Wang"]


def test_badges_come_in_the_lists_order(app, coordinator, delegates):
    pages = badge_pages(coordinator.get("/en/hosts/badges.pdf?layout=a6&sort=country"))
    countries = [lines(page)[-1] for page in pages]
    assert countries == ["China · Хятад", "Spain · Испани", "Mongolia · Монгол", "Thailand · Тайланд"]


def test_no_badge_to_print_says_so_in_the_consoles_language(app, coordinator, delegates):
    response = coordinator.get("/mn/hosts/badges.pdf?q=nobody")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "хэвлэх үнэмлэх алга" in response.get_data(as_text=True)
    assert audit_entries(app) == []


def test_a_search_the_list_refuses_is_refused_here_too(app, coordinator, delegates):
    for query in ("q=" + "a" * 101, "q=ana%00", "arrival=25.05.2017", "status=unknown"):
        response = coordinator.get("/en/hosts/badges.pdf?" + query)
        assert response.status_code == 422, query
        assert response.mimetype == "text/html" and "Please correct" in response.get_data(as_text=True)
    assert audit_entries(app) == []


def test_more_badges_than_one_pdf_holds_are_refused_with_the_way_out(app, coordinator, delegates, monkeypatch):
    monkeypatch.setattr(badges, "MOST_BADGES", {"a4": 4, "a6": 3})
    assert len(badge_pages(coordinator.get("/en/hosts/badges.pdf"))) == 1  # four on one sheet: allowed
    response = coordinator.get("/en/hosts/badges.pdf?layout=a6")
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "has 4 delegates, and one PDF holds at most 3 badges" in response.get_data(as_text=True)
    mongolian = coordinator.get("/mn/hosts/badges.pdf?layout=a6").get_data(as_text=True)
    assert "хамгийн ихдээ 3 үнэмлэх" in mongolian
    assert len(badge_pages(coordinator.get("/en/hosts/badges.pdf?layout=a6&country=MN"))) == 1  # in parts
    assert [after["rows"] for after, _host in audit_entries(app)] == [4, 1]


HOSTILE = {
    # As long as the form takes (100 letters a name, 200 the organisation).
    "long": dict(given_name=("Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessen" * 2)[:100],
                 family_name="Ba" * 50, organisation=("Sozialdemokratische Partei Deutschlands " * 6)[:200]),
    "rtl": dict(given_name="שרה", family_name="לוי", passport_given_name="Sarah", passport_family_name="Levi",
                organisation="מפלגת העבודה"),
    "override": dict(given_name="Dorj\u202eyrotciv", family_name="Bat\u2066"),
    "combining": dict(given_name="Z\u0337\u0327\u031b" + "\u0336" * 30 + "algo", family_name="Nguyễn"),
    "emoji": dict(given_name="Ana 🦄", family_name="Smile 😀👍🏽", organisation="🌹 Party ❤️"),
    "markup": dict(given_name="<b>Bold</b>", family_name="</p><img src=x>", organisation="<script>alert(1)</script>"),
}


def test_hostile_names_never_break_a_badge(app, coordinator, make_delegate):
    for name, fields in HOSTILE.items():
        make_delegate(name, **fields)
    pages = badge_pages(coordinator.get("/en/hosts/badges.pdf?layout=a6&sort=oldest"))
    assert len(pages) == len(HOSTILE)
    long, rtl, override, combining, emoji, markup = pages
    assert flat("Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessen") in flat(long)
    assert "…" in long and lines(long)[-1] == "Spain · Испани"  # shortened, and the rest of the badge is there
    assert "Sarah Levi" in rtl and "שרה לוי" in rtl and "מפלגת העבודה" in rtl
    assert "Dorjyrotciv Bat" in override and "\u202e" not in override
    assert "algo Nguyễn" in combining and combining.count("\u0336") <= 3
    assert "Ana Smile" in emoji and "Party" in emoji and not re.search("[\U0001F300-\U0001FAFF\u2764]", emoji)
    assert flat("<b>Bold</b> </p><img src=x>") in flat(markup) and "<script>alert(1)</script>" in markup  # as text


def test_the_qr_code_opens_the_badges_check_in_page_and_names_nothing_else(app, coordinator, delegates):
    response = coordinator.get("/mn/hosts/badges.pdf?layout=a6&sort=name")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    for page in reader.pages:
        latin = lines(page.extract_text())[0]
        who = next(r for r in (registration(app, f"{key}@example.org") for key in delegates)
                   if f"{r.passport_given_name or r.given_name} {r.passport_family_name or r.family_name}" == latin)
        url = f"http://localhost/mn/hosts/checkin/{who.checkin_code}"  # the console's language
        [image] = qr_images(page)
        assert qr_modules(image.image) == segno_modules(url), latin
        assert urlsplit(url).path.split("/")[-1] == who.checkin_code and str(who.id) != who.checkin_code
    # The check-in code is not in the text: only the camera reads it.
    assert "checkin" not in "".join(page.extract_text() for page in reader.pages)


def test_the_qr_payload_is_the_absolute_check_in_address_on_the_portals_url(app, make_delegate):
    delegate = make_delegate("ana", **ANA)
    app.config["PORTAL_URL"] = "https://portal.example.org"
    with app.test_request_context("/en/hosts/badges.pdf"):
        url = badges.checkin_url(delegate, "en")
    assert url == f"https://portal.example.org/en/hosts/checkin/{delegate.checkin_code}"
    assert "Ana" not in url and "García" not in url and f"/{delegate.id}" not in url


def test_the_check_in_page_the_qr_opens_names_the_delegate(app, coordinator, delegates):
    who = registration(app, "batbayar@example.org")
    page = coordinator.get(f"/en/hosts/checkin/{who.checkin_code}")
    assert page.status_code == 200 and "Batbayar" in page.get_data(as_text=True)


def test_each_printing_is_in_the_audit_log_with_its_filters_and_count(app, coordinator, delegates):
    coordinator.get("/en/hosts/badges.pdf?country=MN&layout=a6")
    coordinator.get("/en/hosts/badges.pdf")
    entries = audit_entries(app)
    assert [after for after, _host in entries] == [
        {"filters": {"country": "MN"}, "rows": 1, "format": "a6"},
        {"filters": {}, "rows": 4, "format": "a4"},
    ]
    log = coordinator.get("/en/hosts/audit").get_data(as_text=True)
    assert "Badges printed" in log and "Badges, one to an A6 page" in log
    assert "Үнэмлэх хэвлэсэн" in coordinator.get("/mn/hosts/audit").get_data(as_text=True)


def test_any_host_may_print_badges(app, plain_host, delegates):
    assert len(badge_pages(plain_host.get("/en/hosts/badges.pdf?layout=a6"))) == 4


def test_signed_out_or_as_a_delegate_no_badge_is_printed(app, client, open_registration, make_host):
    make_host()
    response = client.get("/en/hosts/badges.pdf?layout=a6")
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/hosts/login?next=/en/hosts/badges.pdf?layout%3Da6"
    assert register(client).status_code == 303  # now signed in as a delegate
    response = client.get("/en/hosts/badges.pdf")
    assert response.status_code == 303 and "/hosts/login" in response.headers["Location"]
    assert "García" not in response.get_data(as_text=True)
    assert audit_entries(app) == []


def test_the_badge_pdf_is_inline_private_and_weasyprint_has_no_complaint(app, coordinator, delegates, caplog):
    response = coordinator.get("/en/hosts/badges.pdf?layout=a6")
    assert response.headers["Content-Disposition"] == "inline; filename=badges-a6.pdf"
    assert "private" in response.headers["Cache-Control"] or "no-store" in response.headers["Cache-Control"]
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_without_pango_the_badges_say_so(app, coordinator, delegates, monkeypatch):
    monkeypatch.setattr(pdf, "HTML", None)
    response = coordinator.get("/mn/hosts/badges.pdf")
    assert response.status_code == 503 and "PDF" in response.get_data(as_text=True)
    assert audit_entries(app) == []


def test_the_registrations_list_links_to_badges_with_its_filters(app, coordinator, delegates):
    page = coordinator.get("/en/hosts/registrations?country=MN&sort=name&q=bat").get_data(as_text=True)
    links = dict(re.findall(r'<a class="button secondary" href="([^"]+)"[^>]*>([^<]+)</a>', page))
    assert links["/en/hosts/badges.pdf?q=bat&amp;country=MN&amp;sort=name"] == "Badges (PDF)"
    assert links["/en/hosts/badges.pdf?layout=a6&amp;q=bat&amp;country=MN&amp;sort=name"] == "Badges on A6 (PDF)"
    mongolian = coordinator.get("/mn/hosts/registrations").get_data(as_text=True)
    assert "Үнэмлэх (PDF)" in mongolian
