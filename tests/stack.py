"""The servers production runs, started by the tests from Debian's packages on free loopback ports:
PostgreSQL (tests/postgres.sh), Redis, nginx with deploy/nginx/portal.conf, portal instances
under gunicorn with gunicorn.conf.py, the mail sender, and an SMTP server (aiosmtpd).
`production_stack()` puts them together as deploy/ describes (tests/production/, bench/)."""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import ROOT
from tests.conftest import Inbox, TestConfig, dispose, free_port

BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def require(tool: str | None, name: str) -> None:
    """Fail under CI (`make test` installs every server), skip elsewhere."""
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: `make test` installs it")
        pytest.skip(f"{name} is missing: run `make test`")


def wait_for(url: str, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    """Until `url` answers (any status); fails if `process` ends first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up")
            time.sleep(0.1)


@contextmanager
def redis_server():
    """A throwaway Redis on loopback; yields its URL."""
    server = shutil.which("redis-server")
    require(server, "redis-server")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() != "PONG":
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("redis-server did not start")
        time.sleep(0.1)
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def nginx_site(folder: Path, upstreams: list[str], port: int | None = None):
    """Debian's nginx with deploy/nginx/portal.conf, its paths and upstreams pointed here; yields its URL."""
    require(NGINX, "nginx")
    port = port or free_port()
    text = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
    servers = "".join(f"    server {upstream} max_fails=1 fail_timeout=5s;\n" for upstream in upstreams)
    text = (text.replace("listen 80;", f"listen 127.0.0.1:{port};")
            .replace("    server 127.0.0.1:8001 max_fails=1 fail_timeout=5s;\n"
                     "    server 127.0.0.1:8002 max_fails=1 fail_timeout=5s;\n", servers)
            .replace("/srv/portal", str(ROOT))
            .replace("/var/log/nginx/portal.access.log", str(folder / "access.log")))
    assert servers in text, "deploy/nginx/portal.conf no longer names its upstreams as this expects"
    (folder / "portal.conf").write_text(text, encoding="utf-8")
    temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(
        f"worker_processes 1; error_log {folder}/error.log; pid {folder}/nginx.pid;\n"
        f"events {{ worker_connections 2048; }}\n"
        f"http {{ include /etc/nginx/mime.types; {temp} include {folder}/portal.conf; }}\n", encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/static/favicon.svg", process, timeout=10)  # nginx itself answers this
        yield url
    finally:
        process.terminate()
        process.wait(10)


class Instance:
    """One portal instance: gunicorn with gunicorn.conf.py on its own port, as
    deploy/systemd/portal@.service starts it, in its own process group (so that it can be killed whole)."""

    def __init__(self, env: dict, port: int | None = None):
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> "Instance":
        self.process = subprocess.Popen(
            [BIN / "gunicorn", "--config", ROOT / "gunicorn.conf.py", "--no-control-socket", "--log-level", "warning",
             "wsgi:app"], cwd=ROOT, env={**self.env, "PORT": str(self.port)}, start_new_session=True)
        wait_for(self.url + "/healthz", self.process)
        return self

    def kill(self) -> None:
        """SIGKILL to every process of the instance at once: a machine that lost its power."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


class Sender:
    """`flask portal send-mail`, as deploy/systemd/portal-mail.service runs it."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        with open(log, "ab") as output:
            self.process = subprocess.Popen([BIN / "flask", "portal", "send-mail", "--interval", "0.5"], cwd=ROOT,
                                            env=env, stdout=output, stderr=output)

    def sent(self) -> int:
        """How many messages this sender says it handed to the mail server (its log)."""
        return self.log.read_text(encoding="utf-8").count(" sent, attempt ")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


class MailServer:
    """A real SMTP server on loopback (aiosmtpd) that can be taken away and brought back on its port."""

    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def copies(self) -> dict[str, int]:
        """How many copies of each Message-ID arrived."""
        counted = {}
        for message in list(self.inbox.messages):
            counted[message["Message-ID"]] = counted.get(message["Message-ID"], 0) + 1
        return counted


class Postgres:
    """A throwaway PostgreSQL cluster (tests/postgres.sh), which a test may stop and start."""

    def __init__(self):
        require(shutil.which("runuser") if os.geteuid() == 0 else None, "root (PostgreSQL runs as the postgres user)")
        folder, self.server_url = subprocess.run(["bash", ROOT / "tests" / "postgres.sh"], capture_output=True,
                                                 text=True, check=True).stdout.split()
        self.folder = Path(folder)
        self.pg_ctl = Path((self.folder / "pgbin").read_text().strip()) / "pg_ctl"

    def database(self, name: str) -> str:
        """A new, empty database on this server; its URL."""
        engine = sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return sa.make_url(self.server_url).set(database=name).render_as_string(False)

    def stop(self) -> None:
        """A fast shutdown, as a restart or an upgrade does: open transactions are rolled back."""
        self._ctl("stop", "-m", "fast")

    def start(self) -> None:
        self._ctl("start", "-l", str(self.folder / "log"), "-o", (self.folder / "options").read_text().strip())

    def _ctl(self, action: str, *options: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", self.pg_ctl, "-D", self.folder / "data", "-w", *options, action],
                       check=True, capture_output=True, timeout=60)

    def remove(self) -> None:
        subprocess.run(["bash", ROOT / "tests" / "postgres.sh", "stop", self.folder], check=False)


@dataclass
class Stack:
    """What `production_stack()` started."""

    url: str  # nginx
    app: object  # the portal's app in the test process, on the same database, for building and checking data
    instances: list[Instance]
    senders: list[Sender]
    postgres: Postgres
    mail: MailServer
    env: dict
    folder: Path

    def start_senders(self, count: int) -> None:
        self.senders.extend(Sender(self.env, self.folder / f"sender-{len(self.senders) + n}-{time.monotonic_ns()}.log")
                            for n in range(count))

    def wait_for_mail(self, message_ids, timeout: float) -> dict[str, int]:
        """Until every message in `message_ids` has reached the SMTP server, and a moment longer
        (a copy would come then); how many copies of each message arrived."""
        deadline = time.monotonic() + timeout
        while not set(message_ids) <= set(self.mail.copies()):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(2)
        return self.mail.copies()

    def upstreams_in_log(self) -> dict[str, int]:
        """How many requests nginx passed to each instance (the access log's upstream field)."""
        counted = {}
        for line in (self.folder / "access.log").read_text(encoding="utf-8").splitlines():
            upstream = line.rsplit(" ", 1)[-1]
            counted[upstream] = counted.get(upstream, 0) + 1
        return counted


@contextmanager
def production_stack(folder: Path, instances: int = 2, senders: int = 1, **settings):
    """PostgreSQL, Redis, `instances` portal instances with PORTAL_ENV=production behind nginx,
    `senders` mail senders and an SMTP server; the portal migrated and holding no event yet."""
    with ExitStack() as stack:
        postgres = Postgres()
        stack.callback(postgres.remove)
        database_url = postgres.database("portal")
        redis_url = stack.enter_context(redis_server())
        mail = MailServer()
        mail.start()
        stack.callback(lambda: mail.controller and mail.stop())
        nginx_port = free_port()
        env = dict(
            os.environ, PORTAL_ENV="production", FLASK_APP="wsgi.py", SECRET_KEY=secrets.token_hex(32),
            DATABASE_URL=database_url, TRUSTED_HOSTS="127.0.0.1,localhost", PORTAL_URL=f"http://127.0.0.1:{nginx_port}",
            MAIL_SERVER="127.0.0.1", MAIL_PORT=str(mail.port), RATELIMIT_STORAGE_URI=redis_url, FORWARDED_PROXIES="1",
            RATELIMIT_REGISTER="100000/minute", **settings)
        subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": env["SECRET_KEY"]})
        stack.callback(dispose, app)
        started = [Instance(env) for _ in range(instances)]
        for instance in started:
            instance.start()
            stack.callback(instance.stop)
        url = stack.enter_context(nginx_site(folder, [f"127.0.0.1:{i.port}" for i in started], nginx_port))
        started_stack = Stack(url, app, started, [], postgres, mail, env, folder)
        started_stack.start_senders(senders)
        stack.callback(lambda: [sender.stop() for sender in started_stack.senders])
        yield started_stack
