"""What the hosts book and lay on: the night-counting rule, the needs page (hotel nights per night
and room type, dietary and accessibility needs by person, headsets per session and listening
language, plenaries included), and its CSV and XLSX exports."""
import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from app.extensions import db
from app.hosts.needs import night_counts, nights
from app.program import services as program_services
from app.program.models import Session
from app.registration.models import Registration
from tests.conftest import at
from tests.html_tree import parse
from tests.test_hosts import coordinator, plain_host  # noqa: F401 (fixtures)
from tests.test_program import statements_of_get

D = date.fromisoformat


# The rule

def test_a_night_counts_from_check_in_up_to_but_not_including_check_out():
    assert nights(D("2017-05-24"), D("2017-05-27")) == [D("2017-05-24"), D("2017-05-25"), D("2017-05-26")]
    assert nights(D("2017-05-24"), D("2017-05-25")) == [D("2017-05-24")]
    assert nights(D("2017-05-24"), D("2017-05-24")) == []  # no night
    assert nights(D("2017-05-26"), D("2017-05-24")) == []  # check-out before check-in
    assert nights(None, D("2017-05-24")) == [] and nights(D("2017-05-24"), None) == []
    assert nights(D("2017-05-31"), D("2017-06-02")) == [D("2017-05-31"), D("2017-06-01")]  # across a month


def test_nights_are_counted_per_night_and_room_type_and_every_night_between_is_listed():
    counted = night_counts([
        (D("2017-05-24"), D("2017-05-26"), "single"),
        (D("2017-05-25"), D("2017-05-26"), "shared"),
        (D("2017-05-25"), D("2017-05-26"), "shared"),
        (D("2017-05-28"), D("2017-05-29"), "penthouse"),  # not a room type the form offers
        (D("2017-05-30"), D("2017-05-30"), "single"),  # no night
        (None, None, "single"),
    ])
    assert [(n.night, n.rooms, n.total) for n in counted] == [
        (D("2017-05-24"), {"single": 1, "shared": 0, "": 0}, 1),
        (D("2017-05-25"), {"single": 1, "shared": 2, "": 0}, 3),
        (D("2017-05-26"), {"single": 0, "shared": 0, "": 0}, 0),
        (D("2017-05-27"), {"single": 0, "shared": 0, "": 0}, 0),
        (D("2017-05-28"), {"single": 0, "shared": 0, "": 1}, 1),
    ]
    assert night_counts([]) == []


# The page

def hotel_guests(make_delegate):
    make_delegate("ana", given_name="Ana", family_name="García", hotel_needed=True, hotel_check_in=D("2017-05-24"),
                  hotel_check_out=D("2017-05-27"), room_type="single", dietary_needs="Vegetarian")
    make_delegate("bat", given_name="Батбаяр", family_name="Өлзий", hotel_needed=True, hotel_check_in=D("2017-05-25"),
                  hotel_check_out=D("2017-05-27"), room_type="shared",
                  accessibility_needs="Тэргэнцэр\nStep-free room, please")
    make_delegate("cem", hotel_needed=True, hotel_check_in=D("2017-05-25"), hotel_check_out=D("2017-05-26"),
                  room_type="shared", dietary_needs="=cmd|' /C calc'!A0")
    make_delegate("declined", hotel_needed=True, hotel_check_in=D("2017-05-24"), hotel_check_out=D("2017-05-27"),
                  room_type="single", dietary_needs="Declined diet")
    make_delegate("plain")


def decline(app, email):
    with app.app_context():
        db.session.execute(update(Registration).where(Registration.email_key == email).values(status="declined"))
        db.session.commit()


def table_rows(table) -> list[list[str]]:
    return [[cell.text() for cell in row.elements] for row in table.find("tbody").find_all("tr")]


def test_hotel_nights_per_night_and_room_type_for_the_coming_delegates(app, coordinator, make_delegate):
    hotel_guests(make_delegate)
    decline(app, "declined@example.org")
    response = coordinator.get("/en/hosts/needs")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    root = parse(response.get_data(as_text=True))
    nights_table = root.find("section", **{"aria-labelledby": "nights"}).find("table")
    assert [th.text() for th in nights_table.find("thead").find_all("th")] == [
        "Night", "Single room", "Shared room", "All rooms"]
    assert table_rows(nights_table) == [
        ["May 24, 2017", "1", "0", "1"],
        ["May 25, 2017", "1", "2", "3"],
        ["May 26, 2017", "1", "1", "2"],
    ]
    guests = root.find("section", **{"aria-labelledby": "nights"}).find_all("table")[1]
    assert [row[0] for row in table_rows(guests)] == ["Ana García", "Batbayar Ulzii Батбаяр Өлзий", "cem X"]
    assert [row[-1] for row in table_rows(guests)] == ["3", "2", "1"]
    assert "Declined diet" not in root.text() and "declined X" not in root.text()


def test_dietary_and_accessibility_needs_are_listed_by_person(app, coordinator, make_delegate):
    hotel_guests(make_delegate)
    decline(app, "declined@example.org")
    root = parse(coordinator.get("/mn/hosts/needs").get_data(as_text=True))
    rows = table_rows(root.find("section", **{"aria-labelledby": "people"}).find("table"))
    assert rows == [["Ana García", "Vegetarian", ""],
                    ["Batbayar Ulzii Батбаяр Өлзий", "", "Тэргэнцэр Step-free room, please"],
                    ["cem X", "=cmd|' /C calc'!A0", ""]]


def test_headsets_per_session_and_listening_language_plenaries_included(app, coordinator, make_delegate, make_session):
    make_session(slug="opening", kind="plenary", starts_at=at("2017-05-25 09:30"), interpretation=True,
                 title={"en": "Opening ceremony", "mn": "Нээлтийн ёслол"})
    breakout = make_session(slug="gender", starts_at=at("2017-05-25 14:00"), floor_language="mn", interpretation=True,
                            capacity=10, title={"en": "Working group on Gender", "mn": "Жендэрийн ажлын хэсэг"})
    make_session(slug="coffee", kind="break", starts_at=at("2017-05-25 11:00"), title="Coffee")
    for name, language, days in (("bat", "mn", ["2017-05-25"]), ("tsetseg", "mn", ["2017-05-25", "2017-05-26"]),
                                 ("ana", "en", ["2017-05-25"]), ("other", "mn", ["2017-05-26"])):
        make_delegate(name, language=language, interpretation=True, days=days)
    make_delegate("nohelp", language="mn", interpretation=False)
    with app.app_context():
        gender = db.session.get(Session, breakout.id)
        for email in ("ana@example.org", "bat@example.org"):
            program_services.join(db.session.scalar(select(Registration).where(Registration.email_key == email)), gender)
        db.session.commit()
    body = coordinator.get("/en/hosts/needs").get_data(as_text=True)
    table = parse(body).find("section", **{"aria-labelledby": "headsets"}).find("table")
    assert [th.text() for th in table.find("thead").find_all("th")] == [
        "Session", "Floor language", "Listening in English", "Listening in Mongolian", "Headsets"]
    rows = table_rows(table)
    assert [row[2:] for row in rows] == [["0", "2", "2"], ["1", "0", "1"]]  # the plenary: bat and tsetseg on the 25th
    assert "Opening ceremony" in rows[0][0] and "09:30" in rows[0][0] and "Working group on Gender" in rows[1][0]
    assert "Coffee" not in table.text() and "Headsets in all: 3" in body


def test_the_page_says_when_there_is_nothing_to_book(coordinator, make_delegate):
    make_delegate("plain")
    body = coordinator.get("/mn/hosts/needs").get_data(as_text=True)
    for text in ("Зочид буудлын өрөө захиалуулахыг хүссэн төлөөлөгч алга.", "Орчуулгатай хуралдаан алга."):
        assert text in body
    english = coordinator.get("/en/hosts/needs").get_data(as_text=True)
    assert "No delegate has asked for a hotel room yet." in english and "No session has interpretation." in english


def test_the_needs_page_needs_the_same_queries_for_few_or_many(app, coordinator, make_delegate, make_session):
    make_session(slug="opening", kind="plenary", starts_at=at("2017-05-25 09:30"), interpretation=True)
    counts = []
    for total in (3, 30):
        for number in range(len(counts) * 3, total):
            make_delegate(f"n{number}", hotel_needed=True, hotel_check_in=D("2017-05-24"),
                          hotel_check_out=D("2017-05-27"), room_type="single", dietary_needs="Vegan",
                          interpretation=True, language="mn")
        counts.append(statements_of_get(app, coordinator, "/en/hosts/needs"))
    assert counts[0] == counts[1], counts


# Exports

def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode("utf-8"))
    assert "attachment" in response.headers["Content-Disposition"] and "no-store" in response.headers["Cache-Control"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_csv_exports_are_headed_in_the_readers_language_and_inert(app, coordinator, make_delegate, make_session):
    hotel_guests(make_delegate)
    decline(app, "declined@example.org")
    assert read_csv(coordinator.get("/en/hosts/needs/nights.csv")) == [
        ["Night", "Single room", "Shared room", "Room type not given", "All rooms"],
        ["2017-05-24", "1", "0", "0", "1"], ["2017-05-25", "1", "2", "0", "3"], ["2017-05-26", "1", "1", "0", "2"]]
    people = read_csv(coordinator.get("/en/hosts/needs/people.csv"))
    assert people[0] == ["Number", "Status", "Name as in the passport", "Name", "Country", "Dietary needs",
                         "Accessibility needs"]
    assert [row[2] for row in people[1:]] == ["Ana García", "Batbayar Ulzii", "cem X"]
    assert "'=cmd|' /C calc'!A0" in people[3]  # a formula is text here
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in people for cell in row)
    guests = read_csv(coordinator.get("/mn/hosts/needs/guests.csv"))
    assert "Нэр" in " ".join(guests[0]) and "Shared room" not in guests[0] and len(guests) == 4
    assert guests[1][-3:] == ["2017-05-24", "2017-05-27", "3"]
    assert "Declined diet" not in coordinator.get("/en/hosts/needs/people.csv").get_data(as_text=True)


def test_the_xlsx_exports_have_typed_cells(app, coordinator, make_delegate, make_session):
    hotel_guests(make_delegate)
    decline(app, "declined@example.org")
    make_session(slug="opening", kind="plenary", starts_at=at("2017-05-25 09:30"), interpretation=True,
                 title={"en": "Opening ceremony", "mn": "Нээлтийн ёслол"})
    make_delegate("listener", language="mn", interpretation=True)
    response = coordinator.get("/en/hosts/needs/nights.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == ["Night", "Single room", "Shared room", "Room type not given", "All rooms"]
    assert sheet.cell(2, 1).value == datetime(2017, 5, 24) and sheet.cell(3, 5).value == 3
    people = load_workbook(io.BytesIO(coordinator.get("/en/hosts/needs/people.xlsx").data)).active
    header = [cell.value for cell in people[1]]
    values = dict(zip(header, [cell.value for cell in people[4]]))
    assert values["Dietary needs"] == "=cmd|' /C calc'!A0" and people.cell(4, header.index("Dietary needs") + 1).data_type == "s"
    assert isinstance(values["Number"], int)
    headsets = load_workbook(io.BytesIO(coordinator.get("/mn/hosts/needs/headsets.xlsx").data)).active
    rows = [[cell.value for cell in row] for row in headsets.iter_rows()]
    assert rows[1][0] == datetime(2017, 5, 25, 9, 30) and rows[1][1] == "Нээлтийн ёслол"
    assert rows[1][-2:] == ["Монгол", 1] and rows[1][-3] == "Англи"  # languages named in the reader's language


@pytest.mark.parametrize("path", ["/en/hosts/needs/passports.csv", "/en/hosts/needs/..%2Fregistrations.csv",
                                  "/en/hosts/needs/nights.pdf", "/en/hosts/needs/NIGHTS.csv", "/en/hosts/needs/.csv"])
def test_an_unknown_export_is_not_found(coordinator, path):
    assert coordinator.get(path).status_code == 404


def test_a_plain_host_may_export_the_needs_and_no_passport_number_is_in_them(app, plain_host, make_delegate):
    make_delegate("visa", visa_letter=True, nationality="ES", passport_number="X1234567", hotel_needed=True,
                  hotel_check_in=D("2017-05-24"), hotel_check_out=D("2017-05-25"), room_type="single",
                  dietary_needs="Vegan", date_of_birth=D("1980-01-02"), passport_expiry=D("2030-01-01"))
    for part in ("nights", "guests", "people", "headsets"):
        for kind in ("csv", "xlsx"):
            response = plain_host.get(f"/en/hosts/needs/{part}.{kind}")
            assert response.status_code == 200, (part, kind)
            if kind == "csv":
                text = response.data.decode("utf-8-sig")
            else:
                text = " ".join(str(cell.value) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows()
                                for cell in row)
            assert "X1234567" not in text and ("Vegan" in text or part != "people"), (part, kind)
    assert "X1234567" not in plain_host.get("/en/hosts/needs").get_data(as_text=True)
