"""The portal as deploy/ runs it, under load and faults: PostgreSQL, Redis, two instances behind
nginx, the mail sender and an SMTP server, each started here from Debian's packages
(tests/stack.py). Every request goes through nginx unless a test needs one instance by name.

Run by `make test-production` (and `.ci/run`); `make test` leaves it out."""
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.events.models import Event
from app.extensions import db
from app.mail import OutboxMessage
from app.program.models import Seat
from app.registration import services as registration_services
from app.registration.models import Registration, SignIn
from tests.conftest import BEFORE_DEADLINE, assert_every_rule_holds, build_delegate, build_event, build_session
from tests.crowd import NoRedirect, fire_all, posts_at_once, queue_of, signup_request, status_of
from tests.stack import production_stack

DELEGATES, CAPACITY = 300, 30


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with production_stack(tmp_path_factory.mktemp("stack"), PORTAL_NOW=BEFORE_DEADLINE,
                          RATELIMIT_LINK="5/minute") as started:
        with started.app.app_context():
            build_event()
            db.session.commit()
        yield started


def session_for(stack, slug: str, capacity: int = CAPACITY, title: str | None = None) -> None:
    with stack.app.app_context():
        build_session(db.session.scalar(select(Event)), slug=slug, capacity=capacity, title=title)
        db.session.commit()


def crowd(stack, prefix: str, count: int = DELEGATES) -> list[str]:
    """`count` registered delegates, each signed in on a phone; their devices' tokens."""
    with stack.app.app_context():
        event = db.session.scalar(select(Event))
        people = [build_delegate(event, f"{prefix}{i}") for i in range(count)]
        devices = [registration_services.sign_in(person, SignIn.FORM) for person in people]
        db.session.commit()
        return devices


def get(url: str, **headers):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30)
    except urllib.error.HTTPError as error:
        return error


def card_text(html: str, title: str) -> str:
    """The seats line of the session card titled `title` on a program page."""
    card = html.split(f">{title}<", 1)[1]
    return re.search(r'<p class="seats">([^<]*)</p>', card).group(1)


def test_300_joins_at_once_through_nginx_seat_30_and_queue_270_in_order(stack):
    session_for(stack, "rush")
    devices = crowd(stack, "rush")
    statuses = fire_all([signup_request(stack.app, stack.url, device, i, "rush") for i, device in enumerate(devices)])
    assert statuses == [303] * DELEGATES, sorted(set(statuses))
    with stack.app.app_context():
        assert queue_of("rush") == (CAPACITY, DELEGATES - CAPACITY)
        assert_every_rule_holds()
    served = stack.upstreams_in_log()
    assert all(served.get(f"127.0.0.1:{instance.port}", 0) >= DELEGATES // 4 for instance in stack.instances), served


def test_a_join_through_one_instance_shows_at_once_on_the_others_page(stack):
    session_for(stack, "fresh", capacity=3, title="Freshness across instances")
    device, = crowd(stack, "fresh", 1)
    first, second = stack.instances
    before = get(second.url + "/en/program")
    assert card_text(before.read().decode(), "Freshness across instances") == "3 seats left of 3"
    assert status_of(signup_request(stack.app, first.url, device, 0, "fresh")) == 303
    after = get(second.url + "/en/program")
    assert card_text(after.read().decode(), "Freshness across instances") == "2 seats left of 3"
    again = get(second.url + "/en/program", **{"If-None-Match": before.headers["ETag"]})
    assert again.status == 200  # the version moved: the old page is not confirmed as fresh


def test_a_rate_limit_of_5_a_minute_holds_across_both_instances(stack):
    statuses = posts_at_once(stack.url, "/en/me/link", {"email": "someone@example.org"}, 12)
    assert sorted(statuses) == [303] * 5 + [429] * 7


def test_two_senders_started_at_once_deliver_each_message_exactly_once(stack):
    stack.wait_for_mail(unsent(stack), timeout=120)  # what earlier tests queued, sent by the stack's sender
    for sender in stack.senders:
        sender.stop()
    stack.senders.clear()
    stack.start_senders(2)
    time.sleep(5)  # both started and looking at the outbox
    crowd(stack, "mail", 200)  # 200 confirmations queued in one transaction
    queued = unsent(stack, "mail")
    assert len(queued) == 200
    copies = stack.wait_for_mail(queued, timeout=120)
    assert all(copies.get(message_id) == 1 for message_id in queued), "a message lost or sent twice"
    shares = [sender.sent() for sender in stack.senders]
    assert sum(shares) == len(queued) and min(shares) > 0, shares  # both took part, neither sent a message twice


def unsent(stack, prefix: str = "") -> list[str]:
    """The Message-IDs of what waits in the outbox (to addresses beginning with `prefix`)."""
    with stack.app.app_context():
        return db.session.scalars(select(OutboxMessage.message_id).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.recipient_key.startswith(prefix))).all()


def test_the_mail_server_away_for_a_minute_loses_nothing(stack):
    stack.mail.stop()
    crowd(stack, "away", 20)
    queued = unsent(stack, "away")
    assert len(queued) == 20
    time.sleep(60)
    with stack.app.app_context():
        tried = db.session.scalars(select(OutboxMessage).where(OutboxMessage.message_id.in_(queued))).all()
        assert all(m.attempts >= 1 and m.sent_at is None and m.failed_at is None for m in tried)
    stack.mail.start()
    copies = stack.wait_for_mail(queued, timeout=150)
    assert all(copies.get(message_id) == 1 for message_id in queued)


def test_an_instance_killed_mid_burst_loses_no_acknowledged_join(stack):
    session_for(stack, "killed")
    devices = crowd(stack, "killed")
    victim, survivor = stack.instances

    def kill_when_busy():
        with stack.app.app_context():
            while db.session.scalar(select(func.count()).select_from(Seat).join(Seat.session)
                                    .where(Seat.session.has(slug="killed"))) < 40:
                db.session.rollback()
                time.sleep(0.01)
        victim.kill()

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    requests = [signup_request(stack.app, stack.url, device, i, "killed") for i, device in enumerate(devices)]
    statuses = fire_all(requests)
    killer.join(60)
    assert victim.process.poll() is not None
    assert set(statuses) <= {303, 502}, sorted(set(statuses))  # 502: nginx's own page, the instance died answering
    with stack.app.app_context():
        assert_every_rule_holds()
        held = set(db.session.scalars(select(Registration.email).join(Seat, Seat.registration_id == Registration.id)
                                      .where(Seat.session.has(slug="killed"))))
    acknowledged = {f"killed{i}@example.org" for i, status in enumerate(statuses) if status == 303}
    assert acknowledged <= held
    assert get(survivor.url + "/en/program").status == 200 and get(stack.url + "/en/program").status == 200
    victim.start()  # systemd's Restart= would do this


def test_a_database_restart_during_registrations_is_a_clean_503_and_heals_itself(stack):
    pids = [instance.process.pid for instance in stack.instances]
    answers = []
    stop = threading.Event()

    def register_in_a_loop(worker: int):
        for n in range(10_000):
            if stop.is_set():
                return
            lang = ("en", "mn")[n % 2]
            email = f"stream{worker}-{n}@example.org"
            answers.append((time.monotonic(), lang, email, *submit(stack.url, lang, email)))

    with ThreadPoolExecutor(4) as pool:
        for worker in range(4):
            pool.submit(register_in_a_loop, worker)
        time.sleep(1.5)
        stack.postgres.stop()
        down = time.monotonic()
        time.sleep(2)
        stack.postgres.start()
        up = time.monotonic()
        time.sleep(3)
        stop.set()

    failed = [a for a in answers if a[3] != 303]
    assert failed, "no request met the database away"
    for _, lang, _, status, body in failed:
        assert status == 503, status
        assert ("өгөгдлийн сан" if lang == "mn" else "cannot reach its database") in body
    assert [a[3] for a in answers if a[0] > up + 1] and all(a[3] == 303 for a in answers if a[0] > up + 1)
    assert [instance.process.pid for instance in stack.instances] == pids  # healed without a restart
    with stack.app.app_context():
        stored = set(db.session.scalars(select(Registration.email).where(Registration.email.like("stream%"))))
        queued = set(db.session.scalars(select(OutboxMessage.recipient_key).where(OutboxMessage.recipient_key.like("stream%"))))
    assert {a[2] for a in answers if a[3] == 303} <= stored
    assert stored == queued  # each stored registration has its confirmation: nothing half-written
    assert down < up


def submit(url: str, lang: str, email: str) -> tuple[int, str]:
    """A delegate opening the form and sending it; (status, page) of the last answer."""
    try:
        form = urllib.request.urlopen(f"{url}/{lang}/register", timeout=30)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    cookie = "; ".join(header.split(";", 1)[0] for header in form.headers.get_all("Set-Cookie") or [])
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.read().decode()).group(1)
    fields = {"given_name": "Stream", "family_name": "Test", "email": email, "phone": "+34612345678", "country": "ES",
              "organisation": "P", "language": lang, "days": "2017-05-25", "privacy_consent": "y", "csrf_token": token}
    request = urllib.request.Request(f"{url}/{lang}/register", data=urllib.parse.urlencode(fields).encode(), method="POST",
                                     headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        return urllib.request.build_opener(NoRedirect).open(request, timeout=30).status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
