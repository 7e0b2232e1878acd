"""Fixtures: an app on a fresh, migrated database, clients, and factories.

SQLite by default. With TEST_DATABASE_URL (a PostgreSQL server's URL, as `.ci/run` sets it)
each test gets its own PostgreSQL database, copied from a migrated template.
"""
import itertools
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_migrate import upgrade

from app import create_app
from app.config import ROOT, Config
from app.events.content import read_event
from app.events.models import Event
from app.extensions import db
from app.hosts import services as host_services
from app.i18n import I18nText
from app.program.content import load_demo
from app.program.models import Room, Session
from app.registration import services as registration_services


class TestConfig(Config):
    PORTAL_ENV = "testing"
    PORTAL_URL = "http://localhost"
    TESTING = True
    SECRET_KEY = "test-secret"
    RATELIMIT_ENABLED = False
    HTMX_FROM_CDN = True


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
# tests/production/ starts servers of its own: `make test-production` runs it, `make test` does not.
collect_ignore = [] if os.environ.get("PORTAL_PRODUCTION_TESTS") else ["production"]
TEMPLATE_DB = "portal_test_template"


def database_url(database) -> str:
    """A SQLite file path, or a PostgreSQL database name when the tests run on PostgreSQL."""
    if POSTGRES_URL:
        return sa.make_url(POSTGRES_URL).set(database=str(database)).render_as_string(False)
    return f"sqlite:///{database}"


def make_app(database, **settings):
    return create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url(database), **settings})


def postgres_admin(statement: str) -> None:
    """Run one statement on the PostgreSQL server, outside any transaction."""
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


def dispose(app) -> None:
    """Close the app's database connections."""
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database the migrations built once; each test gets a copy of it."""
    if POSTGRES_URL:
        postgres_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
        postgres_admin(f'CREATE DATABASE "{TEMPLATE_DB}"')
        template = TEMPLATE_DB
    else:
        template = tmp_path_factory.mktemp("template") / "portal.sqlite3"
    app = make_app(template)
    with app.app_context():
        upgrade()
    dispose(app)
    return template


def copy_database(template, folder):
    """A fresh database for one test, copied from the migrated template."""
    if POSTGRES_URL:
        name = f"portal_test_{uuid.uuid4().hex[:12]}"
        postgres_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name
    path = folder / "portal.sqlite3"
    shutil.copy(template, path)
    return path


def drop_database(database):
    if POSTGRES_URL:
        postgres_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def app(migrated_database, tmp_path):
    database = copy_database(migrated_database, tmp_path)
    app = make_app(database, MAIL_OUTBOX=tmp_path / "outbox")
    yield app
    dispose(app)
    drop_database(database)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def event(make_event):
    """The event most tests need (its id): no sessions; tests add theirs with `make_session`."""
    return make_event().id


@pytest.fixture
def demo_event(app):
    """The demo event with its program, loaded from the content folder: only for tests of the demo
    content itself (tests/test_content.py). Every other test builds the sessions it relies on."""
    with app.app_context():
        loaded = load_demo(app.config["DEMO_CONTENT"])
        db.session.commit()
        return loaded.id


def csrf_token(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no csrf_token in the page"
    return match.group(1)


class Inbox:
    """The SMTP server's handler: keeps what it receives (aiosmtpd inspects its attributes)."""

    def __init__(self):
        self.messages = []
        self.raw = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


class Mailbox:
    """What a real SMTP server on loopback received. Reading it first runs the portal's sender
    once, as `flask portal send-mail` would: mail leaves only from the outbox."""

    def __init__(self, app):
        self.app = app
        self.inbox = Inbox()

    def deliver(self) -> int:
        """Run the sender once (`flask portal send-mail --once`); returns how many messages it delivered."""
        from app.cli import deliver_mail

        with self.app.app_context():
            return deliver_mail()

    @property
    def messages(self):
        self.deliver()
        return self.inbox.messages

    @property
    def raw(self):
        self.deliver()
        return self.inbox.raw

    def text(self, index=-1) -> str:
        return self.messages[index].get_body(("plain",)).get_content()

    def html(self, index=-1) -> str:
        return self.messages[index].get_body(("html",)).get_content()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mailbox(app):
    """A real SMTP server (aiosmtpd) the app sends to."""
    from aiosmtpd.controller import Controller

    box = Mailbox(app)
    port = free_port()
    controller = Controller(box.inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield box
    controller.stop()


def links_in(text: str) -> list[str]:
    """The portal's own links in a message, as paths."""
    return [m.group(1) for m in re.finditer(r"http://localhost(/\S+)", text)]


BEFORE_DEADLINE = "2017-05-01T10:00:00+08:00"


@pytest.fixture
def open_registration(app, event):
    """The portal's clock set to 1 May 2017, a week before the registration deadline."""
    app.config["PORTAL_NOW"] = BEFORE_DEADLINE
    return event


def registration_form(**overrides) -> dict:
    """A complete, valid registration, as a phone would post it."""
    data = {
        "given_name": "Ana",
        "family_name": "García",
        "email": "ana@example.org",
        "phone": "+34 612 345 678",
        "country": "ES",
        "organisation": "PSOE",
        "position": "International secretary",
        "language": "en",
        "days": ["2017-05-25", "2017-05-26"],
        "privacy_consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client, lang="en", **overrides):
    """Open the form, then send it: what a delegate does."""
    page = client.get(f"/{lang}/register")
    data = registration_form(**overrides)
    data.setdefault("csrf_token", csrf_token(page.get_data(as_text=True)))
    return client.post(f"/{lang}/register", data=data)


def assert_every_rule_holds() -> None:
    """The sign-up rules, checked against what is stored (inside an app context): each session's
    counters match its rows, no session is over capacity or has a free seat while someone waits,
    and nobody holds two seats at the same time."""
    from sqlalchemy import select

    from app.extensions import db
    from app.program.models import Seat, Session

    sessions = {s.id: s for s in db.session.scalars(select(Session).execution_options(populate_existing=True))}
    rows = db.session.scalars(select(Seat)).all()
    for s in sessions.values():
        seated = sum(1 for r in rows if r.session_id == s.id and r.status == "seated")
        waiting = sum(1 for r in rows if r.session_id == s.id and r.status == "waiting")
        assert (s.seats_taken, s.waitlist_length) == (seated, waiting), s.slug
        if s.capacity is not None:
            assert seated <= s.capacity, s.slug
            assert waiting == 0 or seated == s.capacity, s.slug  # a free seat never waits
    for person in {r.registration_id for r in rows}:
        mine = [sessions[r.session_id] for r in rows if r.registration_id == person and r.status == "seated"]
        assert not any(x.overlaps(y) for i, x in enumerate(mine) for y in mine[i + 1:]), person


# Factories: each test builds the event, rooms, sessions and delegates it relies on, so that the
# demo's program.toml may change (sessions renamed, removed, resized) without breaking a test.
# `build_*` work in the app context that is pushed; the `make_*` fixtures return callables that
# use the test's app context when one is pushed (the test commits, as the code under test would)
# and otherwise push their own and commit, returning what they built detached with its columns loaded.

UB = ZoneInfo("Asia/Ulaanbaatar")
OPEN = datetime.fromisoformat(BEFORE_DEADLINE)  # delegates built by the factories registered then
AUTO = object()  # capacity: 2 where delegates sign up, none elsewhere
SIGNUP_BY_KIND = {"breakout": "open", "meeting": "invitation"}  # plenaries, breaks, social: "none"
_serial = itertools.count(1)


def at(moment: str) -> datetime:
    """'2017-05-25 14:00', Ulaanbaatar time (the event's zone)."""
    return datetime.fromisoformat(moment).replace(tzinfo=UB)


def i18n_text(value, default: str) -> I18nText:
    """An I18nText from a dict of languages, a string (for both languages), or the default."""
    if value is None:
        value = default
    return I18nText(value if isinstance(value, dict) else {"en": value, "mn": value})


def program_changed(event_id: int) -> None:
    """Raise the event's program version, as every change to the program does (cached pages go)."""
    db.session.execute(sa.update(Event).where(Event.id == event_id).values(program_version=Event.program_version + 1))


def build_event(**fields) -> Event:
    """An event with no sessions: the demo's facts and pages (event.toml and its PAGE.LANG.md files,
    never program.toml), with `fields` set on top."""
    event = read_event(current_app.config["DEMO_CONTENT"])
    for name, value in fields.items():
        assert hasattr(Event, name), name
        setattr(event, name, value)
    db.session.add(event)
    db.session.flush()
    return event


def build_room(event: Event, slug: str | None = None, name=None) -> Room:
    slug = slug or f"room-{next(_serial)}"
    room = Room(event_id=event.id, slug=slug, name=i18n_text(name, f"Room {slug}"))
    db.session.add(room)
    db.session.flush()
    return room


def build_session(event: Event, slug: str | None = None, kind: str = "breakout", capacity=AUTO,
                  starts_at: datetime | None = None, ends_at: datetime | None = None, signup: str | None = None,
                  floor_language: str = "en", interpretation: bool = False, title=None, description=None,
                  speakers=None, room: Room | None = None) -> Session:
    """A session of `event`: by default an open 90-minute breakout with 2 seats at 14:00 on the
    first day, so that sessions built without times run in parallel."""
    slug = slug or f"session-{next(_serial)}"
    signup = signup or SIGNUP_BY_KIND.get(kind, "none")
    starts_at = starts_at or at("2017-05-25 14:00")
    session = Session(
        event_id=event.id, slug=slug, kind=kind, signup=signup,
        capacity=(2 if signup != "none" else None) if capacity is AUTO else capacity,
        starts_at=starts_at, ends_at=ends_at or starts_at + timedelta(minutes=90),
        floor_language=floor_language, interpretation=interpretation, room_id=room.id if room else None,
        title=i18n_text(title, f"Session {slug}"), description=i18n_text(description, ""),
        speakers=i18n_text(speakers, ""),
    )
    db.session.add(session)
    db.session.flush()
    program_changed(event.id)
    return session


def build_delegate(event: Event, name: str = "ana", **fields):
    """A delegate registered for `event` (pending, so active) through the registration service."""
    data = dict(given_name=name, family_name="X", email=f"{name}@example.org", phone="+34612345678",
                country="ES", organisation="P", language="en", days=["2017-05-25"])
    data.update(fields)
    return registration_services.register(event, data, OPEN)


def made(app, build):
    """`build()` in the test's app context if it is pushed, else in one of its own (see above)."""
    if has_app_context() and current_app._get_current_object() is app:
        return build()
    with app.app_context():
        built = build()
        db.session.commit()
        db.session.refresh(built)
        db.session.expunge(built)
        return built


@pytest.fixture
def make_event(app):
    """make_event(**fields) -> Event: see build_event."""
    return lambda **fields: made(app, lambda: build_event(**fields))


@pytest.fixture
def make_room(app, event):
    """make_room(slug=None, name=None) -> Room, in the test's event."""
    return lambda **fields: made(app, lambda: build_room(db.session.get(Event, event), **fields))


@pytest.fixture
def make_session(app, event):
    """make_session(slug=None, kind="breakout", capacity=2, starts_at=..., ends_at=..., signup="open",
    floor_language="en", interpretation=False, title=..., description=..., speakers=..., room=None)
    -> Session, in the test's event (see build_session). It raises the program version, so pages
    served before it are not reused."""
    return lambda **fields: made(app, lambda: build_session(db.session.get(Event, event), **fields))


@pytest.fixture
def make_delegate(app, event):
    """make_delegate(name="ana", **registration_fields) -> Registration, registered on 1 May 2017."""
    return lambda name="ana", **fields: made(app, lambda: build_delegate(db.session.get(Event, event), name, **fields))


HOST_PASSWORD = "seven blue yaks at dawn"  # long and uncommon: the password policy accepts it


def build_host(email: str = "coordinator@example.org", role: str = "coordinator", password: str = HOST_PASSWORD,
               active: bool = True):
    """A hosts' console account, created as `flask portal create-host` does."""
    host = host_services.create_host(email, role, password, None, OPEN)
    host.active = active
    db.session.flush()
    return host


@pytest.fixture
def make_host(app):
    """make_host(email="coordinator@example.org", role="coordinator", password=HOST_PASSWORD, active=True) -> Host."""
    return lambda **fields: made(app, lambda: build_host(**fields))


def sign_in_host(client, email: str = "coordinator@example.org", password: str = HOST_PASSWORD, lang: str = "en",
                 next_path: str | None = None):
    """What a host does: open the console's login page, then send the form."""
    page = client.get(f"/{lang}/hosts/login")
    query = {"next": next_path} if next_path else {}
    return client.post(f"/{lang}/hosts/login", query_string=query,
                       data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))})


def use_link(client, link: str):
    """What a delegate does with an emailed link: open it, then press «Sign in on this device»."""
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


@contextmanager
def gunicorn(app, workers: int = 2, threads: int = 1, **settings):
    """The portal under gunicorn on the test's database, its clock before the deadline; yields the URL."""
    port = free_port()
    env = dict(os.environ, PORTAL_ENV="testing", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY=app.config["SECRET_KEY"], PORTAL_NOW=BEFORE_DEADLINE, PORTAL_URL=app.config["PORTAL_URL"],
               MAIL_OUTBOX=str(app.config["MAIL_OUTBOX"]), **settings)
    process = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--worker-class", "gthread" if threads > 1 else "sync", "--bind", f"127.0.0.1:{port}",
         "--no-control-socket", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(15)
