"""Pages read in two languages at once (`?with=OTHER`): the invitation, the technical details, the
program and a session, each text beside its translation with its own `lang`; odd values ignored."""
import pytest
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.i18n import I18nText
from tests.conftest import at, csrf_token, register
from tests.html_tree import pairs, parse
from tests.test_program import QueryCounter

INVITATION = {
    "en": "Dear Comrades, dear Friends,\n\nWe are pleased to invite you to Ulaanbaatar.\n\n"
          "The conference looks at social justice.\n\nPlease register by 8 May 2017.\n\nKind regards,\\\nthe hosts",
    "mn": "Эрхэм нөхөд, хүндэт найз нөхөд өө,\n\nТа бүхнийг Улаанбаатарт урьж байна.\n\n"
          "Бага хурал нийгмийн шударга ёсны асуудлыг хэлэлцэнэ.\n\nТа бүхэн 2017 оны 5-р сарын 8-ны дотор бүртгүүлнэ үү.\n\n"
          "Хүндэтгэсэн,\\\nзохион байгуулагчид",
}
INFO = {
    "en": "> Draft.\n\n## Venue\n\nIn the city.\n\n## Weather\n\n- Cool nights.\n- Wind.\n",
    "mn": "> Урьдчилсан мэдээлэл.\n\n## Болох газар\n\nХотын төвд.\n\n## Цаг агаар\n\n- Шөнөдөө сэрүүн.\n- Салхитай.\n",
}


def set_page(app, slug, body):
    with app.app_context():
        event = db.session.scalars(select(Event)).first()
        event.page(slug).body = I18nText(body)
        db.session.commit()


@pytest.fixture
def pages(app, event):
    set_page(app, "invitation", INVITATION)
    set_page(app, "info", INFO)


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.replace("\\\n", " ").split()) for p in text.split("\n\n")]


def test_each_paragraph_of_the_invitation_stands_beside_its_translation_in_order(client, pages):
    root = parse(client.get("/en/?with=mn").get_data(as_text=True))
    letter = root.find("article", cls="letter")
    rows = pairs(letter)
    assert rows[0] == (("en", "Invitation"), ("mn", "Урилга"))
    assert rows[1:] == [(("en", en), ("mn", mn)) for en, mn in
                        zip(paragraphs(INVITATION["en"]), paragraphs(INVITATION["mn"]))]


def test_read_from_the_mongolian_page_mongolian_comes_first_and_the_chrome_stays_mongolian(client, pages):
    root = parse(client.get("/mn/?with=en").get_data(as_text=True))
    assert root.find("html").attrs["lang"] == "mn"
    hero = root.find("section", cls="hero")
    assert pairs(hero)[0] == (("mn", "Прогрессив Аллиансын бага хурал"), ("en", "Progressive Alliance Conference"))
    assert [row[1] for row in pairs(hero)][2][0] == "en" and "May 25" in pairs(hero)[2][1][1]
    assert "2017 оны тавдугаар сарын 25–26" in pairs(hero)[2][0][1]
    assert pairs(root.find("article", cls="letter"))[1] == (("mn", paragraphs(INVITATION["mn"])[0]),
                                                           ("en", paragraphs(INVITATION["en"])[0]))
    nav = root.find("nav", cls="main-nav")
    assert "Хөтөлбөр" in nav.text() and "Program" not in nav.text()
    assert root.find("a", cls="button").text() == "Бага хуралд бүртгүүлэх"


def test_every_paired_element_says_its_language(client, pages):
    for path, first, second in (("/en/?with=mn", "en", "mn"), ("/mn/info?with=en", "mn", "en")):
        root = parse(client.get(path).get_data(as_text=True))
        twins = root.find_all(cls="twin")
        assert len(twins) > 3, path
        for twin in twins:
            assert [e.attrs.get("lang") for e in twin.elements] == [first, second], (path, twin.text())


def test_the_technical_details_pair_heading_by_heading(client, pages):
    rows = pairs(parse(client.get("/en/info?with=mn").get_data(as_text=True)).find("article"))
    assert [(a[1], b[1]) for a, b in rows] == [
        ("Venue and travel", "Хэрэгцээт мэдээлэл"), ("Draft.", "Урьдчилсан мэдээлэл."), ("Venue", "Болох газар"),
        ("In the city.", "Хотын төвд."), ("Weather", "Цаг агаар"), ("Cool nights. Wind.", "Шөнөдөө сэрүүн. Салхитай."),
    ]


def test_a_text_missing_in_the_second_language_shows_the_main_language_marked_as_such(app, client, event):
    set_page(app, "info", {"en": "Only in English."})
    rows = pairs(parse(client.get("/en/info?with=mn").get_data(as_text=True)).find("article"))
    assert rows[1] == (("en", "Only in English."), ("en", "Only in English."))


@pytest.fixture
def sessions(make_session, make_room):
    hall = make_room(name={"en": "Main hall", "mn": "Их танхим"})
    make_session(slug="opening", kind="plenary", starts_at=at("2017-05-25 09:30"), room=hall, interpretation=True,
                 title={"en": "Opening ceremony", "mn": "Нээлтийн ёслол"},
                 description={"en": "Welcome.\n\nOpening remarks.", "mn": "Угтан авах.\n\nНээлтийн үг."},
                 speakers={"en": "To be announced", "mn": "Дараа мэдэгдэнэ"})
    make_session(slug="coffee", kind="break", starts_at=at("2017-05-25 10:30"), room=hall,
                 title={"en": "Coffee break", "mn": "Цайны завсарлага"})
    make_session(slug="asia", title={"en": "Asian countries", "mn": "Азийн орнууд"}, capacity=30)
    make_session(slug="english-only", title={"en": "Only in English"})


def test_the_program_pairs_session_by_session(client, sessions):
    root = parse(client.get("/en/program?with=mn").get_data(as_text=True))
    cards = {card.attrs["id"]: card for card in root.find_all("article", cls="session-card")}
    assert pairs(cards["session-opening"])[0] == (("en", "Opening ceremony Main hall"), ("mn", "Нээлтийн ёслол Их танхим"))
    assert pairs(cards["session-coffee"])[0] == (("en", "Coffee break Main hall"), ("mn", "Цайны завсарлага Их танхим"))
    assert pairs(cards["session-asia"])[0] == (("en", "Asian countries"), ("mn", "Азийн орнууд"))
    # A title without its Mongolian text shows the English, marked as English.
    assert pairs(cards["session-english-only"])[0] == (("en", "Only in English"), ("en", "Only in English"))
    heading = cards["session-opening"].find("h3", id="session-opening-title-mn")
    assert heading.lang() == "mn" and heading.find("a").attrs["href"] == "/en/program/opening?with=mn"
    # Kinds, languages and seats are the page's chrome: in English only.
    assert "Plenary session · in English, with English–Mongolian interpretation" in cards["session-opening"].text()
    assert "30 seats left of 30" in cards["session-asia"].text()


def test_a_session_page_pairs_its_description_and_speakers(client, sessions):
    root = parse(client.get("/mn/program/opening?with=en").get_data(as_text=True))
    assert [e.attrs["lang"] for e in root.find("h1").elements] == ["mn", "en"]
    assert [(a[1], b[1]) for a, b in pairs(root.find("main"))][:4] == [
        ("Нээлтийн ёслол", "Opening ceremony"), ("Угтан авах.", "Welcome."), ("Нээлтийн үг.", "Opening remarks."),
        ("Дараа мэдэгдэнэ", "To be announced")]
    assert root.find("p", cls="breadcrumb").find("a").attrs["href"] == "/mn/program?with=en"


def test_the_language_switcher_offers_side_by_side_and_back(client, pages):
    root = parse(client.get("/en/info").get_data(as_text=True))
    switcher = root.find("nav", cls="languages")
    pair_link = switcher.find("a", cls="pair-link")
    assert pair_link.text() == "Side by side with Монгол" and pair_link.attrs["href"] == "/en/info?with=mn"
    assert pair_link.find("span", lang="mn").text() == "Монгол"
    root = parse(client.get("/en/info?with=mn").get_data(as_text=True))
    links = {a.text(): a for a in root.find("nav", cls="languages").find_all("a")}
    assert links["Side by side with Монгол"].attrs.get("aria-current") == "true"
    assert links["English"].attrs["href"] == "/en/info" and "aria-current" not in links["English"].attrs
    assert links["Монгол"].attrs["href"] == "/mn/info"
    alternates = [link.attrs["href"] for link in root.find_all("link", rel="alternate")]
    assert alternates == ["http://localhost/en/info", "http://localhost/mn/info"]
    assert parse(client.get("/mn/?with=en").get_data(as_text=True)).find("a", cls="pair-link").text() == \
        "English хэлтэй зэрэгцүүлж харах"


def test_only_pages_with_the_events_texts_offer_side_by_side(client, event):
    for path in ("/en/register", "/en/privacy", "/en/subscribe", "/en/me/link"):
        assert 'class="pair-link"' not in client.get(path).get_data(as_text=True), path
    assert client.get("/en/privacy?with=mn").status_code == 200


def test_links_from_a_side_by_side_page_keep_the_pair_where_it_exists(client, sessions):
    root = parse(client.get("/en/program?with=mn").get_data(as_text=True))
    hrefs = {a.text(): a.attrs["href"] for a in root.find_all("a")}
    assert hrefs["Home"] == "/en/?with=mn" and hrefs["Venue and travel"] == "/en/info?with=mn"
    assert hrefs["Print the program (A4)"] == "/en/program/print?with=mn"
    assert hrefs["Download the program as PDF"] == "/en/program.pdf?with=mn"
    assert hrefs["Register"] == "/en/register" and hrefs["Add the program to your calendar"] == "/en/program.ics"


ODD = ["xx", "en", "EN", "mn&with=mn", "mn&with=en", "", "mn%20", "%3Cscript%3Ealert(1)%3C/script%3E",
       "..%2F..%2Fetc%2Fpasswd", "mn%00", "m" * 1500, "mn,en", "%FF%FE", "mn&with"]


@pytest.mark.parametrize("value", ODD)
def test_an_odd_second_language_gives_the_ordinary_page(client, pages, sessions, value):
    for path in ("/en/", "/en/info", "/en/program", "/en/program/opening", "/en/program/print"):
        plain = client.get(path)
        odd = client.get(f"{path}?with={value}")
        assert odd.status_code == 200, (path, value)
        assert odd.data == plain.data, (path, value)
    assert client.get(f"/en/program.pdf?with={value}").headers["ETag"] == client.get("/en/program.pdf").headers["ETag"]


def test_the_side_by_side_program_is_cached_per_pair_and_version(app, client, sessions, make_session):
    plain, paired = client.get("/en/program"), client.get("/en/program?with=mn")
    assert plain.headers["ETag"] != paired.headers["ETag"]
    assert client.get("/mn/program?with=en").headers["ETag"] not in (plain.headers["ETag"], paired.headers["ETag"])
    assert client.get("/en/program?with=mn", headers={"If-None-Match": paired.headers["ETag"]}).status_code == 304
    counter = QueryCounter(app)
    try:
        again = app.test_client().get("/en/program?with=mn")
    finally:
        counter.close()
    assert counter.count == 0 and again.data == paired.data
    make_session(title={"en": "Added later", "mn": "Сүүлд нэмэгдсэн"})
    fresh = client.get("/en/program?with=mn", headers={"If-None-Match": paired.headers["ETag"]})
    assert fresh.status_code == 200 and "Сүүлд нэмэгдсэн" in fresh.get_data(as_text=True)


def test_joining_from_the_side_by_side_program_keeps_the_pair(client, open_registration, mailbox, sessions):
    assert register(client).status_code == 303
    page = client.get("/en/program?with=mn").get_data(as_text=True)
    form = parse(page).find("article", id="session-asia").find("form")
    assert form.attrs["action"] == "/en/program/asia/join?with=mn"
    assert form.find("input", name="next").attrs["value"] == "/en/program?with=mn"
    token = csrf_token(page)
    plain = client.post(form.attrs["action"], data={"csrf_token": token, "next": "/en/program?with=mn", "want": "seat"})
    assert plain.status_code == 303 and plain.headers["Location"] == "/en/program?with=mn#session-asia"
    fragment = client.post("/en/program/asia/leave?with=mn", data={"csrf_token": token},
                           headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/en/program?with=mn"})
    card = parse(fragment.get_data(as_text=True)).find("article", id="session-asia")
    assert pairs(card)[0] == (("en", "Asian countries"), ("mn", "Азийн орнууд"))
