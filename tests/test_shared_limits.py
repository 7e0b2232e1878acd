"""Limits that hold across workers: rate limits in a shared Redis (Debian's redis-server, started
here on a free port), and per-address caps counted in the database, under gunicorn with two
worker processes."""
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.mail import OutboxMessage
from app.registration.services import handle_link_requests
from tests.conftest import gunicorn, register, registration_form
from tests.crowd import posts_at_once
from tests.stack import redis_server


@pytest.fixture
def redis_url():
    """A throwaway Redis on loopback (`make test` installs Debian's redis-server)."""
    with redis_server() as url:
        yield url


def emails_to(app, address: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.recipient_key == address))


def test_a_rate_limit_holds_across_workers(app, open_registration, redis_url):
    with gunicorn(app, RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_LINK="5/minute") as url:
        statuses = posts_at_once(url, "/en/me/link", {"email": "nobody@example.org"}, 14)
    assert sorted(statuses) == [303] * 5 + [429] * 9


def test_the_per_address_cap_holds_across_workers_and_senders(app, open_registration, redis_url):
    """However many clients ask at once, an address gets RATELIMIT_LINK_PER_ADDRESS link emails."""
    for address in ("ana@example.org", "bo@example.org"):  # their confirmations: the first of the hour
        register(app.test_client(), email=address)
    form = registration_form(email="ana@example.org", given_name="Mallory")
    with gunicorn(app, RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_REGISTER="100/minute",
                  RATELIMIT_LINK="100/minute",
                  RATELIMIT_LINK_PER_ADDRESS="3/hour") as url:
        again = posts_at_once(url, "/en/register", form, 14)  # the form again: its link is re-sent
        asked = posts_at_once(url, "/en/me/link", {"email": "bo@example.org"}, 14)
    assert again == [303] * 14 and asked == [303] * 14  # the same answer every time
    assert emails_to(app, "ana@example.org") == 3
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_LINK_PER_ADDRESS="3/hour")

    def sender():
        with app.app_context():
            handle_link_requests()

    senders = [threading.Thread(target=sender) for _ in range(2)]  # two senders at once
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(60)
    assert emails_to(app, "bo@example.org") == 3
