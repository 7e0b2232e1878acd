"""Visa invitation letters: the rules (references as embassies type them, the dates of stay, who may
have a letter), issuing, downloading and withdrawing from a registration's page (audit log, who may),
the English A4 PDF (its text read back with pypdf), the public verification page (only the allowed
facts, withdrawn, unknown, rate limit, caching), the purge of passport data after the event, the
erasure of a delegate, hostile names, and the letter's text in the event editor."""
import io
import os
import re
import shutil
import subprocess
from datetime import date, datetime, timezone
from html import unescape

import pytest
import segno
from sqlalchemy import select, update

from app import pdf
from app.config import ROOT
from app.delegates.services import cancel
from app.events.content import read_event
from app.events.models import Event
from app.extensions import db
from app.hosts import letters as host_letters
from app.hosts.models import AuditEntry
from app.i18n import I18nText
from app.registration import letters
from app.registration.models import Registration, VisaLetter
from app.registration.services import purge_passport_data
from tests.conftest import BEFORE_DEADLINE, copy_database, csrf_token, dispose, make_app, register
from tests.test_hosts import coordinator, plain_host  # noqa: F401 (fixtures)

pypdf = pytest.importorskip("pypdf")

PASSPORT = dict(visa_letter=True, nationality="ES", passport_number="X1234567", date_of_birth=date(1980, 1, 2),
                passport_expiry=date(2030, 1, 1), passport_given_name="ANA", passport_family_name="GARCIA")
TRAVEL = dict(arrival_date=date(2017, 5, 24), departure_date=date(2017, 5, 27))
REFERENCE = re.compile(r"PA-[A-Z2-9]{5}-[A-Z2-9]{5}")


def needs_weasyprint():
    if not pdf.available():
        pytest.skip("Pango missing: run scripts/install-pdf-libs.sh as root")


@pytest.fixture
def visa_delegate(app, make_delegate):
    """A pending delegate who asked for a visa letter, with passport details, arriving 24 May."""
    app.config["PORTAL_NOW"] = BEFORE_DEADLINE
    return make_delegate("ana", **PASSPORT, **TRAVEL).id


def text_of(html: str) -> str:
    """What a reader sees of a page's main part: no markup, spaces collapsed."""
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r"<(br|/?(p|li|ul|ol|div|h\d|dt|dd|td|th|tr|section|article))\b[^>]*>", " ", main)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", main)).split())


def issue(client, number, lang="en"):
    page = client.get(f"/{lang}/hosts/registrations/{number}").get_data(as_text=True)
    return client.post(f"/{lang}/hosts/registrations/{number}/visa-letter", data={"csrf_token": csrf_token(page)})


def withdraw(client, number, lang="en"):
    page = client.get(f"/{lang}/hosts/registrations/{number}").get_data(as_text=True)
    return client.post(f"/{lang}/hosts/registrations/{number}/visa-letter/withdraw",
                       data={"csrf_token": csrf_token(page)})


def letters_of(app, number=None):
    with app.app_context():
        query = select(VisaLetter).order_by(VisaLetter.id)
        if number is not None:
            query = query.where(VisaLetter.registration_id == number)
        rows = db.session.scalars(query).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def audit_actions(app, number):
    with app.app_context():
        return db.session.execute(select(AuditEntry.action, AuditEntry.after).where(
            AuditEntry.object_kind == "registration", AuditEntry.object_id == number,
            AuditEntry.action.like("registration.visa_letter_%")).order_by(AuditEntry.id)).all()


def pdf_text(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages]


# The rules, as plain functions

@pytest.mark.parametrize("typed", ["PA-ABCDE-FGH23", "pa-abcde-fgh23", " PA ABCDE FGH23 ", "PAABCDEFGH23", "abcdefgh23",
                                   "ABCDE-FGH23", "pa–abcde–fgh23", "PA.ABCDE.FGH23", "ＰＡ-ＡＢＣＤＥ-ＦＧＨ２３",
                                   "Pa - Abcde - Fgh23\n"])
def test_a_reference_is_read_however_an_embassy_types_it(typed):
    assert letters.canonical_reference(typed) == "PA-ABCDE-FGH23"


@pytest.mark.parametrize("typed", ["", "PA", "PA-ABCDE-FGH2", "PA-ABCDE-FGH234", "PA-ABCDE-FGH20", "PA-ABCDE-FGHI3",
                                   "PA-ABCDE-FGHL3", "PA-ABCD0-FGH23", "../../etc/passwd", "<script>x</script>",
                                   "1 OR 1=1", "PA-ABCDE-FGH2😀", "A" * 10_000, "XX-ABCDE-FGH23", None, "ПА-ABCDE-FGH23"])
def test_anything_else_is_no_reference(typed):
    assert letters.canonical_reference(typed) is None


def test_references_are_random_and_in_the_shape_an_embassy_types():
    drawn = {letters.new_letter_reference() for _ in range(2000)}
    assert len(drawn) == 2000 and all(REFERENCE.fullmatch(ref) and letters.canonical_reference(ref) == ref
                                      for ref in drawn)


def test_the_dates_of_stay_are_the_delegates_travel_else_the_conference_days():
    event = Event(starts_on=date(2017, 5, 25), ends_on=date(2017, 5, 26))
    assert letters.stay_dates(event, date(2017, 5, 24), date(2017, 5, 28)) == (date(2017, 5, 24), date(2017, 5, 28))
    assert letters.stay_dates(event, None, None) == (date(2017, 5, 25), date(2017, 5, 26))
    assert letters.stay_dates(event, date(2017, 5, 23), None) == (date(2017, 5, 23), date(2017, 5, 26))
    assert letters.stay_dates(event, None, date(2017, 5, 30)) == (date(2017, 5, 25), date(2017, 5, 30))
    assert letters.stay_dates(event, date(2017, 5, 29), date(2017, 5, 27)) == (date(2017, 5, 29), date(2017, 5, 29))


def test_the_letter_names_the_delegate_as_in_the_passport():
    assert letters.passport_name(Registration(given_name="Батбаяр", family_name="Дорж", passport_given_name="BATBAYAR",
                                              passport_family_name="DORJ")) == "BATBAYAR DORJ"
    assert letters.passport_name(Registration(given_name="Ana", family_name="García", passport_given_name="",
                                              passport_family_name="")) == "Ana García"
    assert letters.passport_name(Registration(given_name=" Ana ", family_name="", passport_given_name="",
                                              passport_family_name="")) == "Ana"


def test_who_may_have_a_letter_issued_and_made_as_a_pdf():
    def delegate(**fields):
        data = dict(status="pending", visa_letter=True, passport_number="X1234567", passport_purged_at=None,
                    erased_at=None)
        return Registration(**{**data, **fields})

    letter = VisaLetter(reference="PA-ABCDE-FGH23")
    text = "Dear Sir or Madam"
    assert letters.issue_refusal(delegate(), None, text) is None
    assert letters.issue_refusal(delegate(status="confirmed"), None, text) is None
    assert letters.issue_refusal(delegate(visa_letter=False), None, text) == letters.NOT_REQUESTED
    assert letters.issue_refusal(delegate(status="declined"), None, text) == letters.INACTIVE
    assert letters.issue_refusal(delegate(status="cancelled"), None, text) == letters.INACTIVE
    assert letters.issue_refusal(delegate(erased_at=datetime.now(timezone.utc)), None, text) == letters.INACTIVE
    assert letters.issue_refusal(delegate(passport_number=""), None, text) == letters.NO_PASSPORT
    assert letters.issue_refusal(delegate(passport_purged_at=datetime.now(timezone.utc)), None, text) == letters.NO_PASSPORT
    assert letters.issue_refusal(delegate(), letter, text) == letters.ISSUED
    assert letters.issue_refusal(delegate(), None, "  \n") == letters.NO_TEXT
    assert letters.download_refusal(delegate(), letter) is None
    assert letters.download_refusal(delegate(), None) == letters.NO_LETTER
    assert letters.download_refusal(delegate(status="cancelled"), letter) == letters.INACTIVE
    assert letters.download_refusal(delegate(passport_number=""), letter) == letters.NO_PASSPORT


def test_the_letter_writes_dates_as_no_embassy_misreads_them():
    assert host_letters.stay_in_words(date(2017, 5, 24), date(2017, 5, 27)) == "24 May 2017 to 27 May 2017"
    assert host_letters.stay_in_words(date(2017, 5, 25), date(2017, 5, 25)) == "25 May 2017"
    assert host_letters.days_in_words(date(2017, 5, 25), date(2017, 5, 26)) == "25\u201326 May 2017"
    assert host_letters.days_in_words(date(2017, 5, 31), date(2017, 6, 1)) == "31 May \u2013 1 June 2017"
    assert host_letters.days_in_words(date(2017, 12, 31), date(2018, 1, 1)) == "31 December 2017 \u2013 1 January 2018"


def test_the_demo_has_the_letters_text_in_both_languages(app):
    text = read_event(app.config["DEMO_CONTENT"]).visa_letter_text
    assert text.missing(["en", "mn"]) == []
    assert "grant the delegate a visa" in text.texts["en"] and "виз" in text.texts["mn"]


# Issuing, downloading, withdrawing

def test_a_host_issues_a_letter_and_downloads_it_in_english_on_a4(app, coordinator, visa_delegate):
    needs_weasyprint()
    response = issue(coordinator, visa_delegate)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/en/hosts/registrations/{visa_delegate}#visa-letter"
    [letter] = letters_of(app, visa_delegate)
    assert REFERENCE.fullmatch(letter.reference) and letter.name == "ANA GARCIA"
    assert (letter.stay_from, letter.stay_until) == (date(2017, 5, 24), date(2017, 5, 27))
    assert letter.issued_at == datetime.fromisoformat(BEFORE_DEADLINE)  # the portal's clock
    page = text_of(coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True))
    url = f"http://localhost/en/verify/{letter.reference}"
    assert f"Reference number {letter.reference}" in page and url in page and "Download the letter (PDF)" in page

    response = coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf")
    [text] = pdf_text(response)  # one sheet
    assert response.headers["Content-Disposition"] == f"attachment; filename=visa-letter-{letter.reference}.pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    sheet = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].mediabox
    assert (round(float(sheet.width) * 25.4 / 72), round(float(sheet.height) * 25.4 / 72)) == (210, 297)  # A4
    for fact in ("ANA GARCIA", letter.reference, url, "Spain", "X1234567", "2 January 1980", "1 January 2030",
                 "24 May 2017 to 27 May 2017", "Progressive Alliance Conference", "25–26 May 2017", "1 May 2017",
                 "Hosted by the Mongolian People’s Party (MPP)", "hosts@example.org",
                 "We kindly ask you to grant the delegate a visa"):
        assert fact in text, fact


def test_the_pdf_is_english_whatever_the_consoles_language(app, coordinator, visa_delegate):
    needs_weasyprint()
    issue(coordinator, visa_delegate, lang="mn")
    [text] = pdf_text(coordinator.get(f"/mn/hosts/registrations/{visa_delegate}/visa-letter.pdf"))
    assert "Invitation letter for a visa application" in text and "Passport number" in text
    assert "/en/verify/PA-" in text and "Паспорт" not in text and "Spain" in text


def test_the_qr_code_holds_the_verification_address(app, coordinator, visa_delegate, monkeypatch, tmp_path, caplog):
    needs_weasyprint()
    issue(coordinator, visa_delegate)
    made = []
    render = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html, *args: made.append(html) or render(html, *args))
    response = coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf")
    [letter] = letters_of(app, visa_delegate)
    url = f"http://localhost/en/verify/{letter.reference}"
    expected = segno.make(url, error="m").svg_inline(border=4, omitsize=True, title=url)
    assert expected in made[0]
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):  # decoded from the PDF itself where the tools are
        (tmp_path / "letter.pdf").write_bytes(response.data)
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", tmp_path / "letter.pdf", tmp_path / "letter"],
                       check=True)
        found = subprocess.run(["zbarimg", "-q", "--raw", tmp_path / "letter.png"], capture_output=True, text=True).stdout
        assert found.strip() == url
    # WeasyPrint understood the whole stylesheet.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_the_letter_is_on_the_registrations_page_and_each_action_is_logged(app, coordinator, visa_delegate):
    needs_weasyprint()
    page = text_of(coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True))
    assert "Visa letter No letter issued." in page and "Issue the letter" in page
    assert "Name as in the passport ANA GARCIA Dates of stay May 24 – 27, 2017" in page
    issue(coordinator, visa_delegate)
    coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf")
    withdraw(coordinator, visa_delegate)
    [letter] = letters_of(app, visa_delegate)
    logged = audit_actions(app, visa_delegate)
    assert [action for action, _ in logged] == ["registration.visa_letter_issued", "registration.visa_letter_downloaded",
                                                "registration.visa_letter_withdrawn"]
    assert logged[0].after == {"reference": letter.reference, "stay_from": "2017-05-24", "stay_until": "2017-05-27"}
    assert all(after["reference"] == letter.reference for _, after in logged)
    history = text_of(coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True))
    for words in ("Visa letter issued", "Visa letter downloaded", "Visa letter withdrawn"):
        assert words in history
    log = text_of(coordinator.get(f"/mn/hosts/audit?registration={visa_delegate}").get_data(as_text=True))
    assert "Visa letter" not in log and letter.reference in log and "2017 оны 5-р сарын 24" in log


def test_a_plain_host_may_issue_download_and_withdraw(app, plain_host, visa_delegate):
    needs_weasyprint()
    assert issue(plain_host, visa_delegate).status_code == 303
    assert plain_host.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf").status_code == 200
    assert withdraw(plain_host, visa_delegate).status_code == 303


def test_withdrawn_letters_are_no_longer_downloaded_and_a_new_one_has_a_new_reference(app, coordinator, visa_delegate,
                                                                                      client):
    needs_weasyprint()
    issue(coordinator, visa_delegate)
    assert withdraw(coordinator, visa_delegate).status_code == 303
    [first] = letters_of(app, visa_delegate)
    assert first.withdrawn_at is not None
    response = coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf")
    assert response.status_code == 404
    assert "No visa letter has been issued for this delegate, or it was withdrawn." in text_of(response.get_data(as_text=True))
    again = withdraw(coordinator, visa_delegate)
    assert again.status_code == 404 and len(audit_actions(app, visa_delegate)) == 2
    assert issue(coordinator, visa_delegate).status_code == 303
    old, new = letters_of(app, visa_delegate)
    assert old.reference == first.reference and new.reference != first.reference and new.withdrawn_at is None
    page = text_of(coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True))
    assert f"Withdrawn letters {first.reference}: issued on May 1, 2017, withdrawn on May 1, 2017" in page
    assert new.reference in pdf_text(coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf"))[0]
    assert "withdrew" in text_of(client.get(f"/en/verify/{first.reference}").get_data(as_text=True))
    assert "genuine and valid" in text_of(client.get(f"/en/verify/{new.reference}").get_data(as_text=True))


def test_a_second_letter_is_refused_while_one_is_valid(app, coordinator, visa_delegate):
    issue(coordinator, visa_delegate)
    response = issue(coordinator, visa_delegate, lang="mn")
    assert response.status_code == 409
    assert len(letters_of(app, visa_delegate)) == 1 and len(audit_actions(app, visa_delegate)) == 1
    assert "Withdraw it first" not in response.get_data(as_text=True)  # said in Mongolian


def test_two_hosts_issuing_at_once_make_one_letter(app, event, make_host, visa_delegate):
    make_host()
    with app.test_request_context():
        event_row = db.session.get(Event, event)
        registration = db.session.get(Registration, visa_delegate)
        host_letters.issue(None, event_row, registration, datetime.now(timezone.utc))
        with pytest.raises(host_letters.LetterRefused) as refused:
            host_letters.issue(None, event_row, registration, datetime.now(timezone.utc))
        assert refused.value.reason == letters.ISSUED and refused.value.status == 409


def test_no_letter_yet_is_a_404_that_says_so(coordinator, visa_delegate):
    for lang, words in (("en", "No visa letter has been issued for this delegate"), ("mn", "Визийн урилга")):
        response = coordinator.get(f"/{lang}/hosts/registrations/{visa_delegate}/visa-letter.pdf")
        assert response.status_code == 404 and words in text_of(response.get_data(as_text=True))
    assert coordinator.get("/en/hosts/registrations/999999/visa-letter.pdf").status_code == 404
    assert coordinator.get("/en/hosts/registrations/abc/visa-letter.pdf").status_code == 404
    # A number no id column holds (SQLite refuses even to compare it): nobody, not a 500.
    huge = "9" * 30
    assert coordinator.get(f"/en/hosts/registrations/{huge}/visa-letter.pdf").status_code == 404
    assert coordinator.get(f"/en/hosts/registrations/{huge}").status_code == 404
    token = csrf_token(coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True))
    for path in ("visa-letter", "visa-letter/withdraw"):
        assert coordinator.post(f"/en/hosts/registrations/{huge}/{path}", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("fields, status, words", [
    (dict(status="declined"), 409, "declined or cancelled"),
    (dict(status="cancelled"), 409, "declined or cancelled"),
    (dict(visa_letter=False), 409, "did not ask for a visa invitation letter"),
    (dict(passport_number=""), 410, "passport details are not on file"),
])
def test_a_letter_is_refused_with_a_clear_message(app, coordinator, visa_delegate, fields, status, words):
    with app.app_context():
        db.session.execute(update(Registration).where(Registration.id == visa_delegate).values(**fields))
        db.session.commit()
    response = issue(coordinator, visa_delegate)
    assert response.status_code == status and words in text_of(response.get_data(as_text=True))
    assert letters_of(app) == [] and audit_actions(app, visa_delegate) == []
    back = f'href="/en/hosts/registrations/{visa_delegate}#visa-letter"'
    assert back in response.get_data(as_text=True)


def test_without_the_letters_english_text_none_is_issued(app, coordinator, event, visa_delegate):
    with app.app_context():
        db.session.get(Event, event).visa_letter_text = I18nText({"mn": "Зөвхөн монголоор"})
        db.session.commit()
    page = text_of(coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True))
    assert "The letter’s English text is empty." in page and "Issue the letter" not in page
    assert issue(coordinator, visa_delegate).status_code == 409 and letters_of(app) == []


def test_declining_withdraws_the_letter_and_logs_it(app, client, coordinator, visa_delegate):
    issue(coordinator, visa_delegate)
    [letter] = letters_of(app)
    page = coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True)
    declined = coordinator.post(f"/en/hosts/registrations/{visa_delegate}/decline", data={"csrf_token": csrf_token(page)})
    assert declined.status_code == 303
    [after] = letters_of(app)
    assert after.reference == letter.reference and after.withdrawn_at is not None
    assert "withdrew" in text_of(client.get(f"/en/verify/{letter.reference}").get_data(as_text=True))
    assert [action for action, _after in audit_actions(app, visa_delegate)][-1] == "registration.visa_letter_withdrawn"
    assert coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf").status_code == 404


def test_a_delegate_who_cancels_has_the_letter_withdrawn(app, client, coordinator, visa_delegate):
    issue(coordinator, visa_delegate)
    [letter] = letters_of(app)
    with app.app_context():
        cancel(db.session.get(Registration, visa_delegate), datetime(2017, 5, 1, tzinfo=timezone.utc))
        db.session.commit()
    assert letters_of(app)[0].withdrawn_at is not None
    assert "withdrew" in text_of(client.get(f"/en/verify/{letter.reference}").get_data(as_text=True))


def test_a_changed_passport_name_is_pointed_out(app, coordinator, visa_delegate):
    issue(coordinator, visa_delegate)
    with app.app_context():
        db.session.execute(update(Registration).where(Registration.id == visa_delegate)
                           .values(passport_family_name="GARCIA LOPEZ"))
        db.session.commit()
    page = text_of(coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True))
    assert "changed since the letter was issued: withdraw it and issue a new one" in page


# Who may

def test_signed_out_or_with_a_delegates_cookie_nothing_opens_and_nothing_is_stored(app, client, open_registration):
    assert register(client, visa_letter="y", nationality="ES", passport_number="X1234567", date_of_birth="1980-01-02",
                    passport_expiry="2030-01-01").status_code == 303
    with app.app_context():
        number = db.session.scalar(select(Registration.id))
    stranger = app.test_client()
    for visitor in (client, stranger):  # the delegate's own cookie, and nobody's
        pdf_answer = visitor.get(f"/en/hosts/registrations/{number}/visa-letter.pdf")
        assert pdf_answer.status_code == 303
        assert pdf_answer.headers["Location"] == f"/en/hosts/login?next=/en/hosts/registrations/{number}/visa-letter.pdf"
        token = csrf_token(visitor.get("/en/hosts/login").get_data(as_text=True))  # a valid form, of their own
        for path in ("visa-letter", "visa-letter/withdraw"):
            answer = visitor.post(f"/en/hosts/registrations/{number}/{path}", data={"csrf_token": token})
            assert answer.status_code == 303 and answer.headers["Location"] == "/en/hosts/login"
    assert letters_of(app) == [] and audit_actions(app, number) == []


def test_a_forged_or_missing_csrf_token_changes_nothing(app, coordinator, visa_delegate):
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ["a", "b"]}):
        assert coordinator.post(f"/en/hosts/registrations/{visa_delegate}/visa-letter", data=data).status_code == 400
    assert letters_of(app) == []
    issue(coordinator, visa_delegate)
    assert coordinator.post(f"/en/hosts/registrations/{visa_delegate}/visa-letter/withdraw",
                            data={"csrf_token": "forged"}).status_code == 400
    assert letters_of(app)[0].withdrawn_at is None


def test_a_get_issues_nothing(app, coordinator, visa_delegate):
    assert coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter").status_code == 405
    assert letters_of(app) == []


# The verification page

def verify_page(client, reference, lang="en"):
    response = client.get(f"/{lang}/verify/{reference}")
    return response, text_of(response.get_data(as_text=True))


def test_the_verification_page_shows_exactly_the_allowed_facts(app, client, coordinator, visa_delegate):
    issue(coordinator, visa_delegate)
    [letter] = letters_of(app)
    response, text = verify_page(client, letter.reference)
    assert response.status_code == 200
    assert text == ("Visa invitation letter: genuine This letter is genuine and valid. The hosts of «Progressive Alliance "
                    "Conference» (Ulaanbaatar, Mongolia, May 25 – 26, 2017) issued it. Hosted by the Mongolian People’s "
                    "Party (MPP) in co-operation with the Network of Social Democracy in Asia (SocDem Asia). "
                    f"Reference number {letter.reference} Name as in the passport ANA GARCIA "
                    "Dates of stay May 24 – 27, 2017 Issued on May 1, 2017 "
                    "The letter is genuine only if its reference number, name and dates are the same as here.")
    whole = response.get_data(as_text=True)
    for private in ("X1234567", "ana@example.org", "Spain", "1980", "2030", "+34", "García", "Registration number",
                    f"/hosts/registrations/{visa_delegate}"):
        assert private not in whole, private
    assert response.headers["Cache-Control"] == "private, max-age=60"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_the_verification_page_in_mongolian(app, client, coordinator, visa_delegate):
    issue(coordinator, visa_delegate)
    [letter] = letters_of(app)
    response, text = verify_page(client, letter.reference, "mn")
    assert response.status_code == 200 and '<html lang="mn">' in response.get_data(as_text=True)
    assert letter.reference in text and "ANA GARCIA" in text and "2017 оны тавдугаар сарын 24–27" in text
    assert "Монгол Ардын Нам (МАН)" in text and "«Прогрессив Аллиансын бага хурал»" in text
    chrome = text.replace("ANA GARCIA", "").replace("SocDem Asia", "").replace(letter.reference, "")
    assert not re.search("[A-Za-z]{3}", chrome), text  # every word of the page's own in Mongolian


@pytest.mark.parametrize("variant", [str.lower, lambda ref: ref.replace("-", ""), lambda ref: ref.replace("-", " "),
                                     lambda ref: ref[3:].lower(), lambda ref: f" {ref} "])
def test_the_verification_page_reads_the_reference_as_typed(app, client, coordinator, visa_delegate, variant):
    issue(coordinator, visa_delegate)
    [letter] = letters_of(app)
    response, text = verify_page(client, variant(letter.reference))
    assert response.status_code == 200 and f"Reference number {letter.reference}" in text


def test_an_unknown_or_malformed_reference_gets_one_answer(app, client, coordinator, visa_delegate):
    issue(coordinator, visa_delegate)
    [letter] = letters_of(app)
    neighbour = letter.reference[:-1] + ("A" if letter.reference[-1] != "A" else "B")
    answers = {verify_page(client, typed)[1] for typed in (neighbour, "PA-AAAAA-AAAAA", "nonsense", "%3Cscript%3E",
                                                            "PA-" + "A" * 500, "😀", "1", "PA-ABCDE-FGH2I")}
    assert answers == {"No such letter No visa invitation letter has this reference number. Check it against the letter: "
                       "PA, then ten letters and digits."}
    response, _text = verify_page(client, neighbour)
    assert response.status_code == 404 and response.headers["Cache-Control"] == "private, max-age=60"
    mn, text = verify_page(client, neighbour, "mn")
    assert mn.status_code == 404 and "No such letter" not in text


def test_a_withdrawn_letter_says_so_and_when_and_nothing_else(app, client, coordinator, visa_delegate):
    issue(coordinator, visa_delegate)
    withdraw(coordinator, visa_delegate)
    [letter] = letters_of(app)
    response, text = verify_page(client, letter.reference)
    assert response.status_code == 200
    assert text == (f"This letter was withdrawn The hosts withdrew the visa invitation letter {letter.reference} on "
                    "May 1, 2017. It is no longer valid.")
    _mn, text = verify_page(client, letter.reference, "mn")
    assert letter.reference in text and "ANA" not in text and "2017 оны тавдугаар сарын 1" in text


def test_the_verification_page_is_rate_limited(migrated_database, tmp_path):
    app = make_app(copy_database(migrated_database, tmp_path), RATELIMIT_ENABLED=True, RATELIMIT_VERIFY="3/minute",
                   MAIL_OUTBOX=tmp_path / "outbox")
    try:
        with app.app_context():
            db.session.add(read_event(app.config["DEMO_CONTENT"]))
            db.session.commit()
        client = app.test_client()
        answers = [client.get(f"/en/verify/PA-AAAAA-AAAA{n}").status_code for n in range(2, 7)]
        assert answers == [404, 404, 404, 429, 429]
        refused = client.get("/mn/verify/PA-AAAAA-AAAAA")
        assert refused.status_code == 429 and "Хэт олон удаа оролдлоо" in refused.get_data(as_text=True)
    finally:
        dispose(app)


def test_by_default_a_client_may_check_thirty_letters_a_minute(app):
    assert app.config["RATELIMIT_VERIFY"] == "30/minute;300/hour"


# The purge after the event, and erasure

def test_after_the_purge_the_page_still_answers_and_the_pdf_is_refused(app, client, coordinator, event, visa_delegate):
    needs_weasyprint()
    issue(coordinator, visa_delegate)
    [letter] = letters_of(app)
    with app.app_context():
        purged = purge_passport_data(db.session.get(Event, event), datetime(2017, 7, 1, tzinfo=timezone.utc), 30)
        db.session.commit()
        assert purged == 1 and db.session.get(Registration, visa_delegate).passport_number == ""
    response, text = verify_page(client, letter.reference)
    assert response.status_code == 200 and "ANA GARCIA" in text and "May 24 – 27, 2017" in text
    pdf_answer = coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf")
    assert pdf_answer.status_code == 410
    assert "deleted after the event" in text_of(pdf_answer.get_data(as_text=True))
    page = text_of(coordinator.get(f"/en/hosts/registrations/{visa_delegate}").get_data(as_text=True))
    assert "deleted after the event" in page and "Download the letter" not in page
    [kept] = letters_of(app)
    assert (kept.name, kept.reference, kept.stay_from, kept.stay_until) == ("ANA GARCIA", letter.reference,
                                                                             date(2017, 5, 24), date(2017, 5, 27))


def test_an_erased_delegates_letters_are_withdrawn_and_lose_the_name(app, client, open_registration, coordinator):
    register(client, visa_letter="y", nationality="ES", passport_number="X1234567", date_of_birth="1980-01-02",
             passport_expiry="2030-01-01")
    with app.app_context():
        number = db.session.scalar(select(Registration.id))
    issue(coordinator, number)
    withdraw(coordinator, number)
    issue(coordinator, number)
    page = client.get("/en/me/delete").get_data(as_text=True)
    assert client.post("/en/me/delete", data={"csrf_token": csrf_token(page)}).status_code in (200, 303)
    rows = letters_of(app)
    assert len(rows) == 2 and all(row.name == "" and row.registration_id is None and row.withdrawn_at for row in rows)
    for row in rows:
        response, text = verify_page(app.test_client(), row.reference)
        assert response.status_code == 200 and text.startswith("This letter was withdrawn")
        assert "Ana" not in response.get_data(as_text=True) and "García" not in response.get_data(as_text=True)
    assert [after for _, after in audit_actions(app, number)] == [None, None, None]  # the log forgot the details


# Hostile names never break the PDF or the pages

HOSTILE = {
    "long": ("W" * 100, "Ŵ" * 100),
    "long words": (" ".join(["Mariadelosangeles"] * 5), " ".join(["Fernandez-Villaverde"] * 4)),
    "arabic": ("محمد عبد الرحمن", "الهاشمي"),
    "hebrew": ("אברהם", "בן דוד"),
    "combining marks": ("Z̸̡̢̛̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌̕̚ͅ͏͓͔͕͖͙͚͐͑͒͗͛ͣͤͥͦͧͨͩͪͫͬͭͮͯ͘͜͟͢͝͞͠͡a"[:100], "Ǹ̷͎o̵͈" * 12),
    "emoji": ("Ana 👩🏽‍🔬🇲🇳", "García 🙂‍↔️"),
    "markup": ("<b>Ana</b> &amp;", "<script>alert(1)</script>"),
}


def test_the_hostile_names_are_what_the_form_lets_through():
    assert all(len(part) <= 100 for parts in HOSTILE.values() for part in parts)  # the form's limit, each part


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_name_wraps_in_the_pdf_and_is_text_on_the_page(app, coordinator, client, make_delegate, kind):
    needs_weasyprint()
    app.config["PORTAL_NOW"] = BEFORE_DEADLINE
    given, family = HOSTILE[kind]
    number = make_delegate("hostile", **{**PASSPORT, "passport_given_name": given, "passport_family_name": family}).id
    assert issue(coordinator, number).status_code == 303
    [letter] = letters_of(app)
    response = coordinator.get(f"/en/hosts/registrations/{number}/visa-letter.pdf")
    pages = pdf_text(response)
    assert len(pages) <= 2
    assert letter.reference in pages[0] and f"http://localhost/en/verify/{letter.reference}" in "".join(pages)
    verify = client.get(f"/en/verify/{letter.reference}").get_data(as_text=True)
    assert "<script>alert" not in verify and "<b>Ana" not in verify
    detail = coordinator.get(f"/en/hosts/registrations/{number}")
    assert detail.status_code == 200 and "<script>alert" not in detail.get_data(as_text=True)


# The letter's text, in the coordinator's event editor

def test_a_coordinator_edits_the_letters_text_in_both_languages_and_the_pdf_prints_the_english(
        app, coordinator, plain_host, visa_delegate):
    needs_weasyprint()
    page = coordinator.get("/en/hosts/event").get_data(as_text=True)
    for code in ("en", "mn"):
        assert re.search(f'<textarea[^>]*id="visa_letter_text_{code}"[^>]*lang="{code}"', page) or \
            re.search(f'<textarea[^>]*lang="{code}"[^>]*id="visa_letter_text_{code}"', page)
    fields = {name: unescape(value) for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page)}
    data = {name: fields[name] for name in ("name_en", "name_mn", "theme_en", "theme_mn", "city_en", "city_mn",
                                            "starts_on", "ends_on", "registration_closes_on")}
    data.update(csrf_token=csrf_token(page), visa_letter_text_en="Dear consul,\n\nPlease let **our friend** in.",
                visa_letter_text_mn="")
    assert coordinator.post("/en/hosts/event", data=data).status_code == 303
    again = coordinator.get("/en/hosts/event").get_data(as_text=True)
    assert "Please let **our friend** in." in unescape(again) and "Translation missing" in again
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.edited"))
        assert entry.after["visa_letter_text_en"].startswith("Dear consul")
    log = text_of(coordinator.get("/en/hosts/audit").get_data(as_text=True))
    assert "Visa letter text in English" in log
    issue(coordinator, visa_delegate)
    [text] = pdf_text(coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf"))
    assert "Please let our friend in." in text and "grant the delegate a visa" not in text
    assert plain_host.get("/en/hosts/event").status_code == 403  # editing content is for coordinators


def test_a_letter_text_too_long_is_refused_with_a_message(app, coordinator):
    page = coordinator.get("/en/hosts/event").get_data(as_text=True)
    fields = {name: unescape(value) for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page)}
    data = {name: fields[name] for name in ("name_en", "name_mn", "theme_en", "theme_mn", "city_en", "city_mn",
                                            "starts_on", "ends_on", "registration_closes_on")}
    data.update(csrf_token=csrf_token(page), visa_letter_text_en="x" * 10_001, visa_letter_text_mn="")
    response = coordinator.post("/en/hosts/event", data=data)
    assert response.status_code == 422 and "Too long (at most 10000 characters)." in response.get_data(as_text=True)
    with app.app_context():
        assert "grant the delegate a visa" in db.session.scalar(select(Event)).visa_letter_text.texts["en"]


# Valid HTML

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_the_letters_pages_and_the_letter_are_valid_html(app, client, coordinator, visa_delegate, monkeypatch, tmp_path):
    if not VNU.exists() or not shutil.which("java"):
        if os.environ.get("CI"):
            pytest.fail("vnu.jar or java missing: .ci/run and `make test` install them")
        pytest.skip("vnu.jar or java missing: run `make test`")
    needs_weasyprint()
    pages = {"registration-before-mn": coordinator.get(f"/mn/hosts/registrations/{visa_delegate}")}
    issue(coordinator, visa_delegate)
    made = []
    render = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html, *args: made.append(html) or render(html, *args))
    coordinator.get(f"/en/hosts/registrations/{visa_delegate}/visa-letter.pdf")
    [letter] = letters_of(app)
    pages.update({
        "registration-issued-en": coordinator.get(f"/en/hosts/registrations/{visa_delegate}"),
        "refused-mn": issue(coordinator, visa_delegate, lang="mn"),
        "verify-genuine-en": client.get(f"/en/verify/{letter.reference}"),
        "verify-genuine-mn": client.get(f"/mn/verify/{letter.reference}"),
        "verify-unknown-en": client.get("/en/verify/PA-22222-22222"),
    })
    withdraw(coordinator, visa_delegate)
    pages.update({"verify-withdrawn-mn": client.get(f"/mn/verify/{letter.reference}"),
                  "registration-withdrawn-en": coordinator.get(f"/en/hosts/registrations/{visa_delegate}")})
    for name, response in pages.items():
        assert response.status_code in (200, 404, 409), name
        (tmp_path / f"{name}.html").write_bytes(response.data)
    (tmp_path / "letter.html").write_text(made[0], encoding="utf-8")
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr or result.stdout


def test_an_event_form_without_the_letters_text_leaves_it_as_it_is(app, coordinator):
    page = coordinator.get("/en/hosts/event").get_data(as_text=True)
    fields = {name: unescape(value) for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page)}
    data = {name: fields[name] for name in ("name_en", "name_mn", "theme_en", "theme_mn", "city_en", "city_mn",
                                            "starts_on", "ends_on", "registration_closes_on")}
    data.update(csrf_token=csrf_token(page), registration_closes_on="2017-05-15")
    assert coordinator.post("/en/hosts/event", data=data).status_code == 303
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.registration_closes_on == date(2017, 5, 15)
        assert event.visa_letter_text.missing(["en", "mn"]) == []
