"""Airport pickups: the pickup-wave rule and its window, the arrivals page (waves, people, bags,
statuses, days, departures), driver sheets and name placards on paper and as PDF, hostile names
and hostile windows, who may open them, and the demo's delegates."""
import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from app import pdf
from app.events.models import Event
from app.extensions import db
from app.hosts import arrivals
from app.hosts.arrivals import (DEFAULT_WINDOW, arrangement, bags, differs, latin_name, pickup_waves, placard_size,
                                read_window)
from app.registration.models import Registration
from app.registration.services import erase_personal_data
from tests.conftest import OPEN, register
from tests.html_tree import parse
from tests.test_hosts import coordinator, plain_host  # noqa: F401 (fixtures)
from tests.test_program import statements_of_get

HTMX = {"HX-Request": "true"}
DAY = date(2017, 5, 24)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


# The wave rule

def test_arrivals_within_the_window_of_the_first_share_a_wave():
    times = [moment("2017-05-24 07:30"), moment("2017-05-24 08:15"), moment("2017-05-24 09:00"),
             moment("2017-05-24 09:01")]
    assert pickup_waves(times, timedelta(minutes=90)) == [times[:3], times[3:]]


def test_an_arrival_exactly_at_the_window_joins_and_one_a_minute_later_does_not():
    first, at_window, later = moment("2017-05-24 10:00"), moment("2017-05-24 11:30"), moment("2017-05-24 11:31")
    assert pickup_waves([first, at_window], timedelta(minutes=90)) == [[first, at_window]]
    assert pickup_waves([first, later], timedelta(minutes=90)) == [[first], [later]]


def test_the_window_counts_from_the_waves_first_arrival_not_the_last():
    # Each 50 minutes after the one before: chained they would all share a car for 150 minutes.
    times = [moment("2017-05-24 06:00") + timedelta(minutes=50 * n) for n in range(4)]
    assert pickup_waves(times, timedelta(minutes=90)) == [times[:2], times[2:]]


def test_arrivals_in_the_same_minute_share_a_wave_and_keep_their_order():
    people = [("b", moment("2017-05-24 07:30")), ("a", moment("2017-05-24 07:30")), ("c", moment("2017-05-24 07:29"))]
    waves = pickup_waves(people, timedelta(minutes=15), lambda item: item[1])
    assert [[name for name, _ in wave] for wave in waves] == [["c", "b", "a"]]


def test_a_wave_crosses_midnight():
    late, early = moment("2017-05-23 23:40"), moment("2017-05-24 00:50")
    assert pickup_waves([early, late], timedelta(minutes=90)) == [[late, early]]
    assert pickup_waves([early, late], timedelta(minutes=60)) == [[late], [early]]


def test_a_smaller_window_splits_waves_and_nothing_gives_no_wave():
    times = [moment("2017-05-24 07:30"), moment("2017-05-24 08:00"), moment("2017-05-24 08:29")]
    assert len(pickup_waves(times, timedelta(minutes=90))) == 1
    assert pickup_waves(times, timedelta(minutes=30)) == [times[:2], times[2:]]
    assert pickup_waves([], timedelta(minutes=90)) == []


@pytest.mark.parametrize("values, expected", [
    ([], (90, False)), ([""], (90, False)), (["30"], (30, False)), ([" 45 "], (45, False)),
    (["15"], (15, False)), (["360"], (360, False)),
    (["14"], (90, True)), (["361"], (90, True)), (["0"], (90, True)), (["-30"], (90, True)),
    (["abc"], (90, True)), (["1e3"], (90, True)), (["30.5"], (90, True)), (["²"], (90, True)),
    (["٣٠"], (90, True)), (["9" * 5000], (90, True)), (["30", "60"], (90, True)), (["<b>x</b>"], (90, True)),
])
def test_the_window_is_a_whole_number_of_minutes_within_bounds_or_the_default(values, expected):
    assert read_window(values) == expected


def test_bags_not_given_count_as_one():
    assert [bags(None), bags(0), bags(1), bags(5)] == [1, 0, 1, 5]


def person(**fields):
    data = dict(given_name="Ana", family_name="García", passport_given_name="", passport_family_name="", id=1,
                arrival_date=None, arrival_time=None, arrival_flight="", departure_date=None, departure_time=None,
                departure_flight="", luggage=None, status="pending")
    data.update(fields)
    return SimpleNamespace(**data)


def test_the_latin_name_is_the_passports_else_a_spelling_of_the_cyrillic_else_the_name():
    assert latin_name(person(passport_given_name="ANA", passport_family_name="GARCIA")) == "ANA GARCIA"
    assert latin_name(person(given_name="Батбаяр", family_name="Өлзий")) == "Batbayar Ulzii"
    assert latin_name(person(given_name="민준", family_name="김")) == "민준 김"  # a script the table lacks
    assert latin_name(person(given_name="Цэцэг", passport_family_name="BOLD")) == "Tsetseg BOLD"
    assert not differs("ANA GARCIA", "Ana García") and differs("Batbayar Ulzii", "Батбаяр Өлзий")


def test_longer_names_get_smaller_placard_letters():
    sizes = [placard_size("x" * n) for n in (5, 12, 13, 16, 22, 30, 50, 61, 201)]
    assert sizes == ["xl", "xl", "l", "l", "m", "s", "xs", "xxs", "xxs"]
    assert placard_size("Z̷̢̛̛a̴̡l̸g̵o̶" * 5) in ("xs", "xxs")  # combining marks count


def test_a_day_lists_arrivals_without_a_time_apart_and_departures_by_time():
    board = arrangement([
        person(id=1, given_name="First", arrival_date=DAY, arrival_time=time(7, 30)),
        person(id=2, given_name="Untimed", arrival_date=DAY),
        person(id=3, given_name="Late", arrival_date=date(2017, 5, 23), arrival_time=time(23, 30)),
        person(id=4, given_name="Night", arrival_date=DAY, arrival_time=time(0, 30)),
        person(id=5, given_name="Undated", arrival_flight="OM302"),
        person(id=6, given_name="Leaving", departure_date=date(2017, 5, 27), departure_time=time(8, 0)),
        person(id=7, given_name="Leaving sometime", departure_date=date(2017, 5, 27)),
    ], 90)
    by_day = {day.day: day for day in board.days}
    assert list(by_day) == [date(2017, 5, 23), DAY, date(2017, 5, 27)]
    crossing = by_day[date(2017, 5, 23)].waves
    assert [[p.registration.given_name for p in wave.people] for wave in crossing] == [["Late", "Night"]]
    assert crossing[0].ends_next_day and crossing[0].number == 1
    assert [[p.registration.given_name for p in w.people] for w in by_day[DAY].waves] == [["First"]]
    assert [p.registration.given_name for p in by_day[DAY].untimed] == ["Untimed"]
    assert [p.registration.given_name for p in board.undated] == ["Undated"]
    leaving = by_day[date(2017, 5, 27)]
    assert [p.registration.given_name for p in leaving.departures] == ["Leaving"]
    assert [p.registration.given_name for p in leaving.departures_untimed] == ["Leaving sometime"]
    assert board.waves == 2 and board.arriving == 4


# The arrivals page

def wave_of_three(make_delegate):
    """Three delegates landing within 90 minutes (bags 2, not given, 0), a fourth later."""
    make_delegate("ana", given_name="Ana", family_name="García", arrival_date=DAY, arrival_time=time(7, 30),
                  arrival_flight="OM302", luggage=2, passport_given_name="ANA", passport_family_name="GARCIA")
    make_delegate("bat", given_name="Батбаяр", family_name="Өлзий", arrival_date=DAY, arrival_time=time(8, 0),
                  arrival_flight="KE867", phone="+97699112233", country="MN")
    make_delegate("cem", arrival_date=DAY, arrival_time=time(9, 0), arrival_flight="SU320", luggage=0)
    make_delegate("dan", arrival_date=DAY, arrival_time=time(9, 30), arrival_flight="CA901", luggage=3)


def waves_on(body: str) -> list[list[str]]:
    """The waves as the page shows them: each the Latin names of its delegates."""
    root = parse(body)
    return [[a.text() for a in wave.find_all("a", cls="who")] for wave in root.find_all("article", cls="wave")]


def test_three_arrivals_within_90_minutes_share_a_wave_and_a_fourth_has_its_own(coordinator, make_delegate):
    wave_of_three(make_delegate)
    response = coordinator.get("/en/hosts/arrivals")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert waves_on(body) == [["ANA GARCIA", "Batbayar Ulzii", "cem X"], ["dan X"]]
    root = parse(body)
    first, second = root.find_all("article", cls="wave")
    assert first.find("h4").text() == "Wave 1: 07:30–09:00" and second.find("h4").text() == "Wave 2: 09:30"
    assert "3 delegates" in first.text() and "3 luggage places" in first.text()  # 2 + 1 (not given) + 0
    assert "3 luggage places" in second.text() and "1 delegate" in second.text()
    assert "Батбаяр Өлзий" in first.text() and "OM302" in first.text() and "+97699112233" in first.text()
    assert "Wednesday, May 24, 2017" in body and "4 delegates arriving" in root.find("ul", cls="counts").text()


def test_a_window_of_30_minutes_splits_the_wave(coordinator, make_delegate):
    wave_of_three(make_delegate)
    body = coordinator.get("/en/hosts/arrivals?window=30").get_data(as_text=True)
    assert waves_on(body) == [["ANA GARCIA", "Batbayar Ulzii"], ["cem X", "dan X"]]
    assert 'name="window" value="30"' in body
    # The sheets keep the window the page used.
    assert "/en/hosts/arrivals/2017-05-24/waves/2?window=30" in body


def test_confirmed_and_pending_are_marked_and_declined_cancelled_and_erased_left_out(app, coordinator, make_delegate):
    for name, status in (("conf", "confirmed"), ("pend", "pending"), ("decl", "declined"), ("canc", "cancelled"),
                         ("gone", "confirmed")):
        make_delegate(name, arrival_date=DAY, arrival_time=time(10, 0), arrival_flight="OM302")
    with app.app_context():
        for name, status in (("conf", "confirmed"), ("decl", "declined"), ("canc", "cancelled")):
            db.session.execute(update(Registration).where(Registration.email_key == f"{name}@example.org")
                               .values(status=status))
        erase_personal_data(db.session.scalar(select(Registration).where(Registration.email_key == "gone@example.org")), OPEN)
        db.session.commit()
    body = coordinator.get("/en/hosts/arrivals").get_data(as_text=True)
    assert waves_on(body) == [["conf X", "pend X"]]
    wave = parse(body).find("article", cls="wave")
    assert [s.text() for s in wave.find_all("span", cls="state")] == ["Confirmed", "Pending"]
    assert "Confirmed: 1" in wave.text() and "Pending: 1" in wave.text()
    assert "decl@" not in body and "decl X" not in body and "canc X" not in body


def test_days_are_in_the_events_order_with_untimed_arrivals_and_departures(coordinator, make_delegate):
    make_delegate("late", arrival_date=date(2017, 5, 23), arrival_time=time(23, 40), arrival_flight="OM502")
    make_delegate("night", arrival_date=DAY, arrival_time=time(0, 50), arrival_flight="OM296")
    make_delegate("sometime", arrival_date=DAY, arrival_flight="TK254")
    make_delegate("leaving", departure_date=date(2017, 5, 27), departure_time=time(8, 0), departure_flight="OM131")
    make_delegate("flightonly", arrival_flight="OM302")
    body = coordinator.get("/mn/hosts/arrivals").get_data(as_text=True)
    root = parse(body)
    headings = [h.text() for h in root.find_all("h2") if h.attrs.get("id", "").startswith("day-")]
    assert headings == ["2017 оны тавдугаар сарын 23, мягмар гараг", "2017 оны тавдугаар сарын 24, лхагва гараг",
                        "2017 оны тавдугаар сарын 27, бямба гараг"]
    assert waves_on(body) == [["late X", "night X"]]
    assert "00:50" in root.find("article", cls="wave").find("h4").text()
    day = root.find("section", **{"aria-labelledby": "day-2017-05-24"})
    assert "sometime X" in day.text() and "TK254" in day.text()
    assert "leaving X" in root.find("section", **{"aria-labelledby": "day-2017-05-27"}).text()
    assert "flightonly X" in root.find("section", **{"aria-labelledby": "undated"}).text()


@pytest.mark.parametrize("window", ["abc", "0", "-5", "14", "361", "99999999999999999999", "30.5", "<script>x</script>",
                                    "٣٠", "\u202e09", "1e2", "%00"])
def test_a_hostile_window_gives_the_default_with_a_message_never_an_error(coordinator, make_delegate, window):
    wave_of_three(make_delegate)
    for lang, message in (("en", "Enter a whole number of minutes from 15 to 360"), ("mn", "хамгийн багадаа 15, хамгийн ихдээ 360")):
        response = coordinator.get(f"/{lang}/hosts/arrivals", query_string={"window": window})
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and message in body, (lang, window)
        assert waves_on(body) == [["ANA GARCIA", "Batbayar Ulzii", "cem X"], ["dan X"]]
        assert "<script>x" not in body
    doubled = coordinator.get("/en/hosts/arrivals?window=30&window=60")
    assert doubled.status_code == 422 and waves_on(doubled.get_data(as_text=True))[0][0] == "ANA GARCIA"


def test_htmx_gets_the_board_without_the_page(coordinator, make_delegate):
    wave_of_three(make_delegate)
    fragment = coordinator.get("/en/hosts/arrivals?window=30", headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and "HX-Request" in fragment.headers["Vary"]
    assert waves_on(body) == [["ANA GARCIA", "Batbayar Ulzii"], ["cem X", "dan X"]]
    refused = coordinator.get("/en/hosts/arrivals?window=5", headers=HTMX)
    assert refused.status_code == 422 and "<html" not in refused.get_data(as_text=True)
    page = coordinator.get("/en/hosts/arrivals").get_data(as_text=True)
    assert 'hx-get="/en/hosts/arrivals"' in page and 'method="get"' in page


def test_the_page_says_when_nobody_has_given_travel_details(coordinator, make_delegate):
    make_delegate("homebody")
    body = coordinator.get("/en/hosts/arrivals").get_data(as_text=True)
    assert "No delegate has given an arrival or departure date yet." in body


def test_the_arrivals_page_needs_the_same_queries_for_few_or_many(app, coordinator, make_delegate):
    counts = []
    for total in (3, 30):
        for number in range(len(counts) * 3, total):
            make_delegate(f"n{number}", arrival_date=DAY, arrival_time=time(7 + number % 12, 0), luggage=number % 3)
        counts.append(statements_of_get(app, coordinator, "/en/hosts/arrivals"))
    assert counts[0] == counts[1], counts


# Driver sheets and placards

def test_the_driver_sheet_lists_the_wave_with_latin_names_flights_phones_and_totals(coordinator, make_delegate):
    wave_of_three(make_delegate)
    response = coordinator.get("/en/hosts/arrivals/2017-05-24/waves/1")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    root = parse(response.get_data(as_text=True))
    rows = [[cell.text() for cell in row.elements] for row in root.find("tbody").find_all("tr")]
    assert rows == [
        ["1", "ANA GARCIA", "OM302", "07:30", "+34612345678", "2", "Pending"],
        ["2", "Batbayar Ulzii Батбаяр Өлзий", "KE867", "08:00", "+97699112233", "1*", "Pending"],
        ["3", "cem X", "SU320", "09:00", "+34612345678", "0", "Pending"],
    ]
    assert root.find("tfoot").text() == "Total 3 delegates 3"
    assert "Bags not given: counted as one." in root.text()
    # Paper has no menus, forms or buttons; the links are for the screen only.
    assert not root.find_all("nav") and not root.find_all("form") and not root.find_all("button")
    assert [p.classes for p in root.find_all("p") if p.find_all("a")] == [["screen-only"]]
    assert "X1234567" not in response.get_data(as_text=True)


def test_the_driver_sheet_follows_the_window_and_unknown_waves_are_not_found(coordinator, make_delegate):
    wave_of_three(make_delegate)
    split = parse(coordinator.get("/en/hosts/arrivals/2017-05-24/waves/2?window=30").get_data(as_text=True))
    assert [th.text() for th in split.find("tbody").find_all("th")] == ["cem X", "dan X"]
    for path in ("/en/hosts/arrivals/2017-05-24/waves/3", "/en/hosts/arrivals/2017-05-24/waves/0",
                 "/en/hosts/arrivals/2017-05-25/waves/1", "/en/hosts/arrivals/tomorrow/waves/1",
                 "/en/hosts/arrivals/2017-13-40/waves/1", "/en/hosts/arrivals/20170524/waves/1",
                 "/en/hosts/arrivals/2017-W21-3/waves/1", "/en/hosts/arrivals/2017-W21-3/placards",
                 "/en/hosts/arrivals/2017-05-24/waves/-1", "/en/hosts/arrivals/2017-05-24/waves/99999999999999999999",
                 "/en/hosts/arrivals/2017-05-25/placards", "/en/hosts/arrivals/2017-05-24/waves/3/placards.pdf"):
        assert coordinator.get(path).status_code == 404, path
    assert coordinator.get("/en/hosts/arrivals/2017-05-24/waves/1?window=abc").status_code == 200


def test_placards_show_the_latin_name_large_and_the_own_name_beneath_where_it_differs(coordinator, make_delegate):
    wave_of_three(make_delegate)
    root = parse(coordinator.get("/mn/hosts/arrivals/2017-05-24/waves/1/placards").get_data(as_text=True))
    placards = root.find_all("section", cls="placard")
    assert [p.find("p", cls="placard-name").text() for p in placards] == ["ANA GARCIA", "Batbayar Ulzii", "cem X"]
    assert [[own.text() for own in p.find_all("p", cls="placard-own")] for p in placards] == [[], ["Батбаяр Өлзий"], []]
    day = parse(coordinator.get("/en/hosts/arrivals/2017-05-24/placards").get_data(as_text=True))
    assert len(day.find_all("section", cls="placard")) == 4


HOSTILE_NAMES = {
    "long": ("W" * 100, "Z" * 100),
    "rtl": ("محمد\u200f", "عبد الرحمن"),
    "marks": (("Z̷̢̛̛̖̗a̴̡̛̖l̸̨̛g̵̨̛o̶̧̗" * 6)[:100], ("Ḁ̶̡̧̛" * 10)[:100]),  # as long as the form takes
    "emoji": ("🦄👩‍👩‍👧‍👦" * 10, "🇲🇳" * 20),
    "markup": ("<script>alert(1)</script>", "\"><img src=x>"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_NAMES))
def test_hostile_names_wrap_or_shrink_on_paper_and_in_the_pdf(app, coordinator, make_delegate, kind):
    given, family = HOSTILE_NAMES[kind]
    make_delegate("hostile", arrival_date=DAY, arrival_time=time(7, 30), arrival_flight="OM302")
    with app.app_context():  # stored as it is: a name the form would refuse must still not break a page
        db.session.execute(update(Registration).values(given_name=given, family_name=family))
        db.session.commit()
    for path in ("/en/hosts/arrivals", "/en/hosts/arrivals/2017-05-24/waves/1",
                 "/en/hosts/arrivals/2017-05-24/waves/1/placards", "/mn/hosts/arrivals/2017-05-24/placards"):
        response = coordinator.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert "<script>alert" not in body and "<img src=x>" not in body
    placard = parse(coordinator.get("/en/hosts/arrivals/2017-05-24/placards").get_data(as_text=True)).find(
        "p", cls="placard-name")
    if kind in ("long", "marks", "emoji"):
        assert placard.classes[-1] in ("size-xs", "size-xxs")
    if pdf.available():
        for path in ("/en/hosts/arrivals/2017-05-24/placards.pdf", "/en/hosts/arrivals/2017-05-24/waves/1/driver-sheet.pdf"):
            response = coordinator.get(path)
            assert response.status_code == 200 and response.data.startswith(b"%PDF"), path
            if path.endswith("placards.pdf"):  # one placard, one sheet: the name wrapped on it
                assert len(pdf_pages(response.data)) == 1


def pdf_pages(data: bytes):
    pypdf = pytest.importorskip("pypdf")
    return pypdf.PdfReader(io.BytesIO(data)).pages


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pdf_pages(data))


@pytest.fixture
def weasyprint_here():
    if not pdf.available():
        pytest.skip("Pango missing: run scripts/install-pdf-libs.sh as root")


def test_the_driver_sheet_pdf_has_the_latin_names_flights_and_totals(coordinator, make_delegate, weasyprint_here):
    wave_of_three(make_delegate)
    response = coordinator.get("/mn/hosts/arrivals/2017-05-24/waves/1/driver-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="driver-sheet-2017-05-24-1.pdf"' in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    text = pdf_text(response.data)
    for expected in ("ANA GARCIA", "Batbayar Ulzii", "Батбаяр Өлзий", "cem X", "OM302", "KE867", "SU320",
                     "+97699112233", "07:30", "Жолоочийн жагсаалт"):
        assert expected in text, expected
    assert "dan X" not in text and len(pdf_pages(response.data)) == 1


def test_the_placards_pdf_has_one_landscape_sheet_per_delegate(coordinator, make_delegate, weasyprint_here):
    wave_of_three(make_delegate)
    response = coordinator.get("/en/hosts/arrivals/2017-05-24/waves/1/placards.pdf")
    pages = pdf_pages(response.data)
    assert response.status_code == 200 and len(pages) == 3
    assert all(float(page.mediabox.width) > float(page.mediabox.height) for page in pages)  # landscape
    assert round(float(pages[0].mediabox.width) / 72 * 25.4) == 297
    texts = [page.extract_text() for page in pages]
    assert "ANA GARCIA" in texts[0] and "Batbayar Ulzii" in texts[1] and "Батбаяр Өлзий" in texts[1]
    day = coordinator.get("/en/hosts/arrivals/2017-05-24/placards.pdf")
    assert len(pdf_pages(day.data)) == 4 and "CA901" not in pdf_text(day.data)


def test_an_own_name_the_pdfs_font_lacks_is_left_off_the_pdf_not_the_page(coordinator, make_delegate,
                                                                          weasyprint_here):
    make_delegate("minjun", given_name="민준", family_name="김", passport_given_name="Minjun",
                  passport_family_name="Kim", arrival_date=DAY, arrival_time=time(8, 40), arrival_flight="KE867")
    page = coordinator.get("/en/hosts/arrivals/2017-05-24/placards").get_data(as_text=True)
    assert "Minjun Kim" in page and "민준 김" in page  # a browser prints it with the reader's fonts
    for path in ("/en/hosts/arrivals/2017-05-24/placards.pdf", "/en/hosts/arrivals/2017-05-24/waves/1/driver-sheet.pdf"):
        text = pdf_text(coordinator.get(path).data)
        assert "Minjun Kim" in text and "민준" not in text, path


def test_without_pango_a_pdf_answer_says_so(app, coordinator, make_delegate, monkeypatch):
    wave_of_three(make_delegate)
    monkeypatch.setattr(pdf, "HTML", None)
    response = coordinator.get("/en/hosts/arrivals/2017-05-24/waves/1/driver-sheet.pdf")
    assert response.status_code == 503 and "printable page" in response.get_data(as_text=True)


# Who may open them

LOGISTICS_PATHS = ["/mn/hosts/arrivals", "/mn/hosts/arrivals/2017-05-24/waves/1",
                   "/mn/hosts/arrivals/2017-05-24/waves/1/driver-sheet.pdf",
                   "/mn/hosts/arrivals/2017-05-24/waves/1/placards", "/mn/hosts/arrivals/2017-05-24/waves/1/placards.pdf",
                   "/mn/hosts/arrivals/2017-05-24/placards", "/mn/hosts/arrivals/2017-05-24/placards.pdf",
                   "/mn/hosts/needs", "/mn/hosts/needs/nights.csv", "/mn/hosts/needs/people.xlsx"]


def test_the_route_list_covers_every_logistics_page(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("hosts_logistics.")}
    assert len(endpoints) == 10 and len(LOGISTICS_PATHS) >= len(endpoints)


def test_strangers_and_delegates_are_sent_to_sign_in_and_any_host_may_look(app, open_registration, make_host,
                                                                          make_delegate, plain_host):
    make_delegate("ana", arrival_date=DAY, arrival_time=time(7, 30), arrival_flight="OM302", organisation="Secret Party")
    delegate = app.test_client()
    assert register(delegate, email="someone@example.org").status_code == 303
    for path in LOGISTICS_PATHS:
        for client in (app.test_client(), delegate):
            response = client.get(path)
            assert response.status_code == 303 and "/mn/hosts/login" in response.headers["Location"], path
            assert "Secret Party" not in response.get_data(as_text=True)
        response = plain_host.get(path)
        assert response.status_code in (200, 503), path
    menu = parse(plain_host.get("/en/hosts/").get_data(as_text=True)).find("nav", cls="console-nav")
    links = [a.text() for a in menu.find_all("a")]
    assert links.index("Registrations") + 1 == links.index("Arrivals") and "Needs" in links


# The delegate's checked bags

def test_a_delegate_gives_their_checked_bags_and_a_wrong_value_is_refused(app, client, open_registration):
    response = register(client, luggage="3", arrival_date="2017-05-24", arrival_time="07:30", arrival_flight="OM 302")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Registration.luggage)) == 3
    assert "Checked bags" in client.get("/en/me").get_data(as_text=True)
    edit = client.get("/en/me/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="3">3</option>|<option value="3" selected>3</option>', edit)
    for hostile in ("6", "-1", "abc", "3.5", "<b>", "9" * 5000):
        other = app.test_client()
        response = register(other, email=f"x{len(hostile)}{hostile[:1]}@example.org".replace("<", "l"), luggage=hostile)
        assert response.status_code == 422, hostile
        assert "Not a valid choice" in response.get_data(as_text=True) or "could not coerce" in response.get_data(as_text=True)
    assert register(app.test_client(), lang="mn", email="nobags@example.org", luggage="").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Registration.luggage).where(Registration.email_key == "nobags@example.org")) is None
        assert db.session.query(Registration).count() == 2


def test_the_delegates_own_export_and_the_list_export_have_the_bags(app, client, open_registration, coordinator):
    assert register(client, luggage="2").status_code == 303
    assert json.loads(client.get("/en/me/data.json").data)["luggage"] == 2
    header, row = list(csv.reader(io.StringIO(
        coordinator.get("/en/hosts/registrations.csv").data.decode("utf-8-sig"))))
    assert dict(zip(header, row))["Checked bags"] == "2"


# The demo

def test_load_demo_with_delegates_gives_the_console_waves(app, runner):
    result = runner.invoke(args=["portal", "load-demo", "--with-delegates"])
    assert result.exit_code == 0 and "fictional delegates" in result.output
    with app.app_context():
        event = db.session.scalars(select(Event)).one()
        board = arrivals.board(event, DEFAULT_WINDOW)
        assert board.waves >= 4 and any(wave.ends_next_day for day in board.days for wave in day.waves)
        assert any(day.untimed for day in board.days) and any(day.departures for day in board.days)
        statuses = {p.status for day in board.days for wave in day.waves for p in wave.people}
        assert statuses == {"pending", "confirmed"}
    again = runner.invoke(args=["portal", "load-demo", "--with-delegates"])
    assert "nothing loaded" in again.output
    with app.app_context():
        assert db.session.query(Registration).count() == 15
