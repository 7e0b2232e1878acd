"""Fixtures: an app on a fresh, migrated database, clients, and factories."""
import re
import shutil

import pytest
from flask_migrate import upgrade

from app import create_app
from app.config import Config
from app.events.content import load_demo
from app.extensions import db


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    RATELIMIT_ENABLED = False
    HTMX_FROM_CDN = True


def make_app(database_path, **settings):
    return create_app(
        TestConfig,
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}", **settings},
    )


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database file that the migrations built once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "portal.sqlite3"
    app = make_app(path)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def app(migrated_database, tmp_path):
    path = tmp_path / "portal.sqlite3"
    shutil.copy(migrated_database, path)
    app = make_app(path, MAIL_OUTBOX=tmp_path / "outbox")
    yield app
    with app.app_context():
        db.engine.dispose()


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
