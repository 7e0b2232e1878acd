"""The nginx site in deploy/ in front of two gunicorn instances, as production runs them: Debian's
nginx started from a temporary folder on a free port, the site's own file with its paths and
ports pointed here."""
import gzip
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import free_port, gunicorn
from tests.stack import nginx_site

@pytest.fixture
def nginx(app, event, tmp_path):
    """The site in front of two instances of the portal; yields its URL and its folder."""
    with gunicorn(app, FORWARDED_PROXIES="1") as first, gunicorn(app, FORWARDED_PROXIES="1") as second:
        with nginx_site(tmp_path, [first.removeprefix("http://"), second.removeprefix("http://")]) as url:
            yield url, tmp_path


def fetch(url, **headers):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)
    except urllib.error.HTTPError as error:
        return error


def test_pages_are_gzipped_and_static_files_kept_for_a_year(nginx):
    url, _ = nginx
    page = fetch(url + "/mn/", **{"Accept-Encoding": "gzip"})
    assert page.status == 200 and page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.read()).decode()
    stylesheet = html.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert "?v=" in stylesheet
    css = fetch(url + stylesheet)
    assert css.status == 200 and "immutable" in css.headers["Cache-Control"] and "max-age=31536000" in css.headers["Cache-Control"]


def test_nginx_answers_with_the_portals_own_pages_in_both_languages(nginx):
    url, _ = nginx
    too_large = urllib.request.Request(url + "/en/register", data=b"x" * 300_000, method="POST")
    try:
        urllib.request.urlopen(too_large, timeout=10)
        raise AssertionError("a 300 KB form was accepted")
    except urllib.error.HTTPError as error:
        body = error.read().decode()
        assert error.code == 413 and "Too much data" in body and "Хэт их өгөгдөл" in body


def test_the_access_log_keeps_no_private_link(nginx):
    url, folder = nginx
    fetch(url + "/en/me/link/the-secret-token-itself")
    time.sleep(0.2)
    log = (folder / "access.log").read_text(encoding="utf-8")
    assert '"GET /en/me/link/..."' in log and "the-secret-token-itself" not in log


def test_with_no_instance_up_the_reader_gets_the_portals_page(app, event, tmp_path):
    """The site's error page for 502/503/504, checked against upstreams where nothing listens."""
    nowhere = f"127.0.0.1:{free_port()}"
    with nginx_site(tmp_path, [nowhere]) as url:
        response = fetch(url + "/en/")
        body = response.read().decode()
    assert response.code == 502  # nginx could not reach an instance: the portal's page for it
    assert "Not ready yet" in body and "Хараахан бэлэн болоогүй" in body
