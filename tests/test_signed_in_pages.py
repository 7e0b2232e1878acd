"""The pages a signed-in delegate reads on every visit (the program page, /LANG/me) are made from
pieces kept in each worker (app/page_cache.py): a change made in one request shows in the next,
from any worker, and no delegate is ever shown another delegate's page, places or form token."""
import re
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event, select, update

from app.delegates import reading
from app.events.models import Event
from app.extensions import db
from app.i18n import I18nText
from app.program import services as program
from app.program.models import Session
from app.registration import services as registration_services
from app.registration.models import Registration, SignIn
from app.timestamps import utcnow
from tests.conftest import POSTGRES_URL, at, csrf_token, gunicorn, program_changed
from tests.crowd import signed_in_cookie

A, B, C, LATER = "breakout-a", "breakout-b", "breakout-c", "later-breakout"


@pytest.fixture
def sessions(make_session):
    """Three one-seat breakouts at 14:00 on 25 May (A, B, C) and a ten-seat one the next day."""
    found = {slug: make_session(slug=slug, capacity=1, title={"en": f"Talk {slug}", "mn": f"Илтгэл {slug}"})
             for slug in (A, B, C)}
    found[LATER] = make_session(slug=LATER, capacity=10, starts_at=at("2017-05-26 10:00"),
                                title={"en": "The later talk", "mn": "Дараагийн илтгэл"})
    return found


@pytest.fixture
def ana(make_delegate):
    return make_delegate("ana", given_name="Anahí", family_name="Quispe")


@pytest.fixture
def bo(make_delegate):
    return make_delegate("bo", given_name="Bolormaa", family_name="Dorj")


def device(app, registration, tag: str):
    """A phone signed in as this delegate (its own sign-in and form token)."""
    with app.app_context():
        token = registration_services.sign_in(db.session.get(Registration, registration.id), SignIn.FORM)
        db.session.commit()
    client = app.test_client()
    client.set_cookie("session", signed_in_cookie(app, token, f"raw-form-token-{tag}"))
    return client


def act(app, change):
    """`change()` in its own transaction, as another request (or a host's console) makes it."""
    with app.app_context():
        change()
        db.session.commit()


def join(app, person, slug, **options):
    act(app, lambda: program.join(db.session.get(Registration, person.id),
                                  db.session.scalar(select(Session).filter_by(slug=slug)), **options))


def leave(app, person, slug):
    act(app, lambda: program.leave(db.session.get(Registration, person.id),
                                   db.session.scalar(select(Session).filter_by(slug=slug))))


def card(html: str, slug: str) -> str:
    found = re.search(rf'<article [^>]*id="session-{slug}".*?</article>', html, re.S)
    assert found, f"no card for {slug}"
    return found.group(0)


def tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def signed_values(html: str) -> set[str]:
    """What the page's tokens sign (a token also carries the second it was signed at)."""
    return {token.split(".")[0] for token in tokens(html)}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["Cache-Control"] == "private, no-store"
    html = response.get_data(as_text=True)
    assert "\x00" not in html  # every slot filled
    return html


def test_two_delegates_reading_in_turn_each_see_only_their_own(app, sessions, ana, bo):
    join(app, ana, A)
    join(app, bo, A)  # full: bo waits, first in line
    phone_a, phone_b = device(app, ana, "a"), device(app, bo, "b")
    for lang in ("en", "mn", "en"):
        for client, mine, theirs in ((phone_a, "Anahí", "Bolormaa"), (phone_b, "Bolormaa", "Anahí")):
            html = page(client, f"/{lang}/program")
            me = page(client, f"/{lang}/me")
            assert mine in me and theirs not in me
            assert len(tokens(html)) == 1 and signed_values(html) == signed_values(me)  # the same device's token
    a_program, b_program = page(phone_a, "/en/program"), page(phone_b, "/en/program")
    assert "You have a seat." in card(a_program, A) and "You are on the waiting list" not in card(a_program, A)
    assert "You are on the waiting list (number 1)." in card(b_program, A) and "You have a seat." not in b_program
    assert "You have 1 session in your agenda" in a_program and "You have 0 sessions in your agenda" in b_program
    # Each page's token works for its own device only.
    a_token, b_token = tokens(a_program).pop(), tokens(b_program).pop()
    assert a_token != b_token
    assert phone_a.post(f"/en/program/{LATER}/join", data={"csrf_token": b_token}).status_code == 400
    assert phone_a.post(f"/en/program/{LATER}/join", data={"csrf_token": a_token}).status_code == 303
    after = page(phone_a, "/en/program")
    assert "You have a seat." in card(after, LATER) and "You have 2 sessions in your agenda" in after
    assert "You have a seat." not in card(page(phone_b, "/en/program"), LATER)


def test_delegates_in_the_same_state_share_the_pieces_but_not_the_token(app, sessions, ana, bo):
    first, second = page(device(app, ana, "a"), "/mn/program"), page(device(app, bo, "b"), "/mn/program")
    assert tokens(first) != tokens(second)
    strip = lambda html: re.sub(r'name="csrf_token" value="[^"]+"', "", html)
    assert strip(first) == strip(second)


def test_every_change_shows_in_the_next_request(app, event, sessions, ana, bo, make_delegate):
    phone_a, phone_b = device(app, ana, "a"), device(app, bo, "b")
    assert "1 seat left of 1" in card(page(phone_a, "/en/program"), B)
    join(app, bo, B)  # someone else takes the last seat
    assert "Full: 1 of 1 seats taken" in card(page(phone_a, "/en/program"), B)
    assert "Join the waiting list" in card(page(phone_a, "/en/program"), B)
    join(app, ana, A)
    html = page(phone_a, "/en/program")
    assert "You have a seat." in card(html, A) and "Switch to this session" in card(html, C)
    # A switch offer, a waitlist number, a promotion, as they happen.
    join(app, ana, B, want="waitlist")
    assert "You are on the waiting list (number 1)." in card(page(phone_a, "/en/program"), B)
    assert "You keep your seat in “Talk breakout-a”" in card(page(phone_a, "/en/program"), B)
    cy = make_delegate("cy")
    join(app, cy, B, want="waitlist")
    leave(app, bo, B)  # ana moves into B and gives up A, which cy does not wait for
    html = page(phone_a, "/en/program")
    assert "You have a seat." in card(html, B) and "You have a seat." not in card(html, A)
    assert "Talk breakout-b" in page(phone_a, "/en/me") and "Talk breakout-a" not in page(phone_a, "/en/me")
    assert "You are on the waiting list" not in page(phone_b, "/en/program")
    # A host renames a session; the event's name changes.
    act(app, lambda: (db.session.execute(update(Session).where(Session.slug == B).values(
        title=I18nText({"en": "Renamed talk", "mn": "Шинэ нэр"}))), program_changed(event)))
    assert "Renamed talk" in card(page(phone_a, "/en/program"), B) and "Шинэ нэр" in page(phone_a, "/mn/me")
    act(app, lambda: setattr(db.session.get(Event, event), "name", I18nText({"en": "The renamed conference"})))
    assert "The renamed conference" in page(phone_b, "/en/program") and "The renamed conference" in page(phone_a, "/en/me")


@pytest.mark.parametrize("column, value, shown", [
    ("status", "confirmed", "Your registration is confirmed."),
    ("phone", "+976 9911 2233", "+976 9911 2233"),
    ("dietary_needs", "Без глютена <b>", "Без глютена &lt;b&gt;"),
    ("interpretation", True, "Needed"),
    ("organisation", "Монгол Ардын Нам", "Монгол Ардын Нам"),
])
def test_the_own_page_shows_a_change_made_elsewhere_at_once(app, sessions, ana, column, value, shown):
    """Hosts (or another device) change the registration in their own transaction, even without
    the models: the delegate's next page shows it."""
    phone = device(app, ana, "a")
    assert shown not in page(phone, "/en/me")
    act(app, lambda: db.session.execute(update(Registration).where(Registration.id == ana.id).values({column: value})))
    assert shown in page(phone, "/en/me")


def test_the_own_page_follows_places_numbers_in_line_the_deadline_and_notices(app, open_registration, sessions, ana, bo,
                                                                               make_delegate):
    phone = device(app, ana, "a")
    assert "You have not joined any breakout session yet." in page(phone, "/en/me")
    cy = make_delegate("cy")
    join(app, cy, A)
    join(app, bo, A)
    join(app, ana, A)
    assert "You are on the waiting list (number 2)." in page(phone, "/en/me")
    leave(app, bo, A)
    assert "You are on the waiting list (number 1)." in page(phone, "/en/me")
    leave(app, cy, A)
    assert "You have a seat." in page(phone, "/en/me")
    leave(app, ana, A)
    assert "You have not joined any breakout session yet." in page(phone, "/en/me")
    assert "Your changes are saved." in page(phone, "/en/me?saved=1")
    assert "Your changes are saved." not in page(phone, "/en/me")
    assert "Edit my registration" in page(phone, "/en/me")
    app.config["PORTAL_NOW"] = "2017-05-09T00:00:01+08:00"  # the deadline passed
    assert "Edit my registration" not in page(phone, "/en/me")


def test_signing_out_everywhere_ends_the_kept_pages_at_once(app, sessions, ana):
    join(app, ana, A)
    phone, laptop = device(app, ana, "phone"), device(app, ana, "laptop")
    assert "You have a seat." in page(phone, "/en/program") and "Anahí" in page(phone, "/en/me")
    laptop_page = page(laptop, "/en/me")
    assert laptop.post("/en/me/signout", data={"csrf_token": csrf_token(laptop_page), "everywhere": "1"}).status_code == 303
    html = phone.get("/en/program").get_data(as_text=True)
    assert "You have a seat." not in html and "Register to join" in html and 'name="csrf_token"' not in html
    assert phone.get("/en/me").status_code == 303


def test_an_expired_sign_in_reads_as_signed_out(app, sessions, ana):
    phone = device(app, ana, "a")
    assert "Anahí" in page(phone, "/en/me")
    act(app, lambda: db.session.execute(update(SignIn).values(created_at=utcnow() - timedelta(days=31))))
    assert phone.get("/en/me").status_code == 303
    assert "Register to join" in phone.get("/en/program").get_data(as_text=True)


@pytest.mark.parametrize("token", [None, 12345, ["a" * 40], "x", "x" * 101, "' OR 1=1 --" * 3, "ӨҮ" * 20, "\x00" * 30])
def test_an_odd_sign_in_token_reads_as_signed_out(app, sessions, token):
    client = app.test_client()
    client.set_cookie("session", app.session_interface.get_signing_serializer(app).dumps({"delegate": token}))
    response = client.get("/en/program")
    assert response.status_code == 200 and "Register to join" in response.get_data(as_text=True)
    assert client.get("/en/me").status_code == 303


def test_the_reader_and_the_sign_in_rule_agree(app, sessions, ana):
    """The pages' one-statement reader signs in exactly whom registration.services.signed_in does."""
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, ana.id)
        current = registration_services.sign_in(registration, SignIn.FORM)
        ended = registration_services.sign_in(registration, SignIn.FORM)
        registration_services.end_device(ended)
        expired = registration_services.sign_in(registration, SignIn.FORM)
        db.session.flush()
        db.session.execute(update(SignIn).where(SignIn.id == db.session.scalar(select(SignIn.id).order_by(
            SignIn.id.desc()).limit(1))).values(created_at=utcnow() - timedelta(days=31)))
        db.session.commit()
        max_age = app.config["SIGN_IN_MAX_AGE"]
        for token in (current, ended, expired, None, "x" * 43, current[:-1]):
            expected = registration_services.signed_in(token)
            for read in (reading.reader, reading.reader_values):
                found = read(token, max_age)
                assert (found.id if found else None) == (expected.id if expected else None), token
        values = reading.reader_values(current, max_age).values
        assert values == reading.stored_values(registration)  # typed as the models type them
        registration_services.erase_personal_data(registration, utcnow())
        db.session.commit()
        assert reading.reader(current, max_age) is None and registration_services.signed_in(current) is None


def test_the_cards_follow_the_same_rules_as_the_join(app, event, make_session, make_delegate):
    """card_states (plain facts, one statement) and card_facts (the rules with their queries) agree
    on every kind of card: seated, waiting with a number, keeping a seat, a switch, full, closed."""
    for slug in ("a", "b", "c"):
        make_session(slug=slug, capacity=1)
    make_session(slug="later", capacity=1, starts_at=at("2017-05-26 09:00"))
    make_session(slug="closed", signup="closed", starts_at=at("2017-05-26 11:00"))
    make_session(slug="meeting", kind="meeting", starts_at=at("2017-05-26 14:00"))
    make_session(slug="plenary", kind="plenary", starts_at=at("2017-05-25 09:00"))
    make_session(slug="full", capacity=1, starts_at=at("2017-05-26 16:00"))
    ana, bo, cy = make_delegate("ana"), make_delegate("bo"), make_delegate("cy")
    join(app, cy, "full")
    join(app, bo, "b")
    join(app, cy, "later")
    join(app, ana, "a")
    join(app, ana, "b", want="waitlist")
    join(app, bo, "later", want="waitlist")
    join(app, ana, "later", want="waitlist")
    with app.app_context(), app.test_request_context():
        all_sessions = program.sessions(db.session.get(Event, event))
        facts = [program.SessionFacts.of(s) for s in all_sessions]
        for person in (ana, bo, cy, None):
            registration = db.session.get(Registration, person.id) if person else None
            held = program.places(registration) if registration else {}
            reader = reader_of(app, person)[0] if person else None
            states = program.card_states(facts, reader, reader.places if reader else ())
            for s in all_sessions:
                expected = program.card_facts(s, registration, held)
                clash = expected["clash"]
                assert states[s.id] == program.CardState(
                    expected["state"], (clash.session_id, clash.status) if clash else None, expected["position"]), s.slug
        kinds = {state.state for state in program.card_states(facts, *reader_of(app, ana)).values()}
        assert kinds == {"seated", "waiting", "conflict", "full", "closed", "invitation", "none"}, kinds


def reader_of(app, person):
    """What the pages read for this delegate (their sign-in committed first: the reader reads
    through its own connection)."""
    token = registration_services.sign_in(db.session.get(Registration, person.id), SignIn.FORM)
    db.session.commit()
    reader = reading.reader(token, app.config["SIGN_IN_MAX_AGE"])
    return reader, reader.places


class StatementCounter:
    """Every statement SQLite runs for the app, through SQLAlchemy or through the driver."""

    def __init__(self, app):
        self.statements = []
        with app.app_context():
            self.engine = db.engine
        self.engine.dispose()  # connections made from now on are traced
        self.listen = lambda connection, record: connection.set_trace_callback(self.statements.append)
        sa_event.listen(self.engine, "connect", self.listen)

    def count(self, read) -> int:
        self.statements.clear()
        read()
        return len([s for s in self.statements if s.lstrip().upper().startswith(("SELECT", "WITH"))])

    def close(self):
        sa_event.remove(self.engine, "connect", self.listen)
        self.engine.dispose()


@pytest.mark.skipif(bool(POSTGRES_URL), reason="counts SQLite's statements")
def test_the_signed_in_pages_read_two_statements_however_many_sessions(app, event, sessions, make_session, ana):
    """The versions, then the delegate with their places; per card, nothing. A page made afresh
    (after a change) reads as many statements with 4 sessions as with 40."""
    join(app, ana, A)
    phone = device(app, ana, "a")
    counter = StatementCounter(app)
    try:
        fresh = lambda: (counter.count(lambda: page(phone, "/en/program")), counter.count(lambda: page(phone, "/en/me")))
        with_four = fresh()
        for number in range(36):
            make_session(slug=f"more-{number}", capacity=5, starts_at=at("2017-05-26 08:00") + timedelta(hours=number % 9))
        assert fresh() == with_four, with_four
        for path in ("/en/program", "/mn/program", "/en/program?with=mn", "/en/me", "/mn/me"):
            page(phone, path)
            assert counter.count(lambda: page(phone, path)) == 2, path
        # The own page is kept under the registration's columns and the places (own_page_key):
        # made afresh, it reads no other table, or that table's changes would not show.
        join(app, ana, LATER)
        counter.count(lambda: page(phone, "/en/me"))
        tables = {name for statement in counter.statements for name in re.findall(r"(?:FROM|JOIN) (\w+)", statement)}
        assert tables <= {"events", "sign_ins", "registrations", "seats", "sessions", "rooms"}, tables
    finally:
        counter.close()


def test_every_worker_shows_a_join_in_the_next_request(app, sessions, ana):
    with gunicorn(app, workers=2) as url:
        phone = device(app, ana, "a")
        cookie = "session=" + phone.get_cookie("session").value
        read = lambda path: [urllib.request.urlopen(urllib.request.Request(url + path, headers={"Cookie": cookie}))
                             .read().decode() for _ in range(8)]
        assert not any("You have a seat." in html for html in read("/en/program"))  # both workers keep the pieces
        assert all("You have not joined" in html for html in read("/en/me"))
        join(app, ana, LATER)
        assert all("You have a seat." in card(html, LATER) for html in read("/en/program"))
        assert all("The later talk" in html for html in read("/en/me"))
        act(app, lambda: db.session.execute(update(SignIn).values(ended_at=utcnow())))  # signed out everywhere
        assert not any("You have a seat." in html or "Anahí" in html for html in read("/en/program") + read("/en/me"))
