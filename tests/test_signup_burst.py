"""A rush of sign-ups against a real multi-worker server: capacity holds, the rest wait in order."""
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

from app.extensions import db
from app.program.models import Seat, Session
from app.registration import services as registration_services
from app.registration.models import SignIn
from tests.conftest import assert_every_rule_holds, gunicorn
from tests.crowd import fire_all, queue_of, signup_request

DELEGATES = 300
CAPACITY = 30
SLUG, B_SLUG, C_SLUG = "breakout-a", "breakout-b", "breakout-c"  # at the same time


@pytest.fixture
def crowd(app, make_session, make_delegate):
    """300 registered delegates and three 30-seat breakouts at the same time (A is SLUG)."""
    for slug in (SLUG, B_SLUG, C_SLUG):
        make_session(slug=slug, capacity=CAPACITY)
    with app.app_context():
        people = [make_delegate(f"d{i}") for i in range(DELEGATES)]
        devices = [registration_services.sign_in(r, SignIn.FORM) for r in people]  # each on their phone
        db.session.commit()
        return [(r.id, device) for r, device in zip(people, devices)]


@pytest.fixture
def server(app):
    """The portal under gunicorn: 4 worker processes with 4 threads each, on the test's database."""
    with gunicorn(app, workers=4, threads=4, RATELIMIT_ENABLED="false") as url:
        yield url


def test_300_simultaneous_joins_for_30_seats(app, crowd, server):
    statuses = fire_all([signup_request(app, server, device, index, SLUG) for index, (_, device) in enumerate(crowd)])
    assert all(status == 303 for status in statuses), sorted(set(statuses))
    with app.app_context():
        assert queue_of(SLUG) == (CAPACITY, DELEGATES - CAPACITY)


def test_a_long_address_reaches_the_portals_own_page_under_gunicorn(server):
    """gunicorn would refuse a 5,000-character request line itself, in English (gunicorn.conf.py)."""
    try:
        urllib.request.urlopen(f"{server}/mn/info?q={'x' * 5000}", timeout=10)
        status, body = 200, ""
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    assert status == 414 and "Хэт урт хаяг" in body


def test_leaves_waitlists_and_moves_at_once_keep_every_rule(app, crowd, server):
    """Two parallel 10-seat sessions, A and B, full. At one moment: B's delegates leave; A's delegates
    queue for B (keeping their seat in A, which they give up when promoted); newcomers queue for A
    or join C. However the requests interleave, no seat is lost or doubled."""
    from app.program import services as program

    a_slug, b_slug, c_slug = SLUG, B_SLUG, C_SLUG
    people = crowd[:40]
    with app.app_context():
        a, b = (db.session.scalar(select(Session).filter_by(slug=slug)) for slug in (a_slug, b_slug))
        a.capacity = b.capacity = 10
        from app.registration.models import Registration
        for person, target in zip(people[:20], [a] * 10 + [b] * 10):
            program.join(db.session.get(Registration, person[0]), target)
        db.session.commit()
    requests = (
        [signup_request(app, server, p[1], i, b_slug, "join", want="waitlist") for i, p in enumerate(people[:10])]
        + [signup_request(app, server, p[1], i, b_slug, "leave") for i, p in enumerate(people[10:20])]
        + [signup_request(app, server, p[1], i, a_slug, "join", want="waitlist") for i, p in enumerate(people[20:30])]
        + [signup_request(app, server, p[1], i, c_slug, "join") for i, p in enumerate(people[30:40])]
    )
    statuses = fire_all(requests)
    assert set(statuses) <= {303, 409}, sorted(set(statuses))  # 409: B had a seat free by then (a switch is offered)

    with app.app_context():
        assert_every_rule_holds()
        leavers = {p[0] for p in people[10:20]}
        b = db.session.scalar(select(Session).filter_by(slug=b_slug))
        assert not db.session.scalars(select(Seat).where(Seat.session_id == b.id, Seat.registration_id.in_(leavers))).all()
