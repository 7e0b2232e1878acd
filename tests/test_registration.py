"""Registering from a phone, the confirmation email, the private link and the delegate's own page."""
import json
import re
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from werkzeug.datastructures import MultiDict
from sqlalchemy import func, select

from app.extensions import db
from app.mail import OutboxMessage
from app.mail.sender import send_due
from app.registration.models import Registration
from app.timestamps import utcnow
from tests.conftest import csrf_token, free_port, links_in, register, registration_form, use_link


def stored(app):
    with app.app_context():
        return db.session.scalars(select(Registration).order_by(Registration.id)).all()


def count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration))


def test_the_form_in_mongolian_lists_countries_in_mongolian_order(client, open_registration):
    html = client.get("/mn/register").get_data(as_text=True)
    assert "<h1>Бүртгэл</h1>" in html
    positions = [html.index(f">{name}<option") for name in ("Орос", "Өмнөд Солонгос", "Пакистан")]
    assert positions == sorted(positions)
    assert 'name="given_name"' in html and 'autocomplete="given-name"' in html
    assert 'type="tel"' in html and 'type="email"' in html and 'type="date"' in html
    assert re.search(r'<select[^>]*autocomplete="country"[^>]*name="country"', html)
    codes = re.findall(r'<option value="([A-Z]{2})"', html.split('name="country"')[1].split("</select>")[0])
    assert {"MN", "ES", "TW", "XK"} <= set(codes) and not {"EU", "UN", "AC", "IC", "EA"} & set(codes)


def test_a_delegate_registers_and_gets_an_email_in_their_language(app, client, open_registration, mailbox):
    response = register(client, lang="en", language="mn")
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/me"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    [registration] = stored(app)
    assert (registration.phone, registration.country, registration.language) == ("+34612345678", "ES", "mn")
    [message] = mailbox.messages
    assert message["Subject"] == "Таны бүртгэлийг хүлээн авлаа"
    # Decoded as mail clients do (RFC 2047: no space between adjacent encoded words).
    sender = str(make_header(decode_header(message_from_bytes(mailbox.raw[0])["From"])))
    assert sender.startswith("Прогрессив Аллиансын бага хурал <")
    assert "Хүндэт Ana танаа," in mailbox.text()
    assert "Хүндэт Ana танаа," in mailbox.html()
    assert links_in(mailbox.text())[0].startswith("/mn/me/link/")
    page = client.get("/en/me").get_data(as_text=True)
    assert "Ana García" in page and "+34612345678" in page


def test_errors_come_back_with_every_typed_value_kept(app, client, open_registration):
    response = register(client, lang="mn", email="not-an-address", phone="12", organisation="Social Democrats")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Зөв цахим шуудангийн хаяг оруулна уу." in html
    assert "Зөв утасны дугаар оруулна уу." in html
    assert 'value="Social Democrats"' in html and 'value="not-an-address"' in html
    assert count(app) == 0


def test_a_cyrillic_name_gets_a_passport_spelling_to_check(app, client, open_registration):
    response = register(client, lang="mn", given_name="Батбаяр", family_name="Өлзий", country="MN", phone="99112233")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'name="passport_given_name" type="text" value="Batbayar"' in html
    assert 'value="Ulzii"' in html
    page = client.get("/mn/register")
    data = registration_form(given_name="Батбаяр", family_name="Өлзий", country="MN", phone="99112233",
                             passport_given_name="Batbayar", passport_family_name="Ulzii",
                             csrf_token=csrf_token(page.get_data(as_text=True)))
    assert client.post("/mn/register", data=data).status_code == 303
    assert stored(app)[0].phone == "+97699112233"


def test_a_name_in_another_script_asks_for_the_passport_spelling_without_guessing(app, client, open_registration):
    response = register(client, given_name="秀英", family_name="王", country="TW", phone="+886 912 345 678")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("Write the name in Latin letters, as in your passport.") == 2
    assert 'name="passport_given_name" type="text" value="">' in html  # nothing guessed
    page = client.get("/en/register").get_data(as_text=True)
    checked = client.post("/en/register/check", headers={"HX-Request": "true", "HX-Trigger-Name": "given_name"},
                          data=registration_form(given_name="秀英", csrf_token=csrf_token(page)))
    assert 'hx-swap-oob' not in checked.get_data(as_text=True)
    assert register(client, given_name="秀英", family_name="王", country="TW", phone="+886 912 345 678",
                    passport_given_name="Hsiu-ying", passport_family_name="Wang").status_code == 303


def test_a_second_registration_only_resends_the_link(app, client, open_registration, mailbox):
    register(client, phone="+34 600 000 001")
    other = app.test_client()
    response = register(other, email="ANA@example.org", given_name="Mallory", phone="+34 699 999 999")
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/me/link/sent?reason=registered"
    page = other.get(response.headers["Location"]).get_data(as_text=True)
    assert "already registered" in page
    assert "600" not in page and "Ana" not in page
    assert count(app) == 1 and stored(app)[0].given_name == "Ana"
    assert len(mailbox.messages) == 2 and mailbox.messages[1]["To"] == "ana@example.org"
    # The second device is not signed in.
    assert other.get("/en/me").status_code == 303


def test_after_the_deadline_the_form_says_so_and_refuses(app, client, event):
    app.config["PORTAL_NOW"] = "2017-05-09T00:00:01+08:00"
    page = client.get("/mn/register").get_data(as_text=True)
    assert "Бүртгэл хаагдсан байна." in page and "hosts@example.org" in page
    token = csrf_token(client.get("/mn/subscribe").get_data(as_text=True))
    response = client.post("/mn/register", data=registration_form(csrf_token=token))
    assert response.status_code == 403
    assert count(app) == 0


def test_the_emailed_link_signs_in_another_device(app, client, open_registration, mailbox):
    register(client)
    link = links_in(mailbox.text())[0]
    phone = app.test_client()
    assert phone.get("/en/me").status_code == 303
    response = use_link(phone, link)
    assert response.status_code == 303 and response.headers["Location"] == "/en/me"
    assert "Ana García" in phone.get("/en/me").get_data(as_text=True)


def _flip_signature(token):
    """The same token with one significant character of its signature changed."""
    at = token.rindex(".") + 1
    return token[:at] + ("B" if token[at] == "A" else "A") + token[at + 1:]


@pytest.mark.parametrize("mangle", [_flip_signature, lambda t: t + "x", lambda t: "Z" + t[1:], lambda t: "%00"])
def test_a_tampered_link_is_a_400_that_offers_a_new_one(app, client, open_registration, mailbox, mangle):
    register(client)
    token = links_in(mailbox.text())[0].rsplit("/", 1)[1]
    other = app.test_client()
    response = other.get(f"/mn/me/link/{mangle(token)}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Энэ холбоос аль хэдийн ашиглагдсан, хугацаа нь дууссан эсвэл хүчингүй байна." in html
    assert 'action="/mn/me/link"' in html
    assert other.get("/mn/me").status_code == 303


def test_an_expired_link_is_refused(app, client, open_registration, mailbox):
    register(client)
    app.config["DELEGATE_LINK_MAX_AGE"] = -1
    assert app.test_client().get(links_in(mailbox.text())[0]).status_code == 400


def test_asking_for_a_new_link_reveals_nothing(app, client, open_registration, mailbox):
    register(client)
    for address, mails in (("nobody@example.org", 1), ("Ana@Example.org", 2)):
        page = client.get("/en/me/link")
        response = client.post("/en/me/link", data={"email": address, "csrf_token": csrf_token(page.get_data(as_text=True))})
        assert response.status_code == 303 and response.headers["Location"] == "/en/me/link/sent"
        assert len(mailbox.messages) == mails


def test_the_delegate_edits_until_the_deadline(app, client, open_registration):
    register(client)
    page = client.get("/en/me/edit")
    assert page.status_code == 200
    data = registration_form(organisation="Partido Socialista", email="evil@example.org",
                             csrf_token=csrf_token(page.get_data(as_text=True)))
    response = client.post("/en/me/edit", data=data)
    assert response.status_code == 303
    registration = stored(app)[0]
    assert registration.organisation == "Partido Socialista" and registration.email == "ana@example.org"
    app.config["PORTAL_NOW"] = "2017-05-10T00:00:00+08:00"
    assert client.get("/en/me/edit").status_code == 403
    assert "Edit my registration" not in client.get("/en/me").get_data(as_text=True)


def test_cancel_asks_first(app, client, open_registration):
    register(client)
    assert client.get("/en/me/cancel").status_code == 200
    assert stored(app)[0].status == "pending"
    page = client.get("/en/me/cancel").get_data(as_text=True)
    client.post("/en/me/cancel", data={"csrf_token": csrf_token(page)})
    assert stored(app)[0].status == "cancelled"
    assert "You cancelled your registration." in client.get("/en/me").get_data(as_text=True)


def test_a_cancellation_can_be_undone_until_the_deadline_without_the_seats(app, client, open_registration, mailbox,
                                                                          make_session):
    register(client, lang="mn")
    slug = make_session().slug
    page = client.get("/mn/program").get_data(as_text=True)
    client.post(f"/mn/program/{slug}/join", data={"csrf_token": csrf_token(page)})
    client.post("/mn/me/cancel", data={"csrf_token": csrf_token(page)})
    # Registering again with the same address only sends the link; the delegate's page offers the way back.
    assert register(app.test_client(), lang="mn").headers["Location"] == "/mn/me/link/sent?reason=registered"
    me = client.get("/mn/me").get_data(as_text=True)
    assert 'action="/mn/me/reinstate"' in me
    response = client.post("/mn/me/reinstate", data={"csrf_token": csrf_token(me)})
    assert response.status_code == 303 and stored(app)[0].status == "pending"
    restored = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Таны бүртгэл сэргээгдлээ." in restored and 'action="/mn/me/reinstate"' not in restored
    assert "Та одоогоор аль ч салбар хуралдаанд суудал аваагүй байна." in restored
    again = client.post("/mn/me/reinstate", data={"csrf_token": csrf_token(me)})  # a second tap
    assert again.headers["Location"] == "/mn/me" and stored(app)[0].status == "pending"
    with app.app_context():
        from app.program.models import Seat
        assert db.session.scalar(select(func.count()).select_from(Seat)) == 0


def test_after_the_deadline_a_cancellation_stays(app, client, open_registration):
    register(client)
    page = client.get("/en/me/cancel").get_data(as_text=True)
    client.post("/en/me/cancel", data={"csrf_token": csrf_token(page)})
    app.config["PORTAL_NOW"] = "2017-05-09T00:00:00+08:00"
    me = client.get("/en/me").get_data(as_text=True)
    assert "/en/me/reinstate" not in me
    assert client.post("/en/me/reinstate", data={"csrf_token": csrf_token(me)}).status_code == 403
    assert stored(app)[0].status == "cancelled"


def test_download_my_data(client, open_registration, mailbox, make_session):
    slug = make_session().slug
    register(client, dietary_needs="vegetarian", newsletter="y", visa_letter="y", nationality="ES",
             passport_number="X1234567", date_of_birth="1980-01-02", passport_expiry="2030-01-01")
    page = client.get("/en/program").get_data(as_text=True)
    client.post(f"/en/program/{slug}/join", data={"csrf_token": csrf_token(page)})
    response = client.get("/en/me/data.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-registration.json"'
    body = response.get_data(as_text=True)
    data = json.loads(body)
    assert data["email"] == "ana@example.org" and data["dietary_needs"] == "vegetarian"
    assert [(s["session"], s["status"]) for s in data["sessions"]] == [(slug, "seated")]
    assert data["newsletter_subscription"]["status"] == "pending"
    # Passport details are for the hosts' eyes: the copy only says they are on file.
    assert data["passport_details_on_file"] is True
    assert "X1234567" not in body and "1980-01-02" not in body


def test_the_newsletter_box_on_the_edit_form_subscribes_and_unsubscribes(app, client, open_registration, mailbox):
    from app.newsletter.models import Subscriber

    def subscription():
        with app.app_context():
            return db.session.scalar(select(Subscriber.status))

    def box_ticked(page):
        return "checked" in re.search(r'<input[^>]*name="newsletter"[^>]*>', page).group(0)

    register(client)
    assert subscription() is None
    page = client.get("/en/me/edit").get_data(as_text=True)
    assert not box_ticked(page)
    client.post("/en/me/edit", data=registration_form(newsletter="y", csrf_token=csrf_token(page)))
    assert subscription() == "pending"
    assert "/en/subscribe/confirm/" in mailbox.text()
    page = client.get("/en/me/edit").get_data(as_text=True)
    assert box_ticked(page)
    client.post("/en/me/edit", data=registration_form(csrf_token=csrf_token(page)))
    assert subscription() == "unsubscribed"


def test_delete_my_data(app, client, open_registration, mailbox):
    register(client)
    link = links_in(mailbox.text())[0]
    page = client.get("/en/me/delete").get_data(as_text=True)
    response = client.post("/en/me/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 200
    registration = stored(app)[0]
    assert registration.email == "" and registration.given_name == "" and registration.erased_at
    assert client.get("/en/me").status_code == 303
    assert app.test_client().get(link).status_code == 400


def test_signed_out_delegates_are_sent_to_get_a_link(client, open_registration):
    for path in ("/en/me", "/en/me/edit", "/en/me/cancel", "/en/me/data.json", "/en/me/delete"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/en/me/link"


def test_a_forged_csrf_token_changes_nothing(app, client, open_registration):
    response = client.post("/mn/register", data=registration_form(csrf_token="forged"))
    assert response.status_code == 400
    assert "Маягтын хугацаа дууссан" in response.get_data(as_text=True)
    assert count(app) == 0


HOSTILE = {
    "markup": "<script>alert('x')</script><b>bold</b>",
    "sql": "Robert'); DROP TABLE registrations;--",
    "emoji": "Ana 🌸🇲🇳",
    "rtl": "مريم العربية",
    "combining": "Zoë Ỏ̷̢͎ng",
}


@pytest.mark.parametrize("field", ["given_name", "family_name", "organisation", "position", "dietary_needs", "accessibility_needs"])
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_odd_text_is_stored_exactly_and_shown_escaped(app, client, open_registration, field, kind):
    value = HOSTILE[kind]
    extra = {"passport_given_name": "Ana", "passport_family_name": "Garcia"}
    response = register(client, **{field: value}, **extra)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert getattr(stored(app)[0], field) == value
    page = client.get("/en/me").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>bold</b>" not in page


@pytest.mark.parametrize("field", ["given_name", "family_name", "organisation", "position", "email", "phone",
                                   "dietary_needs", "passport_given_name", "arrival_flight"])
@pytest.mark.parametrize("value, message", [
    ("x" * 10_000, "Too long"),
    ("Ana\x00Null", None),
    ("\u202eevil", None),
    ("\ufffd\ufffd", None),
])
def test_bad_values_get_a_clear_422_and_store_nothing(app, client, open_registration, field, value, message):
    response = register(client, **{field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Please correct the errors below." in html
    if message:
        assert message in html
    assert count(app) == 0


REQUIRED = ["given_name", "family_name", "email", "phone", "organisation", "country", "days", "privacy_consent"]


@pytest.mark.parametrize("field, value", [
    (field, value) for field in REQUIRED for value in (None, "", "   ")
    if not (field == "privacy_consent" and value == "   ")  # a ticked box may send any value
])
def test_required_fields_missing_or_blank(app, client, open_registration, field, value):
    response = register(client, **{field: value})
    assert response.status_code == 422
    assert count(app) == 0


def test_doubled_fields_and_unknown_choices(app, client, open_registration):
    page = client.get("/en/register").get_data(as_text=True)
    data = list(registration_form(csrf_token=csrf_token(page)).items())
    flat = []
    for key, value in data:
        flat += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    doubled = flat + [("email", "second@example.org"), ("country", "XX"), ("days", "2017-05-27")]
    response = client.post("/en/register", data=MultiDict(doubled))
    # The day the event does not have is refused, and nothing is stored.
    assert response.status_code == 422
    assert "&#39;2017-05-27&#39; is not a valid choice for this field." in response.get_data(as_text=True)
    assert count(app) == 0
    assert register(client, country="XX").status_code == 422
    assert register(client, days=["2017-05-27"]).status_code == 422
    assert register(client, language="fr").status_code == 422


@pytest.mark.parametrize("raw", [b"%FF%FE", b"Ana%C3", b"%ED%A0%80"])  # not UTF-8; a cut sequence; a surrogate
def test_invalid_utf8_in_the_body_is_refused(app, client, open_registration, raw):
    from urllib.parse import urlencode

    page = client.get("/mn/register").get_data(as_text=True)
    valid = urlencode(registration_form(csrf_token=csrf_token(page)), doseq=True).encode()
    assert b"given_name=Ana&" in valid
    body = valid.replace(b"given_name=Ana&", b"given_name=" + raw + b"&")
    response = client.post("/mn/register", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Таны илгээсэн зарим зүйлийг текст болгон уншиж чадсангүй." in response.get_data(as_text=True)
    assert count(app) == 0
    # The same form with readable text is stored.
    response = client.post("/mn/register", data=valid, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303 and count(app) == 1


def test_htmx_gets_the_form_fragment_with_errors(client, open_registration):
    page = client.get("/en/register").get_data(as_text=True)
    response = client.post("/en/register", data=registration_form(email="bad", csrf_token=csrf_token(page)),
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_field_is_checked_as_the_delegate_leaves_it(app, client, open_registration):
    register(client)
    other = app.test_client()
    page = other.get("/mn/register").get_data(as_text=True)
    token = csrf_token(page)

    def check(name, **values):
        return other.post("/mn/register/check", data={"csrf_token": token, **values},
                          headers={"HX-Request": "true", "HX-Trigger-Name": name})

    bad = check("email", email="nope").get_data(as_text=True)
    assert bad.lstrip().startswith('<div class="feedback" id="email-feedback">')
    assert "Зөв цахим шуудангийн хаяг оруулна уу." in bad
    # A registered address and an unknown one get the same answer: the check tells no stranger who registered.
    taken = check("email", email="ANA@example.org")
    unknown = check("email", email="someone.else@example.org")
    assert (taken.status_code, taken.get_data()) == (unknown.status_code, unknown.get_data())
    name = check("given_name", given_name="Цэцэг").get_data(as_text=True)
    assert 'id="field-passport_given_name" hx-swap-oob="true"' in name and 'value="Tsetseg"' in name
    assert check("csrf_token").status_code == 204
    assert check("no_such_field").status_code == 204


def test_registration_is_rate_limited(migrated_database, tmp_path):
    from tests.conftest import build_event, copy_database, dispose, drop_database, make_app

    database = copy_database(migrated_database, tmp_path)
    app = make_app(database, RATELIMIT_ENABLED=True, RATELIMIT_REGISTER="3/minute",
                   PORTAL_NOW="2017-05-01T10:00:00+08:00", MAIL_OUTBOX=tmp_path / "outbox")
    with app.app_context():
        build_event()
        db.session.commit()
    client = app.test_client()
    statuses = [register(client, email=f"p{i}@example.org").status_code for i in range(4)]
    form_after = [client.get(path).status_code for path in ("/en/register", "/en/register?next=/en/program")]
    dispose(app)
    drop_database(database)
    assert statuses == [303, 303, 303, 429]
    assert form_after == [200, 200]  # only sending is limited: the form still opens


def test_one_address_gets_only_so_many_link_emails(migrated_database, tmp_path):
    """However many clients ask (the registration form again, or the link form), an inbox is not flooded."""
    from tests.conftest import build_event, copy_database, dispose, drop_database, make_app

    database = copy_database(migrated_database, tmp_path)
    outbox = tmp_path / "outbox"
    app = make_app(database, RATELIMIT_ENABLED=True, RATELIMIT_LINK_PER_ADDRESS="3/hour",
                   PORTAL_NOW="2017-05-01T10:00:00+08:00", MAIL_OUTBOX=outbox)
    with app.app_context():
        build_event()
        db.session.commit()
    try:
        assert register(app.test_client()).status_code == 303  # the confirmation: 1
        answers = [register(app.test_client()).headers["Location"] for _ in range(3)]
        assert answers == ["/en/me/link/sent?reason=registered"] * 2 + ["/en/me/link/sent?reason=recent"]
        asker = app.test_client()
        token = csrf_token(asker.get("/en/me/link").get_data(as_text=True))
        asked = asker.post("/en/me/link", data={"email": "ana@example.org", "csrf_token": token})
        assert asked.headers["Location"] == "/en/me/link/sent"  # the same answer as for any address
        assert send_mail(app) == 3 and len(list(outbox.glob("*.eml"))) == 3
        page = asker.get("/en/me/link/sent?reason=recent").get_data(as_text=True)
        assert "several times in the last hour" in page
        # Another address is not affected.
        assert register(app.test_client(), email="bo@example.org").status_code == 303
        assert send_mail(app) == 1 and len(list(outbox.glob("*.eml"))) == 4
    finally:
        dispose(app)
        drop_database(database)


def test_the_chosen_country_stays_chosen_after_an_error(client, open_registration):
    html = register(client, lang="mn", email="bad", country="NG", nationality="KE").get_data(as_text=True)
    assert '<option value="NG" selected>' in html
    assert '<option value="KE" selected>' in html


@pytest.mark.parametrize("target", ["//evil.example/x", "/\t/evil.example", "/\n/evil.example", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)", "/ /evil.example"])
def test_next_never_leaves_the_site(app, client, open_registration, target):
    token = csrf_token(client.get("/en/register").get_data(as_text=True))
    from urllib.parse import quote

    response = client.post(f"/en/register?next={quote(target)}", data=registration_form(csrf_token=token))
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/me"


def test_a_cancelled_registration_cannot_be_taken_over(app, client, open_registration, mailbox):
    register(client)
    page = client.get("/en/me/cancel").get_data(as_text=True)
    client.post("/en/me/cancel", data={"csrf_token": csrf_token(page)})
    intruder = app.test_client()
    response = register(intruder, given_name="Mallory")
    assert response.headers["Location"] == "/en/me/link/sent?reason=registered"
    assert stored(app)[0].given_name == "Ana"
    assert intruder.get("/en/me").status_code == 303


def test_passport_details_are_not_shown_back_on_the_edit_form(app, client, open_registration):
    register(client, visa_letter="y", nationality="ES", passport_number="X1234567",
             date_of_birth="1980-01-02", passport_expiry="2030-01-01")
    page = client.get("/en/me/edit").get_data(as_text=True)
    assert "X1234567" not in page and "1980-01-02" not in page
    assert "Your passport details are on file." in page
    data = registration_form(organisation="Changed", visa_letter="y", csrf_token=csrf_token(page))
    assert client.post("/en/me/edit", data=data).status_code == 303
    registration = stored(app)[0]
    assert registration.passport_number == "X1234567" and registration.organisation == "Changed"


def test_one_line_fields_refuse_line_breaks(app, client, open_registration):
    response = register(client, given_name="Ana\nClick http://evil.example")
    assert response.status_code == 422
    assert count(app) == 0


def test_repeated_days_are_stored_once_and_dates_stay_near_the_event(app, client, open_registration):
    assert register(client, arrival_date="0001-01-01").status_code == 422
    assert register(client, departure_date="9999-12-31").status_code == 422
    response = register(client, days=["2017-05-25", "2017-05-25"], arrival_date="2017-05-24")
    assert response.status_code == 303
    assert stored(app)[0].days == ["2017-05-25"]


def test_the_newsletter_box_starts_a_double_opt_in(app, client, open_registration, mailbox):
    register(client, newsletter="y")
    subjects = [m["Subject"] for m in mailbox.messages]
    assert subjects == ["We have received your registration", "Please confirm your subscription"]


def test_my_page_lists_my_sessions(app, client, open_registration, make_session):
    make_session(slug="working-group", title={"en": "Meeting of the working group", "mn": "Ажлын хэсгийн хурал"})
    register(client)
    page = client.get("/en/program/working-group").get_data(as_text=True)
    client.post("/en/program/working-group/join", data={"csrf_token": csrf_token(page)})
    html = client.get("/en/me").get_data(as_text=True)
    assert "My sessions" in html and "Meeting of the working group" in html and "You have a seat." in html


def test_an_invalid_choice_is_explained_in_mongolian(client, open_registration):
    html = register(client, lang="mn", days=["2017-05-30"]).get_data(as_text=True)
    assert "гэсэн сонголт энэ талбарт буруу байна" in html


def send_mail(app) -> int:
    """The sender, once: how many messages left the outbox."""
    with app.app_context():
        return send_due()


def test_a_mail_server_that_is_down_delays_the_email_and_loses_nothing(app, client, open_registration, mailbox):
    """The registration is answered at once; the email waits in the outbox and arrives once the server is back."""
    server = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    response = register(client, lang="mn")
    assert response.status_code == 303 and response.headers["Location"] == "/mn/me"
    assert count(app) == 1
    assert mailbox.deliver() == 0  # refused: tried again later
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage)).one()
        assert (waiting.attempts, waiting.sent_at) == (1, None) and waiting.last_error
        assert "ana@example.org" not in waiting.last_error
        waiting.next_attempt_at = utcnow()  # its retry is due
        db.session.commit()
    app.config["MAIL_PORT"] = server
    assert [m["To"] for m in mailbox.messages] == ["ana@example.org"]
    assert mailbox.deliver() == 0 and len(mailbox.messages) == 1  # sent once


def test_the_link_form_answers_alike_for_every_address(app, client, open_registration, mailbox):
    register(client)
    form = app.test_client()
    token = csrf_token(form.get("/en/me/link").get_data(as_text=True))
    asked = form.post("/en/me/link", data={"email": "ana@example.org", "csrf_token": token})
    unknown = form.post("/en/me/link", data={"email": "nobody@example.org", "csrf_token": token})
    assert (asked.status_code, asked.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert "spam folder" in form.get("/en/me/link/sent").get_data(as_text=True)
    assert [m["To"] for m in mailbox.messages] == ["ana@example.org"] * 2


class LockProbe:
    """An SMTP handler that, while a message is being delivered, tries to write to the portal's SQLite file."""

    def __init__(self, path):
        self.path = path
        self.writable = []

    async def handle_DATA(self, server, session, envelope):
        import sqlite3

        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            self.writable.append(True)
        except sqlite3.OperationalError:
            self.writable.append(False)
        finally:
            connection.close()
        return "250 OK"


def test_no_write_lock_is_held_while_the_mail_server_answers(app, client, open_registration):
    """A slow mail server must not stall sign-ups: the sender holds no write lock while it talks to it."""
    from aiosmtpd.controller import Controller

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("PostgreSQL locks rows, not the database")
    register(client)  # a new registration
    register(app.test_client())  # the same address again: the link is queued again
    probe = LockProbe(url.removeprefix("sqlite:///"))
    port = free_port()
    controller = Controller(probe, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        assert send_mail(app) == 2
    finally:
        controller.stop()
    assert probe.writable == [True, True]


def test_hosts_move_the_deadline_on_a_running_portal(app, client, event, runner):
    app.config["PORTAL_NOW"] = "2017-05-12T10:00:00+08:00"
    assert "Registration closed at the end of May 8, 2017" in client.get("/en/register").get_data(as_text=True)
    refused = runner.invoke(args=["portal", "set-deadline", "15 May"])
    assert refused.exit_code == 2
    assert "Registration is closed." in client.get("/en/register").get_data(as_text=True)
    result = runner.invoke(args=["portal", "set-deadline", "2017-05-15"])
    assert result.exit_code == 0 and "2017-05-15T23:59:59" in result.output
    assert register(client).status_code == 303
    app.config["PORTAL_NOW"] = "2017-05-16T00:00:00+08:00"
    assert "Registration closed at the end of May 15, 2017" in app.test_client().get("/en/register").get_data(as_text=True)


def test_passport_data_goes_after_the_event_without_anyone_running_the_purge(app, client, open_registration, runner):
    """The mail sender (`flask portal send-mail`) deletes it in its hourly chores; reading a page changes nothing."""
    register(client, visa_letter="y", nationality="ES", passport_number="X1234567",
             date_of_birth="1980-01-02", passport_expiry="2030-01-01")
    app.config["PORTAL_NOW"] = "2017-06-20T10:00:00+08:00"  # 25 days after the event
    assert runner.invoke(args=["portal", "send-mail", "--once"]).exit_code == 0
    assert stored(app)[0].passport_number == "X1234567"
    app.config["PORTAL_NOW"] = "2017-06-26T10:00:00+08:00"  # 31 days after
    client.get("/en/")
    assert stored(app)[0].passport_number == "X1234567"  # a reader's request purges nothing
    assert runner.invoke(args=["portal", "send-mail", "--once"]).exit_code == 0
    registration = stored(app)[0]
    assert (registration.passport_number, registration.date_of_birth) == ("", None)
    assert registration.given_name == "Ana"
