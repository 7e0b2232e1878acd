"""Fixtures: an app on a fresh, migrated database, clients, and factories.

SQLite by default. With TEST_DATABASE_URL (a PostgreSQL server's URL, as `.ci/run` sets it)
each test gets its own PostgreSQL database, copied from a migrated template.
"""
import os
import re
import shutil
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.config import Config
from app.program.content import load_demo
from app.extensions import db


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    RATELIMIT_ENABLED = False
    HTMX_FROM_CDN = True


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
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
def event(app):
    """The demo event, loaded from the content folder."""
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
        """Run the sender once; returns how many messages it delivered."""
        from app.mail.sender import send_due

        with self.app.app_context():
            return send_due()

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
