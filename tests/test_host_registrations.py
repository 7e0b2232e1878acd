"""The hosts' registrations: the list completed (search, filters, sorting, htmx), confirming and
declining (audit log, the delegate emailed in their language), the detail page, notes, and the
exports (CSV with a BOM and inert formulas, typed XLSX, rosters, passport details for coordinators)."""
import csv
import io
import re
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from app.extensions import db
from app.hosts.models import AuditEntry, HostNote
from app.mail.models import OutboxMessage
from app.program import services as program_services
from app.program.models import Seat, Session
from app.registration.models import Registration
from app.registration.services import erase_personal_data
from app.timestamps import utcnow
from tests.conftest import csrf_token
from tests.test_hosts import COORDINATOR, HOST, coordinator, plain_host  # noqa: F401 (fixtures)
from tests.test_program import QueryCounter

HTMX = {"HX-Request": "true"}


def registration_id(app, email):
    with app.app_context():
        return db.session.scalar(select(Registration.id).where(Registration.email_key == email))


def registration_row(app, email):
    with app.app_context():
        row = db.session.scalar(select(Registration).where(Registration.email_key == email))
        db.session.expunge(row)
        return row


def set_status(app, email, status):
    with app.app_context():
        db.session.execute(update(Registration).where(Registration.email_key == email).values(status=status))
        db.session.commit()


def registration_audit(app, number):
    with app.app_context():
        return db.session.execute(select(AuditEntry.action, AuditEntry.before, AuditEntry.after, AuditEntry.host_id)
                                  .where(AuditEntry.object_kind == "registration", AuditEntry.object_id == number)
                                  .order_by(AuditEntry.id)).all()


def outbox(app, template):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)).all()


def post_form(client, path, page, **data):
    """Send a form from the console as a browser would: with the page's CSRF token."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


# The list: filters, sorting, htmx

def test_the_list_filters_by_visa_hotel_and_arrival_day(coordinator, make_delegate):
    make_delegate("visa", visa_letter=True, nationality="ES", passport_number="X1234567",
                  date_of_birth=date(1980, 1, 2), passport_expiry=date(2030, 1, 1))
    make_delegate("hotel", hotel_needed=True, hotel_check_in=date(2017, 5, 24), hotel_check_out=date(2017, 5, 27),
                  room_type="single")
    make_delegate("early", arrival_date=date(2017, 5, 24), arrival_time=time(7, 30))
    make_delegate("plain")
    for query, only in (("visa=1", "visa@"), ("hotel=1", "hotel@"), ("arrival=2017-05-24", "early@")):
        page = coordinator.get("/en/hosts/registrations?" + query).get_data(as_text=True)
        found = set(re.findall(r"(\w+)@example\.org", page)) & {"visa", "hotel", "early", "plain"}
        assert found == {only[:-1]}, (query, found)
    assert "4 registrations" in coordinator.get("/en/hosts/registrations").get_data(as_text=True)


def test_the_list_sorts_by_an_allowed_order_and_ignores_any_other(coordinator, make_delegate):
    for name, family in (("bat", "Zorig"), ("ana", "Alvarez"), ("cem", "Mendes")):
        make_delegate(name, family_name=family)
    by_name = coordinator.get("/en/hosts/registrations?sort=name").get_data(as_text=True)
    assert by_name.index("Alvarez") < by_name.index("Mendes") < by_name.index("Zorig")
    newest = coordinator.get("/en/hosts/registrations").get_data(as_text=True)
    assert newest.index("cem@") < newest.index("ana@") < newest.index("bat@")
    for hostile in ("id; DROP TABLE registrations", "password_hash", "\x00", "<b>x</b>"):
        response = coordinator.get("/en/hosts/registrations", query_string={"sort": hostile})
        assert response.status_code == 200, hostile
        body = response.get_data(as_text=True)
        assert body.index("cem@") < body.index("ana@") < body.index("bat@") and "<b>x</b>" not in body


def test_htmx_gets_only_the_rows_and_the_page_says_so_in_vary(coordinator, make_delegate):
    make_delegate("tsetseg", given_name="Цэцэг")
    make_delegate("ana")
    fragment = coordinator.get("/mn/hosts/registrations", query_string={"q": "ЦЭЦ"}, headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and "<form method=\"get\"" not in body
    assert "Цэцэг" in body and "ana@" not in body and "<tbody>" in body
    assert "HX-Request" in fragment.headers["Vary"]
    page = coordinator.get("/mn/hosts/registrations?q=%D0%A6%D0%AD%D0%A6").get_data(as_text=True)
    assert "<html" in page and 'hx-get="/mn/hosts/registrations"' in page and 'hx-target="#rows"' in page
    assert "delay:" in page  # the rows follow the typing, not every key
    invalid = coordinator.get("/mn/hosts/registrations?arrival=soon", headers=HTMX)
    assert invalid.status_code == 422 and "<html" not in invalid.get_data(as_text=True)


def test_the_list_needs_the_same_queries_for_3_or_60_registrations(app, coordinator, make_delegate):
    counts = []
    for total in (3, 60):
        for number in range(len(counts) * 3, total):
            make_delegate(f"n{number}", visa_letter=number % 2 == 0, country=["MN", "ES"][number % 2])
        counter = QueryCounter(app)
        try:
            assert coordinator.get("/mn/hosts/registrations?q=n&sort=country").status_code == 200
            counts.append(counter.count)
        finally:
            counter.close()
    assert counts[0] == counts[1] and counts[0] <= 10, counts


# Confirming and declining

def test_confirming_emails_the_delegate_in_their_language_with_the_note(app, coordinator, make_delegate, mailbox):
    make_delegate("tsetseg", given_name="Цэцэг", language="mn")
    number = registration_id(app, "tsetseg@example.org")
    response = post_form(coordinator, f"/en/hosts/registrations/{number}/confirm", f"/en/hosts/registrations/{number}",
                         note="Танай нислэгийг 7:30-д угтана.\n<b>bold</b>", next="/en/hosts/registrations?status=pending")
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/hosts/registrations?status=pending"
    assert registration_row(app, "tsetseg@example.org").status == "confirmed"
    [(action, before, after, host_id)] = registration_audit(app, number)
    assert (action, before, after["status"]) == ("registration.confirmed", {"status": "pending"}, "confirmed")
    assert host_id is not None
    message = mailbox.messages[-1]
    assert message["To"] == "tsetseg@example.org"
    text = mailbox.text()
    assert "Цэцэг" in text and "баталгаажуул" in text.lower() and "7:30-д угтана" in text
    assert "<b>bold</b>" not in mailbox.html() and "&lt;b&gt;bold&lt;/b&gt;" in mailbox.html()
    detail = coordinator.get(f"/en/hosts/registrations/{number}").get_data(as_text=True)
    assert "7:30-д угтана" in detail and "sent to the delegate" in detail and "&lt;b&gt;bold" in detail


def test_confirming_twice_records_one_change_and_one_email(app, coordinator, make_delegate):
    make_delegate("ana")
    number = registration_id(app, "ana@example.org")
    page = f"/en/hosts/registrations/{number}"
    for _ in range(2):
        assert post_form(coordinator, f"{page}/confirm", page).status_code == 303
    token = csrf_token(coordinator.get(page).get_data(as_text=True))
    response = coordinator.post(f"{page}/confirm", data={"csrf_token": token}, headers=HTMX)
    assert response.status_code == 200  # a doubled tap: the row as it is
    assert len(registration_audit(app, number)) == 1
    assert len(outbox(app, "registration_confirmed")) == 1


def test_htmx_confirms_in_the_row_and_declining_frees_the_seat(app, coordinator, make_delegate, make_session):
    session = make_session(capacity=1)
    make_delegate("ana")
    make_delegate("bat", language="mn")
    with app.app_context():
        joined = db.session.get(Session, session.id)
        for email in ("ana@example.org", "bat@example.org"):
            program_services.join(db.session.scalar(select(Registration).filter_by(email_key=email)), joined)
        db.session.commit()
    number = registration_id(app, "ana@example.org")
    token = csrf_token(coordinator.get("/en/hosts/registrations").get_data(as_text=True))
    row = coordinator.post(f"/en/hosts/registrations/{number}/confirm", headers=HTMX,
                           data={"csrf_token": token, "next": "/en/hosts/registrations"})
    body = row.get_data(as_text=True)
    assert row.status_code == 200 and body.lstrip().startswith("<tr>") and "Confirmed" in body
    assert f"/en/hosts/registrations/{number}/decline" in body and f"{number}/confirm" not in body
    declined = coordinator.post(f"/en/hosts/registrations/{number}/decline", headers=HTMX, data={"csrf_token": token})
    assert declined.status_code == 200 and "Declined" in declined.get_data(as_text=True)
    with app.app_context():
        seats = {seat.registration_id: seat.status for seat in db.session.scalars(select(Seat))}
    assert seats == {registration_id(app, "bat@example.org"): "seated"}  # the waitlist moved up
    assert len(outbox(app, "registration_declined")) == 1 and len(outbox(app, "seat_promoted")) == 1
    assert [a for a, *_ in registration_audit(app, number)] == ["registration.confirmed", "registration.declined"]


def test_a_cancelled_registration_cannot_be_confirmed(app, coordinator, make_delegate):
    make_delegate("ana")
    set_status(app, "ana@example.org", "cancelled")
    number = registration_id(app, "ana@example.org")
    page = f"/mn/hosts/registrations/{number}"
    assert f"{number}/confirm" not in coordinator.get(page).get_data(as_text=True)
    response = post_form(coordinator, f"{page}/confirm", page)
    assert response.status_code == 409
    assert "баталгаажуулах" in response.get_data(as_text=True).lower() or "цуцалсан" in response.get_data(as_text=True)
    htmx = coordinator.post(f"{page}/decline", headers=HTMX,
                            data={"csrf_token": csrf_token(coordinator.get(page).get_data(as_text=True))})
    assert htmx.status_code == 409 and htmx.get_data(as_text=True).lstrip().startswith("<tr>")
    assert registration_row(app, "ana@example.org").status == "cancelled"
    assert registration_audit(app, number) == [] and outbox(app, "registration_declined") == []


def test_another_events_or_an_unknown_registration_is_a_404(coordinator):
    page = "/en/hosts/registrations"
    assert coordinator.get(f"{page}/999").status_code == 404
    assert post_form(coordinator, f"{page}/999/confirm", page).status_code == 404
    assert post_form(coordinator, f"{page}/999/note", page, text="x").status_code == 404


@pytest.mark.parametrize("action", ["confirm", "decline", "note"])
def test_every_registration_form_needs_its_csrf_token(app, coordinator, make_delegate, action):
    make_delegate("ana")
    number = registration_id(app, "ana@example.org")
    response = coordinator.post(f"/en/hosts/registrations/{number}/{action}", data={"text": "x", "note": "x"})
    assert response.status_code == 400
    assert registration_row(app, "ana@example.org").status == "pending"
    assert registration_audit(app, number) == []


# The detail page and notes

def test_the_detail_page_shows_everything_entered_places_notes_history_and_checkin(app, coordinator, plain_host,
                                                                                    make_delegate, make_session):
    session = make_session(title={"en": "Youth forum", "mn": "Залуучуудын форум"})
    make_delegate("ana", visa_letter=True, nationality="ES", passport_number="X1234567",
                  passport_given_name="ANA", passport_family_name="GARCIA", date_of_birth=date(1980, 1, 2),
                  passport_expiry=date(2030, 1, 1), dietary_needs="Vegetarian", arrival_date=date(2017, 5, 24))
    with app.app_context():
        program_services.join(db.session.scalar(select(Registration)), db.session.get(Session, session.id))
        db.session.commit()
    row = registration_row(app, "ana@example.org")
    assert len(row.checkin_code) >= 16 and str(row.id) != row.checkin_code
    make_delegate("bat")
    assert registration_row(app, "bat@example.org").checkin_code not in (row.checkin_code, None)
    page = f"/en/hosts/registrations/{row.id}"
    response = post_form(plain_host, f"{page}/note", page, text="Needs a pickup at the airport.")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{page}#notes")
    body = plain_host.get(page).get_data(as_text=True)
    for shown in ("X1234567", "ANA GARCIA", "Vegetarian", "Youth forum", "seated", "Needs a pickup at the airport.",
                  f"/en/hosts/checkin/{row.checkin_code}", "Note added", HOST):
        assert shown in body, shown
    assert "X1234567" not in plain_host.get("/en/hosts/registrations").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(HostNote.emailed)) is False
    assert outbox(app, "registration_confirmed") == []


HOSTILE_NOTES = [("a" * 10_000, 422), ("x\x00y", 422), ("\u202egnp.exe", 422), ("", 422),
                 ("<script>alert(1)</script>", 303), ("'; DROP TABLE registrations; --", 303)]


@pytest.mark.parametrize("text, status", HOSTILE_NOTES)
def test_a_hostile_note_is_refused_in_the_readers_language_or_kept_inert(app, coordinator, make_delegate, text, status):
    make_delegate("ana")
    number = registration_id(app, "ana@example.org")
    page = f"/mn/hosts/registrations/{number}"
    response = post_form(coordinator, f"{page}/note", page, text=text)
    assert response.status_code == status
    body = coordinator.get(page).get_data(as_text=True) if status == 303 else response.get_data(as_text=True)
    assert "<script>alert" not in body
    if status == 422:
        assert "Доорх алдааг засна уу" in body
        with app.app_context():
            assert db.session.scalar(select(HostNote)) is None
    else:
        assert "&lt;script&gt;" in body or "DROP TABLE" in body
        assert registration_row(app, "ana@example.org").given_name == "ana"


@pytest.mark.parametrize("note", ["a" * 10_000, "x\x00y", "\u2066x"])
def test_a_hostile_decision_note_changes_nothing(app, coordinator, make_delegate, note):
    make_delegate("ana")
    number = registration_id(app, "ana@example.org")
    page = f"/mn/hosts/registrations/{number}"
    response = post_form(coordinator, f"{page}/confirm", page, note=note)
    assert response.status_code == 422 and "Доорх алдааг засна уу" in response.get_data(as_text=True)
    assert registration_row(app, "ana@example.org").status == "pending"
    assert outbox(app, "registration_confirmed") == []


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "' OR 1=1 --", "Robert'); DROP TABLE registrations;--"])
def test_hostile_search_text_is_shown_inert(coordinator, make_delegate, q):
    make_delegate("ana")
    for headers in ({}, HTMX):
        response = coordinator.get("/en/hosts/registrations", query_string={"q": q}, headers=headers)
        assert response.status_code == 200
        assert "<script>alert" not in response.get_data(as_text=True)
    assert "1 registration" in coordinator.get("/en/hosts/registrations").get_data(as_text=True)


# Exports

def read_csv(response):
    assert response.data.startswith("\ufeff".encode("utf-8"))
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_csv_export_is_filtered_headed_in_the_readers_language_and_inert(app, coordinator, make_delegate):
    make_delegate("tsetseg", given_name="Цэцэг", family_name="Батаа", country="MN", organisation="=HYPERLINK(\"x\")",
                  phone="+97699112233")
    make_delegate("ana", organisation="@SUM(A1)")
    make_delegate("bat", country="DE", organisation="-2+3")
    response = coordinator.get("/mn/hosts/registrations.csv?country=MN")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    rows = read_csv(response)
    header, *body = rows
    assert "Нэр" in " ".join(header) and len(body) == 1
    cells = dict(zip(header, body[0]))
    assert "Цэцэг" in body[0] and "Батаа" in body[0]
    assert "'=HYPERLINK(\"x\")" in body[0] and "'+97699112233" in body[0]
    assert "X1234567" not in response.get_data(as_text=True)
    assert cells[header[0]] == str(registration_id(app, "tsetseg@example.org"))
    everyone = read_csv(coordinator.get("/en/hosts/registrations.csv?sort=name"))
    assert len(everyone) == 4 and "'@SUM(A1)" in sum(everyone, []) and "'-2+3" in sum(everyone, [])
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in everyone for cell in row)


def test_the_xlsx_export_has_typed_cells(app, coordinator, make_delegate):
    make_delegate("tsetseg", given_name="Цэцэг", organisation="=1+1", arrival_date=date(2017, 5, 24),
                  arrival_time=time(7, 30), hotel_needed=True, hotel_check_in=date(2017, 5, 24),
                  hotel_check_out=date(2017, 5, 27), room_type="shared")
    response = coordinator.get("/en/hosts/registrations.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]]))
    assert header[:4] == ["Number", "Status", "Given name", "Family name"]
    assert values["Number"] == registration_id(app, "tsetseg@example.org")
    assert values["Given name"] == "Цэцэг" and values["Status"] == "Pending"
    assert values["Party or organisation"] == "=1+1" and sheet.cell(2, header.index("Party or organisation") + 1).data_type == "s"
    assert isinstance(values["Arrival date"], datetime) and values["Arrival date"].date() == date(2017, 5, 24)
    assert values["Arrival time"] == time(7, 30) and values["Hotel"] is True and values["Room type"] == "Shared room"
    assert values["Registered"] == datetime(2017, 5, 1, 10, 0)  # the event's time, as the factories register
    assert "Passport number" not in header
    mongolian = load_workbook(io.BytesIO(coordinator.get("/mn/hosts/registrations.xlsx").data)).active
    assert mongolian.cell(1, 3).value != "Given name"


def test_passport_details_only_in_an_export_a_coordinator_asks_for_and_it_is_logged(app, coordinator, plain_host,
                                                                                    make_delegate):
    make_delegate("ana", visa_letter=True, nationality="ES", passport_number="X1234567",
                  date_of_birth=date(1980, 1, 2), passport_expiry=date(2030, 1, 1))
    for kind in ("csv", "xlsx"):
        refused = plain_host.get(f"/mn/hosts/registrations.{kind}?passport=1")
        assert refused.status_code == 403 and b"X1234567" not in refused.data
        assert plain_host.get(f"/en/hosts/registrations.{kind}").status_code == 200
    assert "X1234567" not in coordinator.get("/en/hosts/registrations.csv").get_data(as_text=True)
    rows = read_csv(coordinator.get("/en/hosts/registrations.csv?passport=1&visa=1"))
    assert "Passport number" in rows[0] and "X1234567" in rows[1] and "1980-01-02" in rows[1]
    sheet = load_workbook(io.BytesIO(coordinator.get("/en/hosts/registrations.xlsx?passport=1").data)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(2, header.index("Date of birth") + 1).value == datetime(1980, 1, 2)
    with app.app_context():
        logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registrations.exported_passports")
                                    .order_by(AuditEntry.id)).all()
        assert [(entry.after["format"], entry.after["rows"], entry.after["filters"]) for entry in logged] == [
            ("csv", 1, {"visa": 1}), ("xlsx", 1, {})]
        assert all(entry.host.email == COORDINATOR for entry in logged)
    assert "Exported with passport details" in coordinator.get("/en/hosts/audit").get_data(as_text=True)
    assert "passport=1" not in plain_host.get("/en/hosts/registrations").get_data(as_text=True)


def test_a_roster_lists_the_seated_then_the_waitlist_in_order(app, coordinator, make_delegate, make_session):
    session = make_session(slug="youth-forum", capacity=1, title={"en": "Youth forum", "mn": "Залуучуудын форум"})
    for name in ("first", "second", "third"):
        make_delegate(name, given_name=name.title())
    with app.app_context():
        joined = db.session.get(Session, session.id)
        for name in ("second", "first", "third"):
            program_services.join(db.session.scalar(select(Registration).filter_by(email_key=f"{name}@example.org")), joined)
        db.session.commit()
    header, *rows = read_csv(coordinator.get("/mn/hosts/program/youth-forum/roster.csv"))
    assert [row[2] for row in rows] == ["Second", "First", "Third"]
    assert [row[1] for row in rows] == ["", "1", "2"]
    assert header[0] == "Суудал эсвэл хүлээлгийн жагсаалт"  # in the reader's language
    sheet = load_workbook(io.BytesIO(coordinator.get("/en/hosts/program/youth-forum/roster.xlsx").data)).active
    assert [[cell.value for cell in row][:3] for row in sheet.iter_rows(min_row=2)] == [
        ["Seat", None, "Second"], ["Waiting list", 1, "First"], ["Waiting list", 2, "Third"]]
    assert sheet.title == "Youth forum"
    assert coordinator.get("/en/hosts/program/nowhere/roster.csv").status_code == 404


def test_a_delegate_who_erases_their_data_takes_the_hosts_notes_and_log_details_along(app, coordinator, make_delegate):
    make_delegate("tsetseg", given_name="Цэцэг")
    number = registration_id(app, "tsetseg@example.org")
    page = f"/en/hosts/registrations/{number}"
    assert post_form(coordinator, f"{page}/note", page, text="Travels with her daughter Saraa.").status_code == 303
    assert post_form(coordinator, f"{page}/confirm", page, note="See you on the 25th, Tsetseg.").status_code == 303
    with app.app_context():
        erase_personal_data(db.session.get(Registration, number), utcnow())
        db.session.commit()
    detail = coordinator.get(page).get_data(as_text=True)
    assert "Saraa" not in detail and "Tsetseg" not in detail
    history = registration_audit(app, number)
    assert [action for action, *_ in history] == ["registration.noted", "registration.confirmed"]  # who and when stay
    assert all(before is None and after is None for _, before, after, _ in history)
    assert "Saraa" not in coordinator.get("/en/hosts/audit").get_data(as_text=True)


def test_each_showing_of_passport_details_is_in_the_audit_log(app, plain_host, make_delegate):
    make_delegate("ana", visa_letter=True, nationality="ES", passport_number="X1234567",
                  passport_given_name="ANA", passport_family_name="GARCIA", date_of_birth=date(1980, 1, 2),
                  passport_expiry=date(2030, 1, 1))
    make_delegate("bat")
    with_passport, without = registration_id(app, "ana@example.org"), registration_id(app, "bat@example.org")
    for number in (with_passport, with_passport, without):
        assert plain_host.get(f"/en/hosts/registrations/{number}").status_code == 200
    with app.app_context():
        viewed = db.session.execute(select(AuditEntry.object_id, AuditEntry.host_id)
                                    .where(AuditEntry.action == "registration.passport_viewed")).all()
    assert [number for number, _ in viewed] == [with_passport, with_passport] and all(host for _, host in viewed)
    assert "Passport details viewed" in plain_host.get(f"/en/hosts/registrations/{with_passport}").get_data(as_text=True)
