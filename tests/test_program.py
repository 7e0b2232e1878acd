"""The program pages, the feeds, and joining and leaving from a phone, with and without HTMX."""
import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.program.models import Seat, Session
from tests.conftest import at, csrf_token, links_in, register, registration_form, use_link

# Three open breakouts at the same time (the `breakouts` fixture): most tests join the first.
SLUG, BESIDE, THIRD = "first-breakout", "second-breakout", "third-breakout"
TITLES = {SLUG: ("First breakout", "Нэгдүгээр салбар"), BESIDE: ("Second breakout", "Хоёрдугаар салбар"),
          THIRD: ("Third breakout", "Гуравдугаар салбар")}


@pytest.fixture
def breakouts(make_session):
    """SLUG, BESIDE and THIRD: 40 seats each, 14:00–15:30 on 25 May."""
    return [make_session(slug=slug, capacity=40, title={"en": en, "mn": mn}) for slug, (en, mn) in TITLES.items()]


@pytest.fixture
def delegate(client, open_registration, mailbox):
    """A signed-in delegate (the test client)."""
    assert register(client).status_code == 303
    return client


def seat_rows(app, slug):
    with app.app_context():
        session = db.session.scalar(select(Session).filter_by(slug=slug))
        return [(seat.registration_id, seat.status) for seat in
                db.session.scalars(select(Seat).filter_by(session_id=session.id).order_by(Seat.id))]


def post(client, path, lang="en", htmx=False, page="/program", **data):
    """A join or leave tapped on `page` (htmx names the page it was sent from, as htmx does)."""
    html = client.get(f"/{lang}/program").get_data(as_text=True)
    token = csrf_token(html) if 'name="csrf_token"' in html else "none"
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://localhost/{lang}{page}"} if htmx else {}
    return client.post(f"/{lang}{path}", data={"csrf_token": token, **data}, headers=headers)


def test_the_program_by_day_in_mongolian(client, make_session):
    make_session(kind="plenary", starts_at=at("2017-05-25 09:30"), ends_at=at("2017-05-25 10:30"))
    make_session(), make_session()  # two breakouts side by side, 14:00–15:30
    html = client.get("/mn/program").get_data(as_text=True)
    assert "<h1>Хөтөлбөр</h1>" in html
    assert "2017\u202fоны тавдугаар сарын 25, пүрэв гараг" in html
    assert html.index("09:30–10:30") < html.index("14:00–15:30")
    assert 'class="slot parallel"' in html
    assert "Нэгдсэн хуралдаан" in html and "Салбар хуралдаан" in html
    assert 'name="csrf_token"' not in html  # the signed-out page has no forms: one page for everyone


def test_signed_out_readers_get_a_cacheable_page(client, event):
    first = client.get("/en/program")
    assert first.headers["ETag"]
    assert "session=" not in first.headers.get("Set-Cookie", "")
    again = client.get("/en/program", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_seat_counts_are_never_stale(app, client, breakouts, delegate):
    other = app.test_client()
    etag = other.get("/en/program").headers["ETag"]
    assert post(delegate, f"/program/{SLUG}/join").status_code == 303
    fresh = other.get("/en/program", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert "39 seats left of 40" in fresh.get_data(as_text=True)


def test_one_session_page(client, make_session):
    make_session(slug="working-group", capacity=30,
                 description={"en": "The working group follows up on its Action Plan.", "mn": "Ажлын хэсэг."})
    html = client.get("/en/program/working-group").get_data(as_text=True)
    assert "follows up on its Action Plan" in html
    assert "30 seats left of 30" in html
    assert client.get("/en/program/no-such-session").status_code == 404


def test_program_json_follows_the_contract(client, make_session):
    make_session(kind="break", starts_at=at("2017-05-25 08:30"), ends_at=at("2017-05-25 09:30"))
    make_session(kind="plenary", starts_at=at("2017-05-25 09:30"), ends_at=at("2017-05-25 10:30"))
    make_session(kind="breakout")
    meeting = make_session(kind="meeting", starts_at=at("2017-05-26 14:00"), capacity=40)
    data = json.loads(client.get("/mn/program.json").get_data(as_text=True))
    assert set(data["event"]) == {"slug", "title", "starts_on", "ends_on", "timezone", "registration_closes"}
    assert data["event"]["timezone"] == "Asia/Ulaanbaatar"
    assert data["event"]["registration_closes"].startswith("2017-05-08T23:59:59")
    assert data["event"]["title"] == "Прогрессив Аллиансын бага хурал"
    first = data["sessions"][0]
    assert {"slug", "title", "kind", "starts_at", "ends_at", "room", "capacity", "seats_taken", "waitlist",
            "signup"} <= set(first)
    assert first["starts_at"] == "2017-05-25T09:30:00+08:00"
    assert {s["kind"] for s in data["sessions"]} == {"plenary", "breakout", "meeting"}
    assert {s["signup"] for s in data["sessions"]} == {"none", "open", "invitation"}
    assert next(s for s in data["sessions"] if s["slug"] == meeting.slug)["signup"] == "invitation"
    assert [b["kind"] for b in data["breaks"]] == ["break"]  # breaks are not sessions of the contract


def test_program_ics_carries_the_time_zone(client, make_session):
    make_session(kind="plenary", starts_at=at("2017-05-25 09:30"))
    body = client.get("/en/program.ics").get_data(as_text=True)
    assert "BEGIN:VTIMEZONE" in body and "TZID:Asia/Ulaanbaatar" in body
    assert "DTSTART;TZID=Asia/Ulaanbaatar:20170525T093000" in body


def test_joining_and_leaving_without_javascript(app, breakouts, delegate):
    response = post(delegate, f"/program/{SLUG}/join", next="/en/program")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/en/program#session-{SLUG}"
    assert [status for _, status in seat_rows(app, SLUG)] == ["seated"]
    page = delegate.get(f"/en/program/{SLUG}").get_data(as_text=True)
    assert "You have a seat." in page and "You have 1 session in your agenda" in page
    assert post(delegate, f"/program/{SLUG}/leave").status_code == 303
    assert seat_rows(app, SLUG) == []


def test_htmx_swaps_the_card_and_the_agenda_count(app, breakouts, delegate):
    response = post(delegate, f"/program/{SLUG}/join", htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<article class="session-card kind-breakout mine" id="session-{SLUG}"')
    assert 'id="agenda-count" hx-swap-oob="true"' in html and "1 session" in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_also_swaps_the_cards_at_the_same_time_on_the_program_page(app, breakouts, delegate, make_session):
    def cards(html):
        return dict(re.findall(r'<article [^>]*id="session-([a-z0-9-]+)"[^>]*>(.*?)</article>', html, re.S))

    make_session(starts_at=at("2017-05-26 09:00"))  # at another time: its card does not change
    joined = cards(post(delegate, f"/program/{SLUG}/join", htmx=True).get_data(as_text=True))
    assert set(joined) == {SLUG, BESIDE, THIRD}
    assert "Switch to this session" in joined[BESIDE]
    left = cards(post(delegate, f"/program/{SLUG}/leave", htmx=True).get_data(as_text=True))
    assert "Switch to this session" not in left[BESIDE]
    # On the session's own page there are no other cards to swap, and the card has no heading
    # (the page's h1), whatever page a posted `next` names.
    alone = post(delegate, f"/program/{SLUG}/join", htmx=True, page=f"/program/{SLUG}", next="/en/program")
    assert set(cards(alone.get_data(as_text=True))) == {SLUG} and "<h3" not in alone.get_data(as_text=True)
    assert "HX-Current-URL" in alone.headers["Vary"]


def test_a_double_tap_is_one_seat(app, breakouts, delegate):
    post(delegate, f"/program/{SLUG}/join")
    post(delegate, f"/program/{SLUG}/join")
    assert len(seat_rows(app, SLUG)) == 1


def test_a_stale_page_on_a_full_session_says_so_and_changes_nothing(app, client, open_registration, mailbox,
                                                                   make_session):
    make_session(slug=SLUG, capacity=1)
    first = app.test_client()
    register(first, email="first@example.org")
    register(client)
    assert post(first, f"/program/{SLUG}/join").status_code == 303
    response = post(client, f"/program/{SLUG}/join", lang="mn", want="seat")
    assert response.status_code == 409
    assert "Энэ хуралдааны суудал дүүрсэн байна." in response.get_data(as_text=True)
    assert len(seat_rows(app, SLUG)) == 1
    # The waitlist, when asked for.
    assert post(client, f"/program/{SLUG}/join", want="waitlist").status_code == 303
    assert [s for _, s in seat_rows(app, SLUG)] == ["seated", "waiting"]


def test_a_freed_seat_goes_to_the_first_in_line_who_is_told_in_their_language(app, client, open_registration,
                                                                             mailbox, make_session):
    make_session(slug=SLUG, capacity=1)
    first = app.test_client()
    register(first, email="first@example.org")
    register(client, email="second@example.org", language="mn")
    post(first, f"/program/{SLUG}/join")
    post(client, f"/program/{SLUG}/join")
    assert post(first, f"/program/{SLUG}/leave").status_code == 303
    assert [s for _, s in seat_rows(app, SLUG)] == ["seated"]
    told = mailbox.messages[-1]
    assert told["To"] == "second@example.org"
    assert told["Subject"].startswith("Таныг «")
    assert links_in(mailbox.text())[0] == f"/mn/program/{SLUG}"


def test_overlaps_offer_a_switch(app, breakouts, delegate):
    post(delegate, f"/program/{SLUG}/join")
    response = post(delegate, f"/program/{BESIDE}/join", want="seat")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "You already have a seat in a session at this time." in html
    assert "Switch to this session" in html
    assert post(delegate, f"/program/{BESIDE}/join", switch="1").status_code == 303
    assert seat_rows(app, SLUG) == []


def test_waiting_for_a_full_session_keeps_the_seat_at_the_same_time(app, client, open_registration, mailbox,
                                                                   make_session):
    other_slug = BESIDE
    make_session(slug=SLUG, capacity=40)
    make_session(slug=other_slug, capacity=1)  # at the same time
    holder = app.test_client()
    register(holder, email="holder@example.org")
    post(holder, f"/program/{other_slug}/join")
    register(client, lang="mn", language="mn")
    post(client, f"/program/{SLUG}/join", lang="mn")
    page = client.get("/mn/program").get_data(as_text=True)
    card = page[page.index(f'id="session-{other_slug}"'):]
    assert "хуралдаан дахь суудал тань хэвээр үлдэнэ" in card[:card.index("</article>")]
    response = post(client, f"/program/{other_slug}/join", lang="mn", htmx=True, want="waitlist")
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "(хүлээлгийн дугаар: 1)" in fragment
    assert "хуралдаан дахь суудал тань хэвээр үлдэнэ" in fragment
    assert [status for _, status in seat_rows(app, other_slug)] == ["seated", "waiting"]
    assert [status for _, status in seat_rows(app, SLUG)] == ["seated"]
    post(holder, f"/program/{other_slug}/leave")
    # The delegate now sits in the session they waited for, and their other seat is free.
    assert [status for _, status in seat_rows(app, other_slug)] == ["seated"]
    assert seat_rows(app, SLUG) == []
    told = mailbox.text()
    assert "хуралдаан дахь Таны суудлыг чөлөөллөө" in told


@pytest.mark.parametrize("kind, status", [("plenary", 403), ("meeting", 403), (None, 404)])
def test_sessions_delegates_cannot_join(app, breakouts, delegate, make_session, kind, status):
    slug = make_session(kind=kind).slug if kind else "no-such"  # a meeting is by invitation only
    response = post(delegate, f"/program/{slug}/join")
    assert response.status_code == status


def test_leaving_without_a_seat_is_a_409(breakouts, delegate):
    response = post(delegate, f"/program/{SLUG}/leave", lang="mn")
    assert response.status_code == 409
    assert "Та энэ хуралдаанд суудалгүй байна." in response.get_data(as_text=True)


def test_signed_out_joins_are_sent_to_register_and_back(app, client, open_registration, mailbox, breakouts):
    response = client.post(f"/en/program/{SLUG}/join", data={"csrf_token": "x"})
    assert response.status_code == 400  # no session, so no valid form
    page = client.get(f"/en/program/{SLUG}").get_data(as_text=True)
    assert f'href="/en/register?next=/en/program/{SLUG}"' in page
    token = csrf_token(client.get(f"/en/register?next=/en/program/{SLUG}").get_data(as_text=True))
    response = client.post(f"/en/register?next=/en/program/{SLUG}", data=registration_form(csrf_token=token))
    assert response.headers["Location"] == f"/en/program/{SLUG}"


def test_a_forged_csrf_token_changes_nothing(app, breakouts, delegate):
    response = delegate.post(f"/en/program/{SLUG}/join", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert seat_rows(app, SLUG) == []


def test_cancelling_frees_seats(app, breakouts, delegate):
    post(delegate, f"/program/{SLUG}/join")
    page = delegate.get("/en/me/cancel").get_data(as_text=True)
    delegate.post("/en/me/cancel", data={"csrf_token": csrf_token(page)})
    assert seat_rows(app, SLUG) == []
    assert post(delegate, f"/program/{SLUG}/join").status_code == 403


def test_my_agenda_ics(app, breakouts, delegate):
    post(delegate, f"/program/{SLUG}/join")
    body = delegate.get("/en/me/agenda.ics").get_data(as_text=True)
    assert "First breakout" in body
    assert "Second breakout" not in body
    assert "TZID:Asia/Ulaanbaatar" in body


def test_the_emailed_link_brings_a_signed_out_delegate_back_to_the_session(app, client, open_registration, mailbox,
                                                                           breakouts):
    register(client, email="back@example.org")
    phone = app.test_client()
    card = phone.get(f"/en/program/{SLUG}").get_data(as_text=True)
    assert f'href="/en/me/link?next=/en/program/{SLUG}"' in card
    page = phone.get(f"/en/me/link?next=/en/program/{SLUG}").get_data(as_text=True)
    phone.post(f"/en/me/link?next=/en/program/{SLUG}", data={"email": "back@example.org", "csrf_token": csrf_token(page)})
    link = links_in(mailbox.text())[0]
    response = use_link(phone, link)
    assert response.headers["Location"] == f"/en/program/{SLUG}"
    assert "Join" in phone.get(f"/en/program/{SLUG}").get_data(as_text=True)


class QueryCounter:
    """Counts the SQL statements the app sends through SQLAlchemy."""

    def __init__(self, app):
        from sqlalchemy import event as sa_event

        with app.app_context():
            self.engine = db.engine
        self.count = 0
        sa_event.listen(self.engine, "before_cursor_execute", self.tick)

    def tick(self, *args):
        self.count += 1

    def close(self):
        from sqlalchemy import event as sa_event

        sa_event.remove(self.engine, "before_cursor_execute", self.tick)


def statements_of_get(app, client, path: str) -> int:
    """How many SQL statements one GET of PATH sends (it must answer 200)."""
    counter = QueryCounter(app)
    try:
        assert client.get(path).status_code == 200, path
        return counter.count
    finally:
        counter.close()


def test_the_program_page_needs_few_queries_however_many_sessions(app, breakouts, delegate, make_session):
    kinds = ("plenary", "break", "breakout", "meeting", "social")
    for day in (25, 26):
        for number, hour in enumerate((9, 10, 11, 12, 16, 17, 18, 19, 20, 21)):
            make_session(kind=kinds[number % len(kinds)], starts_at=at(f"2017-05-{day} {hour:02}:00"))
    post(delegate, f"/program/{SLUG}/join")
    counter = QueryCounter(app)
    try:
        delegate.get("/en/program")
        signed_in = counter.count
        counter.count = 0
        anonymous = app.test_client()
        anonymous.get("/mn/program")  # renders and caches
        counter.count = 0
        anonymous.get("/mn/program")  # from the page cache: only the version is read, by the driver
        cached = counter.count
    finally:
        counter.close()
    assert signed_in <= 5, signed_in  # event, delegate, sessions, places, and one spare: not one per session
    assert cached == 0


@pytest.mark.parametrize("address", ["http://[", "::::", "http://evil.example/en/program/" + SLUG, "\x7f", "h" * 3000])
def test_an_odd_page_address_from_htmx_is_read_as_the_program_page(app, breakouts, delegate, address):
    """HX-Current-URL is what the browser says; a garbled or foreign one is not the session's page, never a 500."""
    token = csrf_token(delegate.get("/en/program").get_data(as_text=True))
    response = delegate.post(f"/en/program/{SLUG}/join", data={"csrf_token": token},
                             headers={"HX-Request": "true", "HX-Current-URL": address})
    assert response.status_code == 200 and "<h3" in response.get_data(as_text=True)


def test_a_plain_form_returns_to_the_page_it_was_on(breakouts, delegate):
    """The forms' `next` is the page's own address (the menu's idea of «here» once overwrote it)."""
    for page in ("/en/program", f"/en/program/{SLUG}"):
        html = delegate.get(page).get_data(as_text=True)
        assert f'name="next" value="{page}"' in html, page
        back = delegate.post(f"/en/program/{SLUG}/join", data={"csrf_token": csrf_token(html), "next": page})
        assert back.headers["Location"] == f"{page}#session-{SLUG}"
        delegate.post(f"/en/program/{SLUG}/leave", data={"csrf_token": csrf_token(html)})
