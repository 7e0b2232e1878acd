"""The nginx site in deploy/ in front of two gunicorn instances, as production runs them: Debian's
nginx started from a temporary folder on a free port, the site's own file with its paths and
ports pointed here."""
import gzip
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.config import ROOT
from tests.conftest import free_port, gunicorn

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def require_nginx():
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: `make test` installs it")
        pytest.skip("nginx is missing: run `make test`")


@contextmanager
def site(folder: Path, first: str, second: str):
    """Debian's nginx with deploy/nginx/portal.conf, its paths and upstream ports pointed here; yields its URL."""
    port = free_port()
    text = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
    text = (text.replace("listen 80;", f"listen 127.0.0.1:{port};")
            .replace("127.0.0.1:8001", first).replace("127.0.0.1:8002", second)
            .replace("/srv/portal", str(ROOT))
            .replace("/var/log/nginx/portal.access.log", str(folder / "access.log")))
    (folder / "portal.conf").write_text(text, encoding="utf-8")
    temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(
        f"worker_processes 1; error_log {folder}/error.log; pid {folder}/nginx.pid; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; {temp} include {folder}/portal.conf; }}\n", encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(url + "/static/favicon.svg", timeout=1)  # nginx itself answers this
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def nginx(app, event, tmp_path):
    """The site in front of two instances of the portal; yields its URL and its folder."""
    require_nginx()
    with gunicorn(app, FORWARDED_PROXIES="1") as first, gunicorn(app, FORWARDED_PROXIES="1") as second:
        with site(tmp_path, first.removeprefix("http://"), second.removeprefix("http://")) as url:
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
    require_nginx()
    nowhere = f"127.0.0.1:{free_port()}"
    with site(tmp_path, nowhere, nowhere) as url:
        response = fetch(url + "/en/")
        body = response.read().decode()
    assert response.code == 502  # nginx could not reach an instance: the portal's page for it
    assert "Not ready yet" in body and "Хараахан бэлэн болоогүй" in body
