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
from pathlib import Path

import pytest

from app.config import ROOT
from tests.conftest import free_port, gunicorn

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.fixture
def nginx(app, event, tmp_path):
    """nginx with deploy/nginx/portal.conf, proxying to two instances of the portal; yields its URL."""
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: `make test` installs it")
        pytest.skip("nginx is missing: run `make test`")
    port = free_port()
    with gunicorn(app, FORWARDED_PROXIES="1") as first, gunicorn(app, FORWARDED_PROXIES="1") as second:
        site = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
        site = (site.replace("listen 80;", f"listen 127.0.0.1:{port};")
                .replace("127.0.0.1:8001", first.removeprefix("http://"))
                .replace("127.0.0.1:8002", second.removeprefix("http://"))
                .replace("/srv/portal", str(ROOT))
                .replace("/var/log/nginx/portal.access.log", str(tmp_path / "access.log")))
        (tmp_path / "portal.conf").write_text(site, encoding="utf-8")
        (tmp_path / "nginx.conf").write_text(f"""
worker_processes 1;
error_log {tmp_path}/error.log;
pid {tmp_path}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/portal.conf;
}}
""", encoding="utf-8")
        check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                    "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    process.kill()
                    raise
                time.sleep(0.1)
        try:
            yield url, tmp_path
        finally:
            process.terminate()
            process.wait(10)


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


def test_with_no_instance_up_the_reader_gets_the_portals_503(app, event, tmp_path):
    """The site's error page for 502/503/504, checked against an upstream that is not there."""
    if NGINX is None:
        pytest.skip("nginx is missing")
    site = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
    port, nowhere = free_port(), free_port()
    site = (site.replace("listen 80;", f"listen 127.0.0.1:{port};")
            .replace("127.0.0.1:8001", f"127.0.0.1:{nowhere}").replace("127.0.0.1:8002", f"127.0.0.1:{nowhere}")
            .replace("/srv/portal", str(ROOT)).replace("/var/log/nginx/portal.access.log", str(tmp_path / "access.log")))
    (tmp_path / "portal.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}} "
        f"http {{ include /etc/nginx/mime.types; client_body_temp_path {tmp_path}/b; proxy_temp_path {tmp_path}/p; "
        f"fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s; "
        f"include {tmp_path}/portal.conf; }}", encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                response = fetch(f"http://127.0.0.1:{port}/en/")
                break
            except urllib.error.URLError:  # nginx is not listening yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        body = response.read().decode()
        assert response.code == 502  # nginx could not reach an instance: the portal's page for it
        assert "Not ready yet" in body and "Хараахан бэлэн болоогүй" in body
    finally:
        process.terminate()
        process.wait(10)
