"""Start the portal and the baseline under gunicorn on loopback, for the scripts beside this one."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def portal_environment(folder: Path, root: Path = ROOT) -> dict:
    """A fresh SQLite database with the demo event, the clock before the deadline, no rate limits
    (made by the portal in `root`: this tree, or another one to compare with)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        FLASK_APP="wsgi.py",
        RATELIMIT_ENABLED="false",
        PORTAL_NOW="2017-05-01T09:00:00+08:00",
        SECRET_KEY="bench",
        MAIL_SERVER="",
    )
    subprocess.run([BIN / "flask", "db", "upgrade"], cwd=root, env=env, check=True, capture_output=True)
    subprocess.run([BIN / "flask", "portal", "load-demo"], cwd=root, env=env, check=True, capture_output=True)
    return env


@contextmanager
def gunicorn(app: str, env: dict, probe: str = "/", root: Path = ROOT):
    """Serve `app` (of the portal in `root`) with gunicorn (WORKERS sync workers); yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [BIN / "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
         "--no-control-socket", "--log-level", "warning", app],
        cwd=root, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + probe)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def scratch_folder():
    """A temporary folder for one measurement's database."""
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def servers():
    """The baseline and the portal, side by side; yields (hello_url, portal_url, portal environment)."""
    with scratch_folder() as folder:
        env = portal_environment(folder)
        with gunicorn("bench.hello:app", env) as hello, gunicorn("wsgi:app", env, "/healthz") as portal:
            yield hello, portal, env
