"""A rush of sign-ups against a real multi-worker server: capacity holds, the rest wait in order."""
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.program.models import Seat, Session
from app.registration import services as registration_services
from app.registration.models import SignIn
from tests.conftest import assert_every_rule_holds, gunicorn

DELEGATES = 300
CAPACITY = 30
SLUG, B_SLUG, C_SLUG = "breakout-a", "breakout-b", "breakout-c"  # at the same time


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in_cookie(app, device_token, csrf_raw):
    """The cookie a delegate's browser holds after signing in (Flask's signed session)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"delegate": device_token, "csrf_token": csrf_raw})


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


def fire_all(requests) -> list[int]:
    """Send every request at the same moment, each from its own thread; their statuses."""
    opener = urllib.request.build_opener(NoRedirect)
    start = threading.Barrier(len(requests))

    def fire(request):
        start.wait()
        try:
            return opener.open(request, timeout=120).status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(fire, requests))


def signup_request(app, server, person, index, slug, action, **fields):
    """A signed-in delegate's join or leave form, as a browser posts it."""
    registration_id, device = person
    raw = f"raw-token-{action}-{index}"
    csrf = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    body = urllib.parse.urlencode({"csrf_token": csrf.dumps(raw), **fields}).encode()
    return urllib.request.Request(f"{server}/en/program/{slug}/{action}", data=body, method="POST", headers={
        "Cookie": f"session={signed_in_cookie(app, device, raw)}",
        "Content-Type": "application/x-www-form-urlencoded", "Referer": f"{server}/en/program"})


def test_300_simultaneous_joins_for_30_seats(app, crowd, server):
    csrf = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    requests = []
    for index, (registration_id, device) in enumerate(crowd):
        raw = f"raw-token-{index}"
        cookie = signed_in_cookie(app, device, raw)
        body = urllib.parse.urlencode({"csrf_token": csrf.dumps(raw)}).encode()
        request = urllib.request.Request(f"{server}/en/program/{SLUG}/join", data=body, method="POST", headers={
            "Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{server}/en/program"})
        requests.append(request)

    statuses = fire_all(requests)
    assert all(status == 303 for status in statuses), sorted(set(statuses))

    with app.app_context():
        target = db.session.scalar(select(Session).filter_by(slug=SLUG))
        seated = db.session.scalars(select(Seat).filter_by(session_id=target.id, status="seated")).all()
        waiting = db.session.scalars(select(Seat).filter_by(session_id=target.id, status="waiting")
                                     .order_by(Seat.created_at, Seat.id)).all()
        assert (len(seated), len(waiting)) == (CAPACITY, DELEGATES - CAPACITY)
        assert (target.seats_taken, target.waitlist_length) == (CAPACITY, DELEGATES - CAPACITY)
        assert len({seat.registration_id for seat in seated + waiting}) == DELEGATES
        # Everyone seated asked before anyone who waits; the waitlist keeps arrival order.
        assert max(s.created_at for s in seated) <= min(w.created_at for w in waiting)
        assert [w.id for w in waiting] == sorted(w.id for w in waiting)


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
        [signup_request(app, server, p, i, b_slug, "join", want="waitlist") for i, p in enumerate(people[:10])]
        + [signup_request(app, server, p, i, b_slug, "leave") for i, p in enumerate(people[10:20])]
        + [signup_request(app, server, p, i, a_slug, "join", want="waitlist") for i, p in enumerate(people[20:30])]
        + [signup_request(app, server, p, i, c_slug, "join") for i, p in enumerate(people[30:40])]
    )
    statuses = fire_all(requests)
    assert set(statuses) <= {303, 409}, sorted(set(statuses))  # 409: B had a seat free by then (a switch is offered)

    with app.app_context():
        assert_every_rule_holds()
        leavers = {p[0] for p in people[10:20]}
        b = db.session.scalar(select(Session).filter_by(slug=b_slug))
        assert not db.session.scalars(select(Seat).where(Seat.session_id == b.id, Seat.registration_id.in_(leavers))).all()
