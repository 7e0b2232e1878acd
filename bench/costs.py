"""Where a page's time goes, in-process (Flask's test client, no network); writes docs/benchmarks.md.

    .venv/bin/python bench/costs.py [--requests 300] [--joins 200] [PATH ...]

For each page: the median time of a request when the page is rendered afresh (every kept copy and
piece dropped before each request) and when it is kept (app/page_cache.py), and, for the fresh
render, the share of the time cProfile finds in Jinja's rendering and in the database (SQLAlchemy's
statements, and the reads that go to the driver directly). A path marked `(signed in)` is read
with the cookie of a delegate who holds one seat. Then joins: JOINS delegates each post *join*
once (a plain form, a 303), and the time from the write transaction's first statement (SQLite's
write lock) to its commit is measured apart.
"""
import argparse
import cProfile
import pstats
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sqlalchemy import event as sa_event, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.pages import HELD, REPORT, SIGNED_IN, delegate_cookie, reading, write_section  # noqa: E402
from bench.serve import portal_environment, scratch_folder  # noqa: E402

PATHS = ["/en/", "/mn/info", "/mn/register", "/en/program.json", "/en/program", "/en/program?with=mn",
         "/en/program" + SIGNED_IN, "/mn/program" + SIGNED_IN, "/en/me" + SIGNED_IN, "/mn/me" + SIGNED_IN]
TEMPLATES = [("jinja2/environment.py", "render")]
DATABASE = [("sqlalchemy/engine/base.py", "_execute_context"), ("app/delegates/services.py", "through_driver"),
            ("app/events/services.py", "current_versions")]
HEADING = "## Where the time goes"


def drop_kept(app) -> None:
    for name in ("page_cache", "piece_cache", "own_page_cache"):
        store = app.extensions.get(name)
        if store is not None:
            store.pages.clear()


def timed(client, app, path: str, headers: dict, requests: int, fresh: bool) -> float:
    times = []
    for _ in range(requests):
        if fresh:
            drop_kept(app)
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def shares(client, app, path: str, headers: dict, requests: int) -> tuple[float, float]:
    """The fractions of a fresh request's time spent rendering templates and in the database."""
    profile = cProfile.Profile()
    for _ in range(requests):
        drop_kept(app)
        profile.enable()
        client.get(path, headers=headers)
        profile.disable()
    stats = pstats.Stats(profile).stats
    total = sum(c for (_, _, name), (_, _, _, c, _) in stats.items() if name == "wsgi_app")

    def cumulative(places):
        return sum(c for (file, _, name), (_, _, _, c, _) in stats.items()
                   if any(file.endswith(where) and name == function for where, function in places))

    return cumulative(TEMPLATES) / total, cumulative(DATABASE) / total


def join_costs(env: dict, joins: int) -> dict:
    """JOINS delegates join a breakout one after another (plain forms): the request's time and its
    write transaction's, from the first statement to the commit."""
    from itsdangerous import URLSafeTimedSerializer

    from app.events.models import Event
    from app.program.models import Session
    from app.registration import services as registration
    from app.registration.models import SignIn

    app = create_app(settings=settings(env))
    with app.app_context():
        event = db.session.scalars(select(Event)).first()
        db.session.scalar(select(Session).filter_by(slug=HELD)).capacity = joins // 10
        people = [registration.register(event, dict(
            given_name=f"D{i}", family_name="X", email=f"joins{i}@example.org", phone="+34612345678", country="ES",
            organisation="P", language="en", days=["2017-05-25"]), datetime(2017, 5, 1, tzinfo=timezone.utc))
            for i in range(joins)]
        devices = [registration.sign_in(person, SignIn.FORM) for person in people]
        db.session.commit()
        engine = db.engine
    cookies = app.session_interface.get_signing_serializer(app)
    tokens = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    began, held = {}, []
    listeners = {"begin": lambda connection: began.update(at=time.perf_counter()),
                 "commit": lambda connection: held.append(time.perf_counter() - began.pop("at"))}
    for name, listener in listeners.items():
        sa_event.listen(engine, name, listener)
    times = []
    for index, device in enumerate(devices):
        client = app.test_client()
        client.set_cookie("session", cookies.dumps({"delegate": device, "csrf_token": f"raw-{index}"}))
        start = time.perf_counter()
        response = client.post(f"/en/program/{HELD}/join", data={"csrf_token": tokens.dumps(f"raw-{index}")})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 303, response.status_code
    for name, listener in listeners.items():
        sa_event.remove(engine, name, listener)
    return dict(request=statistics.median(times), transaction=statistics.median(held) * 1000, joins=joins)


def settings(env: dict) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
            "PORTAL_NOW": env["PORTAL_NOW"], "RATELIMIT_ENABLED": False}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--joins", type=int, default=200)
    parser.add_argument("paths", nargs="*", default=PATHS)
    args = parser.parse_args()
    joins = None
    if args.joins:  # first: a process that has kept many pages spends longer in its garbage collector
        with scratch_folder() as folder:
            joins = join_costs(portal_environment(folder), args.joins)
        print(f"joins: request {joins['request']:.2f} ms, write transaction {joins['transaction']:.2f} ms", flush=True)
    rows = []
    with scratch_folder() as folder:
        env = portal_environment(folder)
        cookie = delegate_cookie(env)
        app = create_app(settings=settings(env))
        client = app.test_client(use_cookies=False)  # each request sends what wrk sends: no cookie, or the reader's
        for label in args.paths:
            path, headers = reading(label, cookie)
            headers = headers or {}
            timed(client, app, path, headers, 20, False)  # warm up
            fresh = timed(client, app, path, headers, args.requests, True)
            kept = timed(client, app, path, headers, args.requests, False)
            templates, database = shares(client, app, path, headers, max(args.requests // 3, 50))
            rows.append((label, fresh, kept, templates, database))
            print(f"{label}: fresh {fresh:.2f} ms, kept {kept:.2f} ms; templates {templates:.0%}, database {database:.0%}",
                  flush=True)
    write_report(rows, joins, args)


def write_report(rows, joins, args) -> None:
    command = f".venv/bin/python bench/costs.py --requests {args.requests} --joins {args.joins}"
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}`: the portal in-process "
        "(Flask's test client, SQLite, no network), median of the requests. *Fresh*: every kept page and piece "
        "dropped before each request, so the page is rendered; *kept*: made from app/page_cache.py. The shares are "
        "cProfile's cumulative time of a fresh request in Jinja's rendering (templates, gettext, url_for) and in "
        "the database (SQLAlchemy's statements and the reads that go to the driver). *Signed in*: with the cookie "
        "of a delegate who holds one seat.",
        "",
        "| page | fresh | kept | fresh ÷ kept | templates | database |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, fresh, kept, templates, database in rows:
        path, signed_in = label.removesuffix(SIGNED_IN), label.endswith(SIGNED_IN)
        lines.append(f"| `{path}`{', signed in' if signed_in else ''} | {fresh:.2f} ms | {kept:.2f} ms | "
                     f"{fresh / kept:.1f} | {templates:.0%} | {database:.0%} |")
    lines += ["", "Rendering is the cost of a page made afresh; a kept one is Flask's own work, the portal's response "
              "hooks and the reads that decide which page or pieces it gets (the versions; signed in, the delegate "
              "with their places), through the driver, and a signed-in reader's form token."]
    if joins:
        lines += ["", f"A join ({joins['joins']} delegates one after another, plain forms): **{joins['request']:.2f} ms** "
                  f"a request, of which **{joins['transaction']:.2f} ms** in its write transaction (from its first "
                  "statement, when SQLite's write lock is taken, to its commit: what a rush of joins waits on)."]
    write_section(REPORT, HEADING, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
