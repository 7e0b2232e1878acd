"""Security basics: CSP with the pinned htmx file, cookie flags, secrets, hostile requests."""
import base64
import hashlib

import pytest

from app import create_app, htmx
from app.config import ROOT, ProductionConfig


def test_csp_allows_only_the_site_and_the_pinned_htmx(client, event):
    response = client.get("/en/")
    csp = response.headers["Content-Security-Policy"]
    assert f"script-src 'self' {htmx.CDN_URL};" in csp
    assert "unsafe-inline" not in csp
    html = response.get_data(as_text=True)
    assert f'<script src="{htmx.CDN_URL}" integrity="{htmx.INTEGRITY}" crossorigin="anonymous">' in html
    assert f'data-htmx="/static/{htmx.LOCAL_FILE}"' in html
    assert '<link rel="preconnect" href="https://cdn.jsdelivr.net" crossorigin>' in html  # opened early
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_local_htmx_copy_matches_the_pinned_hash():
    data = (ROOT / "app" / "static" / htmx.LOCAL_FILE).read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert htmx.INTEGRITY == f"sha384-{digest}"
    assert f"version:\"{htmx.VERSION}\"" in data.decode().replace(" ", "")


def test_htmx_from_cdn_off_serves_the_local_copy_only(migrated_database, tmp_path):
    from tests.conftest import dispose, make_app

    app = make_app(migrated_database, HTMX_FROM_CDN=False)
    response = app.test_client().get("/healthz")
    dispose(app)
    assert "cdn.jsdelivr.net" not in response.headers["Content-Security-Policy"]
    with app.test_request_context("/en/"):
        from flask import render_template

        html = render_template("errors/error.html", status=404, title="t", message="m")
    assert "cdn.jsdelivr.net" not in html
    assert f'<script src="/static/{htmx.LOCAL_FILE}"></script>' in html


PRODUCTION = {"SECRET_KEY": "x" * 32, "TRUSTED_HOSTS": ["localhost"], "MAIL_SERVER": "mail.example.org",
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1", "PORTAL_URL": "https://localhost"}


def test_production_requires_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, {**PRODUCTION, "SECRET_KEY": None})


def test_production_cookies_are_secure(migrated_database):
    from tests.conftest import database_url, dispose

    app = create_app(ProductionConfig, {**PRODUCTION, "SQLALCHEMY_DATABASE_URI": database_url(migrated_database)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    response = app.test_client().get("/healthz")
    dispose(app)
    assert "Strict-Transport-Security" in response.headers


def test_overlong_query_string_is_a_414_in_the_readers_language(client, event):
    response = client.get("/mn/info?q=" + "x" * 5000)
    assert response.status_code == 414
    assert "Хаяг хэт урт байна" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/%FF%FE/", "/en/%00", "/en/info%00", "/../../etc/passwd", "/en/<script>", "/en/" + "a" * 3000, "/мн/"],
)
def test_odd_paths_are_404s(client, event, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "<script>" not in response.get_data(as_text=True).split("<body>")[1].split("</main>")[0]


def test_post_to_a_page_is_refused_without_a_500(client, event):
    response = client.post("/en/", data={"x": "1"})
    assert response.status_code in (400, 405)


def test_huge_headers_do_not_break_a_page(client, event):
    response = client.get("/mn/", headers={"X-Filler": "z" * 16000, "Cookie": "lang=" + "m" * 4000})
    assert response.status_code == 200


def test_production_requires_trusted_hosts(migrated_database):
    from tests.conftest import database_url

    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS"):
        create_app(ProductionConfig, {**PRODUCTION, "TRUSTED_HOSTS": None,
                                      "SQLALCHEMY_DATABASE_URI": database_url(migrated_database)})


def test_a_forged_host_is_refused_when_hosts_are_configured(app, client, event):
    app.config["TRUSTED_HOSTS"] = ["portal.example.org"]
    assert client.get("/en/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/en/", headers={"Host": "portal.example.org"}).status_code == 200


def test_the_cached_program_page_is_kept_per_host(client, event):
    client.get("/en/program", headers={"Host": "evil.example"})
    html = client.get("/en/program").get_data(as_text=True)
    assert "evil.example" not in html


def test_an_unknown_host_is_told_in_the_readers_language(app, client, event):
    app.config["TRUSTED_HOSTS"] = ["portal.example.org"]
    response = client.get("/mn/", headers={"Host": "evil.example", "Accept-Language": "mn"})
    assert response.status_code == 400
    assert "Буруу хүсэлт" in response.get_data(as_text=True)
