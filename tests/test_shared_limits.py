"""Limits that hold across workers: rate limits in a shared Redis (Debian's redis-server, started
here on a free port), and per-address caps counted in the database, under gunicorn with two
worker processes."""
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.mail import OutboxMessage
from app.registration.services import handle_link_requests
from tests.conftest import free_port, gunicorn, register, registration_form


@pytest.fixture
def redis_url():
    """A throwaway Redis on loopback (`make test` installs Debian's redis-server)."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: `make test` installs it")
        pytest.skip("redis-server is missing: run `make test`")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() != "PONG":
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


def posts_at_once(url: str, page: str, fields: dict, count: int) -> list[int]:
    """`count` copies of the form on `page`, sent at the same moment from one browser; their statuses."""
    form = urllib.request.urlopen(url + page)
    cookie = "; ".join(header.split(";", 1)[0] for header in form.headers.get_all("Set-Cookie"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.read().decode()).group(1)
    body = urllib.parse.urlencode({**fields, "csrf_token": token}, doseq=True).encode()
    start = threading.Barrier(count)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def send(_):
        request = urllib.request.Request(url + page, data=body, method="POST", headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        start.wait()
        try:
            return opener.open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(send, range(count)))


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
