"""Coordinators edit sessions, pages and the event in both languages: the rules as plain
functions, then the console's pages through Flask's client (who may, what is refused, what the
public pages and the delegates see)."""
from datetime import date, time

import pytest
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.hosts import editing
from app.hosts.models import AuditEntry
from app.program import services as program_services
from app.program.models import Seat, Session
from app.registration.models import Registration
from tests.conftest import assert_every_rule_holds, at, csrf_token, register, sign_in_host

COORDINATOR, HOST = "coordinator@example.org", "dorj@example.org"


# The rules, as plain functions

class FakeEvent:
    starts_on, ends_on = date(2017, 5, 25), date(2017, 5, 26)


def an_edit(**changes) -> editing.SessionEdit:
    values = dict(title={"en": "Working group", "mn": "Ажлын хэсэг"}, description={}, day=date(2017, 5, 25),
                  start=time(14, 0), end=time(15, 30), room="", capacity=10, signup="open")
    values.update(changes)
    return editing.SessionEdit(**values)


def test_a_valid_session_edit_has_no_problems():
    assert editing.session_problems(FakeEvent, an_edit(room="hall"), 3, {"hall"}) == {}


@pytest.mark.parametrize("changes, seats, field", [
    (dict(end=time(14, 0)), 0, "end"),
    (dict(end=time(13, 0)), 0, "end"),
    (dict(day=date(2017, 5, 24)), 0, "day"),
    (dict(day=date(2017, 5, 27)), 0, "day"),
    (dict(capacity=2), 3, "capacity"),
    (dict(room="nowhere"), 0, "room"),
    (dict(signup="everyone"), 0, "signup"),
    (dict(title={}), 0, "title_en"),
])
def test_a_session_edit_the_rules_refuse(changes, seats, field):
    assert list(editing.session_problems(FakeEvent, an_edit(**changes), seats, {"hall"})) == [field]


def test_capacity_may_equal_the_seats_taken_or_be_unlimited():
    assert editing.session_problems(FakeEvent, an_edit(capacity=3), 3, set()) == {}
    assert editing.session_problems(FakeEvent, an_edit(capacity=None), 3, set()) == {}


def test_event_rules():
    edit = editing.EventEdit(name={"en": "X"}, theme={}, city={}, starts_on=date(2017, 5, 25),
                             ends_on=date(2017, 5, 26), registration_closes_on=date(2017, 5, 8))
    assert editing.event_problems(edit, [date(2017, 5, 25)]) == {}
    assert list(editing.event_problems(edit, [date(2017, 5, 27)])) == ["starts_on"]
    backwards = editing.EventEdit(**{**edit.__dict__, "ends_on": date(2017, 5, 24)})
    assert "ends_on" in editing.event_problems(backwards, [])
    late = editing.EventEdit(**{**edit.__dict__, "registration_closes_on": date(2017, 5, 27)})
    assert list(editing.event_problems(late, [])) == ["registration_closes_on"]
    assert list(editing.event_problems(editing.EventEdit(**{**edit.__dict__, "name": {}}), [])) == ["name_en"]


def test_page_rules():
    assert editing.page_problems(editing.PageEdit({"mn": "Гарчиг"}, {"en": "Text"})) == {}
    assert set(editing.page_problems(editing.PageEdit({}, {" ": ""}))) == {"title_en", "text_en"}


def test_a_text_written_in_one_language_only_is_untranslated():
    values = {"title_en": "Hello", "title_mn": " ", "description_en": "", "description_mn": ""}
    assert editing.untranslated(values, ("title", "description")) == {"title": ["mn"]}
    assert editing.untranslated({"title_en": "a", "title_mn": "б"}, ("title",)) == {}


def test_moving_a_session_onto_a_delegates_other_seat_clashes():
    other = Session(starts_at=at("2017-05-25 16:00"), ends_at=at("2017-05-25 17:00"))
    places = [(1, ("seated", other, "seated")), (2, ("waiting", other, "seated")), (3, ("seated", other, "seated"))]
    assert editing.clashing_delegates(at("2017-05-25 16:30"), at("2017-05-25 18:00"), places) == 2
    assert editing.clashing_delegates(at("2017-05-25 17:00"), at("2017-05-25 18:00"), places) == 0


# The pages

@pytest.fixture
def coordinator(app, event, make_host):
    make_host()
    client = app.test_client()
    assert sign_in_host(client).status_code == 303
    return client


def form_of(client, path) -> dict:
    """The form's current values, as a browser would send them back."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return {"csrf_token": csrf_token(page.get_data(as_text=True))}


def session_form(client, slug, lang="en", **changes) -> dict:
    data = {**form_of(client, f"/{lang}/hosts/program/{slug}/edit"), "title_en": "Working group",
            "title_mn": "Ажлын хэсэг", "description_en": "", "description_mn": "", "day": "2017-05-25",
            "start": "14:00", "end": "15:30", "room": "", "capacity": "2", "signup": "open"}
    data.update(changes)
    return data


def stored(app, slug):
    with app.app_context():
        found = db.session.scalar(select(Session).where(Session.slug == slug))
        db.session.expunge(found)
        return found


def last_audit(app):
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        db.session.expunge(entry)
        return entry


def test_the_session_form_shows_both_languages_side_by_side_and_flags_a_missing_one(coordinator, make_session):
    make_session(slug="wg", title={"en": "Working group"}, description={"en": "", "mn": ""})
    page = coordinator.get("/mn/hosts/program/wg/edit").get_data(as_text=True)
    assert 'class="twin bilingual"' in page
    assert 'name="title_en"' in page and 'name="title_mn"' in page and 'lang="mn"' in page
    assert "Орчуулга дутуу текст: 1" in page
    assert 'id="title_mn-hint">Орчуулга дутуу' in page  # the Mongolian title
    assert "description_mn-hint" not in page  # empty in both: nothing to translate


def test_editing_a_mongolian_title_shows_on_the_public_program_at_once(app, coordinator, make_session):
    make_session(slug="wg", title={"en": "Working group", "mn": "Хуучин нэр"})
    public = app.test_client()
    assert "Хуучин нэр" in public.get("/mn/program").get_data(as_text=True)  # kept for this version
    response = coordinator.post("/mn/hosts/program/wg/edit", data=session_form(coordinator, "wg", title_mn="Шинэ нэр"))
    assert response.status_code == 303
    assert "Хадгалагдлаа" in coordinator.get(response.headers["Location"]).get_data(as_text=True)
    program = public.get("/mn/program").get_data(as_text=True)
    assert "Шинэ нэр" in program and "Хуучин нэр" not in program
    assert "Шинэ нэр" in public.get("/mn/program/wg").get_data(as_text=True)
    entry = last_audit(app)
    assert entry.action == "session.edited" and entry.host.email == COORDINATOR
    assert (entry.before["title_mn"], entry.after["title_mn"]) == ("Хуучин нэр", "Шинэ нэр")


@pytest.mark.parametrize("changes, message", [
    (dict(end="13:00"), "Хуралдаан эхлэхээс хойш дуусах ёстой"),
    (dict(day="2017-06-01"), "Арга хэмжээний өдрүүдээс сонгоно уу"),
    (dict(capacity="0"), "Суудлын тоо эзлэгдсэн суудлын тооноос бага байж болохгүй"),
    (dict(room="nowhere"), "Танхимуудаас сонгоно уу"),
    (dict(signup="everyone"), "Оролцох хэлбэрүүдээс сонгоно уу"),
    (dict(start="25:00"), "Цагийн утга буруу байна"),
    (dict(end=""), "Цагийн утга буруу байна"),
    (dict(day="tomorrow"), "Огнооны утга буруу байна"),
    (dict(capacity="many"), "Доорх алдааг засна уу"),
])
def test_a_refused_session_edit_is_a_422_in_the_readers_language_and_changes_nothing(
        app, coordinator, make_session, make_delegate, changes, message):
    make_session(slug="wg", title={"en": "Working group", "mn": "Ажлын хэсэг"})
    with app.app_context():
        program_services.join(db.session.get(Registration, make_delegate().id), program_services.find(
            db.session.get(Event, stored(app, "wg").event_id), "wg"))
        db.session.commit()
    response = coordinator.post("/mn/hosts/program/wg/edit",
                                data=session_form(coordinator, "wg", title_en="Changed", **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app, "wg").title.texts["en"] == "Working group"


def test_raising_a_capacity_seats_the_waitlist_at_once_and_emails_them(app, coordinator, make_session,
                                                                       make_delegate, mailbox):
    make_session(slug="wg", capacity=1)
    delegates = [make_delegate(name, language=language) for name, language in (("ana", "en"), ("bat", "mn"))]
    with app.app_context():
        found = db.session.scalar(select(Session).where(Session.slug == "wg"))
        for delegate in delegates:
            program_services.join(db.session.get(Registration, delegate.id), found)
        db.session.commit()
    mailbox.deliver()
    before = len(mailbox.messages)
    response = coordinator.post("/en/hosts/program/wg/edit", data=session_form(coordinator, "wg", capacity="2"))
    assert response.status_code == 303
    session = stored(app, "wg")
    assert (session.seats_taken, session.waitlist_length) == (2, 0)
    assert len(mailbox.messages) == before + 1
    assert "bat@example.org" in mailbox.messages[-1]["To"]
    assert "суудал" in mailbox.text()  # in Bat's language
    with app.app_context():
        assert_every_rule_holds()


def test_moving_a_session_tells_each_delegate_in_their_language_and_marks_it(app, coordinator, make_session,
                                                                            make_delegate, make_room, mailbox):
    old = make_room(slug="a", name={"en": "Room A", "mn": "A танхим"})
    make_room(slug="b", name={"en": "Room B", "mn": "B танхим"})
    make_session(slug="wg", capacity=1, room=old, title={"en": "Working group", "mn": "Ажлын хэсэг"})
    delegates = [make_delegate("ana", language="en"), make_delegate("bat", language="mn"),
                 make_delegate("cleo", language="en")]
    with app.app_context():
        found = db.session.scalar(select(Session).where(Session.slug == "wg"))
        for delegate in delegates[:2]:
            program_services.join(db.session.get(Registration, delegate.id), found)
        db.session.commit()
    mailbox.deliver()
    count = len(mailbox.messages)
    app.config["PORTAL_NOW"] = "2017-05-10T10:00:00+08:00"
    response = coordinator.post("/en/hosts/program/wg/edit", data=session_form(
        coordinator, "wg", day="2017-05-26", start="09:00", end="10:30", room="b", capacity="1"))
    assert response.status_code == 303 and "told=2" in response.headers["Location"]
    messages = mailbox.messages[count:]
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == ["ana@example.org", "bat@example.org"]
    english = next(m for m in messages if "ana@" in m["To"]).get_body(("plain",)).get_content()
    mongolian = next(m for m in messages if "bat@" in m["To"]).get_body(("plain",)).get_content()
    assert "Thursday, May 25, 2017, 14:00–15:30 → Friday, May 26, 2017, 09:00–10:30" in english
    assert "Room A → Room B" in english and "a seat" in english
    assert "A танхим → B танхим" in mongolian and "хүлээлгийн жагсаалт" in mongolian
    assert "09:00–10:30" in mongolian
    program = app.test_client().get("/en/program").get_data(as_text=True)
    assert "Time or room changed" in program
    assert "Цаг, танхим өөрчлөгдсөн" in app.test_client().get("/mn/program").get_data(as_text=True)
    app.config["PORTAL_NOW"] = "2017-05-20T10:00:00+08:00"  # ten days later
    assert "Time or room changed" not in app.test_client().get("/en/program/wg").get_data(as_text=True)


def test_a_move_onto_a_delegates_other_seat_is_refused(app, coordinator, make_session, make_delegate):
    make_session(slug="wg", starts_at=at("2017-05-25 09:00"))
    make_session(slug="other", starts_at=at("2017-05-25 14:00"))
    with app.app_context():
        registration = db.session.get(Registration, make_delegate().id)
        for slug in ("wg", "other"):
            program_services.join(registration, db.session.scalar(select(Session).where(Session.slug == slug)))
        db.session.commit()
    response = coordinator.post("/en/hosts/program/wg/edit", data=session_form(coordinator, "wg", start="14:30",
                                                                                end="15:00"))
    assert response.status_code == 422
    assert "1 delegates would hold a place in another session" in response.get_data(as_text=True)
    assert stored(app, "wg").starts_at == at("2017-05-25 09:00")


def test_editing_a_page_with_a_preview_first(app, coordinator):
    path = "/mn/hosts/pages/info/edit"
    data = {**form_of(coordinator, path), "title_en": "Venue", "title_mn": "Хэрэгцээт мэдээлэл",
            "text_en": "# Getting here\n\n<script>alert(1)</script> [x](javascript:alert(1))",
            "text_mn": "# Хүрэх\n\nШинэ текст"}
    preview = coordinator.post(path, data={**data, "preview": "1"})
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "<h1>Getting here</h1>" in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body and 'href="javascript:' not in body
    public = app.test_client()
    assert "Шинэ текст" not in public.get("/mn/info").get_data(as_text=True)  # a preview stores nothing
    assert coordinator.post(path, data=data).status_code == 303
    page = public.get("/mn/info").get_data(as_text=True)
    assert "Шинэ текст" in page
    english = public.get("/en/info").get_data(as_text=True)
    assert "Getting here" in english and "<script>alert" not in english and 'href="javascript:' not in english
    entry = last_audit(app)
    assert entry.action == "page.edited" and entry.after["text_mn"] == "# Хүрэх\n\nШинэ текст"


def test_editing_the_event_and_its_deadline(app, coordinator):
    data = {**form_of(coordinator, "/en/hosts/event"), "name_en": "Progressive Alliance Conference",
            "name_mn": "Шинэ нэр", "theme_en": "Theme", "theme_mn": "", "city_en": "Ulaanbaatar",
            "city_mn": "Улаанбаатар", "starts_on": "2017-05-25", "ends_on": "2017-05-26",
            "registration_closes_on": "2017-05-15"}
    assert coordinator.post("/en/hosts/event", data=data).status_code == 303
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.registration_closes_on == date(2017, 5, 15) and event.name.texts["mn"] == "Шинэ нэр"
    assert "Шинэ нэр" in app.test_client().get("/mn/").get_data(as_text=True)
    page = coordinator.get("/en/hosts/event").get_data(as_text=True)
    assert "Translation missing" in page  # the theme
    refused = coordinator.post("/en/hosts/event", data={**data, "registration_closes_on": "2017-06-01"})
    assert refused.status_code == 422 and "cannot be after the event" in refused.get_data(as_text=True)


def test_the_dashboard_counts_missing_translations_and_links_to_them(coordinator, make_session):
    make_session(slug="wg", title={"en": "Only English"})
    page = coordinator.get("/en/hosts/").get_data(as_text=True)
    assert "Texts that lack a translation:" in page and "/en/hosts/content" in page
    listing = coordinator.get("/en/hosts/content").get_data(as_text=True)
    assert "/en/hosts/program/wg/edit" in listing and "/en/hosts/pages/info/edit" in listing
    assert "1 text lacks a translation" in listing


HOSTILE = ["<script>alert(1)</script>", "a" * 10_000, "nul\x00", "bidi\u202eoverride", "\u2066isolate"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_is_refused_or_stored_inert(app, coordinator, make_session, value):
    make_session(slug="wg")
    response = coordinator.post("/en/hosts/program/wg/edit", data=session_form(coordinator, "wg", title_mn=value))
    if value.startswith("<"):
        assert response.status_code == 303
        page = app.test_client().get("/mn/program").get_data(as_text=True)
        assert "&lt;script&gt;" in page and "<script>alert" not in page
    else:
        assert response.status_code == 422
        assert "Please correct the errors below." in response.get_data(as_text=True)
    for field in ("description_mn",):
        response = coordinator.post("/en/hosts/program/wg/edit", data=session_form(coordinator, "wg", **{field: value}))
        assert response.status_code in (303, 422)
    page_response = coordinator.post("/en/hosts/pages/info/edit", data={
        **form_of(coordinator, "/en/hosts/pages/info/edit"), "title_en": "Info", "title_mn": "Мэдээлэл",
        "text_en": value, "text_mn": value})
    assert page_response.status_code in (303, 422)
    assert "<script>alert" not in app.test_client().get("/en/info").get_data(as_text=True)


def test_an_unknown_session_or_page_is_a_404(coordinator):
    assert coordinator.get("/en/hosts/program/nowhere/edit").status_code == 404
    assert coordinator.get("/en/hosts/pages/nowhere/edit").status_code == 404


# Who may

def editing_routes(app):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("hosts_editing."):
            path = (rule.rule.replace("<lang>", "mn").replace("<slug>", "wg").replace("<name>", "info")
                    .replace("<int:registration_id>", "1"))
            found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_the_editing_routes_are_all_checked(app):
    assert len(editing_routes(app)) == 9  # the three forms (GET, POST), the list, adding and removing members


def test_editing_is_for_coordinators_only(app, event, make_host, make_session, make_delegate):
    make_session(slug="wg", title={"en": "Working group", "mn": "Ажлын хэсэг"})
    make_host()
    make_host(email=HOST, role="host")
    plain = app.test_client()
    assert sign_in_host(plain, HOST).status_code == 303
    delegate = app.test_client()
    page = delegate.get("/en/register")
    stranger = app.test_client()
    for method, path in editing_routes(app):
        for client, status in ((plain, 403), (stranger, 303)):
            token = csrf_token(client.get("/mn/hosts/login").get_data(as_text=True))
            data = {"csrf_token": token, "title_en": "Hacked", "title_mn": "Hacked", "text_en": "Hacked",
                    "name_en": "Hacked"}
            response = client.get(path) if method == "GET" else client.post(path, data=data)
            assert response.status_code == status, (method, path, status)
            body = response.get_data(as_text=True)
            assert COORDINATOR not in body and "Working group" not in body, (method, path)
            if status == 303:
                assert response.headers["Location"].startswith("/mn/hosts/login")
    assert page.status_code == 200
    assert stored(app, "wg").title.texts["en"] == "Working group"
    nav = plain.get("/en/hosts/").get_data(as_text=True)
    assert "/en/hosts/content" not in nav


def test_a_delegates_cookie_opens_no_editing_page(app, open_registration, make_host):
    make_host()
    delegate = app.test_client()
    assert register(delegate).status_code == 303
    for method, path in editing_routes(app):
        token = csrf_token(delegate.get("/mn/hosts/login").get_data(as_text=True))
        response = delegate.get(path) if method == "GET" else delegate.post(path, data={"csrf_token": token})
        assert response.status_code == 303 and "/hosts/login" in response.headers["Location"], (method, path)


@pytest.mark.parametrize("path", ["/en/hosts/program/wg/edit", "/en/hosts/pages/info/edit", "/en/hosts/event"])
def test_every_edit_needs_its_csrf_token(app, coordinator, make_session, path):
    make_session(slug="wg")
    response = coordinator.post(path, data={"title_en": "Forged", "text_en": "Forged", "name_en": "Forged"})
    assert response.status_code == 400
    assert stored(app, "wg").title.texts["en"] != "Forged"


# Members of an invitation-only session

def places_in(app, slug):
    with app.app_context():
        return {email: status for email, status in db.session.execute(
            select(Registration.email, Seat.status).join(Seat, Seat.registration_id == Registration.id)
            .join(Session, Session.id == Seat.session_id).where(Session.slug == slug))}


def test_a_coordinator_adds_and_removes_members_of_an_invitation_only_session(app, coordinator, make_session,
                                                                               make_delegate):
    make_session(slug="steering", kind="meeting", capacity=10, title="Steering Committee")
    make_delegate("ana")
    make_delegate("bold")
    page = "/mn/hosts/program/steering/edit"
    for address in ("ana@example.org", "ANA@example.org", "bold@example.org"):  # the same address twice: one place
        sent = coordinator.post("/mn/hosts/program/steering/members", data={**form_of(coordinator, page), "email": address})
        assert sent.status_code == 303
    assert places_in(app, "steering") == {"ana@example.org": "seated", "bold@example.org": "seated"}
    html = coordinator.get(page).get_data(as_text=True)
    assert "ana X" in html and "bold X" in html
    member = db_id(app, "bold@example.org")
    assert coordinator.post(f"/mn/hosts/program/steering/members/{member}/remove",
                            data=form_of(coordinator, page)).status_code == 303
    assert places_in(app, "steering") == {"ana@example.org": "seated"}
    assert last_audit(app).action == "session.member_removed"
    program = app.test_client().get("/en/program").get_data(as_text=True)
    assert "1 seat left of 10" not in program and "9 seats left of 10" in program  # the public count follows


def test_a_member_who_cannot_be_added_is_a_422_in_the_readers_language(app, coordinator, make_session, make_delegate):
    make_session(slug="steering", kind="meeting", capacity=10)
    make_session(slug="open-one", capacity=10)  # an ordinary breakout at the same time
    make_delegate("ana")
    page = "/mn/hosts/program/steering/edit"
    with app.app_context():
        program_services.join(db.session.get(Registration, db_id(app, "ana@example.org")),
                              db.session.scalar(select(Session).where(Session.slug == "open-one")))
        db.session.commit()
    for address, words in (("nobody@example.org", "бүртгүүлсэн төлөөлөгч алга"), ("ana@example.org", "ижил цагт"),
                           ("not an address", "")):
        sent = coordinator.post("/mn/hosts/program/steering/members", data={**form_of(coordinator, page), "email": address})
        assert sent.status_code == 422 and words in sent.get_data(as_text=True), address
    assert places_in(app, "steering") == {}
    opened = coordinator.post("/mn/hosts/program/open-one/members",
                              data={**form_of(coordinator, "/mn/hosts/program/open-one/edit"), "email": "ana@example.org"})
    assert opened.status_code == 422  # only invitation-only sessions take members


def db_id(app, email):
    with app.app_context():
        return db.session.scalar(select(Registration.id).where(Registration.email == email))
