"""Browser tests: the portal served on loopback, Chromium driven by Playwright at a phone's size."""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.program.content import load_demo
from app.extensions import db
from tests.conftest import copy_database, dispose, drop_database, make_app

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium where it is installed (a browser download is not reachable everywhere)."""
    args = dict(browser_type_launch_args)
    if CHROMIUM.exists():
        args["executable_path"] = str(CHROMIUM)
    args["args"] = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ]
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE}


class LiveServer:
    """The portal on a free loopback port, in a thread of the test process."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="session")
def live_server(migrated_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    database = copy_database(migrated_database, folder)
    app = make_app(database, HTMX_FROM_CDN=True, MAIL_OUTBOX=folder / "outbox",
                   PORTAL_NOW="2017-05-01T10:00:00+08:00")
    with app.app_context():
        load_demo(app.config["DEMO_CONTENT"])
        db.session.commit()
    with LiveServer(app) as server:
        app.config["PORTAL_URL"] = server.url  # links in emails lead back to this server
        server.outbox = folder / "outbox"
        yield server
    dispose(app)
    drop_database(database)


CDN = "https://cdn.jsdelivr.net/**"


@pytest.fixture(autouse=True)
def cdn_unreachable(request):
    """Tests never wait on the real CDN: its requests fail at once, as behind a firewall."""
    if "context" in request.fixturenames:
        request.getfixturevalue("context").route(CDN, lambda route: route.abort())


@pytest.fixture
def no_js_page(browser):
    """A phone with JavaScript switched off."""
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def register_in(page, live_server, email, lang, **fields):
    """Register from the form, as a delegate does, and land on «My registration»."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/{lang}/register")
    fill_the_form(page, email, lang, **fields)
    page.locator("#registration-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/{lang}/me")


def fill_the_form(page, email, lang, country="NG", phone="+234 802 123 4567"):
    """What a delegate types into the registration form (given name Amara, family name Okafor)."""
    page.fill("#given_name", "Amara")
    page.fill("#family_name", "Okafor")
    page.fill("#organisation", "Progressive Party")
    page.select_option("#country", country)
    page.fill("#email", email)
    page.fill("#phone", phone)
    page.select_option("#language", lang)
    page.check("#privacy_consent")
