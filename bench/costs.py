"""Where a page's time goes, in-process (Flask's test client, no network); writes docs/benchmarks.md.

    .venv/bin/python bench/costs.py [--requests 300] [PATH ...]

For each page: the median time of a request when the page is rendered afresh (the kept copy
dropped before each request) and when it is kept (app/page_cache.py), and, for the fresh
render, the share of the time cProfile finds in Jinja's rendering and in the database.
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
from app import create_app  # noqa: E402
from app.page_cache import pages  # noqa: E402
from bench.pages import REPORT, write_section  # noqa: E402
from bench.serve import portal_environment, scratch_folder  # noqa: E402

PATHS = ["/en/", "/mn/info", "/mn/register", "/en/program.json", "/en/program", "/en/program?with=mn"]
TEMPLATES = ("jinja2/environment.py", "render")
DATABASE = ("sqlalchemy/engine/base.py", "_execute_context")


def timed(client, app, path: str, requests: int, fresh: bool) -> float:
    times = []
    for _ in range(requests):
        if fresh:
            with app.app_context():
                pages().pages.clear()
        began = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def shares(client, app, path: str, requests: int) -> tuple[float, float]:
    """The fractions of a fresh request's time spent rendering templates and in the database."""
    profile = cProfile.Profile()
    for _ in range(requests):
        with app.app_context():
            pages().pages.clear()
        profile.enable()
        client.get(path)
        profile.disable()
    stats = pstats.Stats(profile).stats
    total = sum(c for (_, _, name), (_, _, _, c, _) in stats.items() if name == "wsgi_app")

    def cumulative(where):
        return sum(c for (file, _, name), (_, _, _, c, _) in stats.items() if file.endswith(where[0]) and name == where[1])

    return cumulative(TEMPLATES) / total, cumulative(DATABASE) / total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("paths", nargs="*", default=PATHS)
    args = parser.parse_args()
    rows = []
    with scratch_folder() as folder:
        env = portal_environment(folder)
        app = create_app(settings={"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                                   "PORTAL_NOW": env["PORTAL_NOW"], "RATELIMIT_ENABLED": False})
        client = app.test_client()
        for path in args.paths:
            timed(client, app, path, 20, False)  # warm up
            fresh, kept = timed(client, app, path, args.requests, True), timed(client, app, path, args.requests, False)
            templates, database = shares(client, app, path, max(args.requests // 3, 50))
            rows.append((path, fresh, kept, templates, database))
            print(f"{path}: fresh {fresh:.2f} ms, kept {kept:.2f} ms; templates {templates:.0%}, database {database:.0%}",
                  flush=True)
    command = f".venv/bin/python bench/costs.py --requests {args.requests}"
    lines = [
        "## Where the time goes",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}`: the portal in-process "
        "(Flask's test client, SQLite, no network), median of the requests. *Fresh*: the kept copy dropped "
        "before each request, so the page is rendered; *kept*: served from app/page_cache.py. The shares are "
        "cProfile's cumulative time of a fresh request in Jinja's rendering (templates, gettext, url_for) and "
        "in SQLAlchemy's statement execution.",
        "",
        "| page | fresh | kept | fresh ÷ kept | templates | database |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for path, fresh, kept, templates, database in rows:
        lines.append(f"| `{path}` | {fresh:.2f} ms | {kept:.2f} ms | {fresh / kept:.1f} | {templates:.0%} | {database:.0%} |")
    lines += ["", "Rendering is the cost: what is the same for every reader is rendered once per version and "
              "language, and a request then reads the versions (one indexed row, through the driver) and "
              "copies the page. A kept request's remaining time is Flask's own work and the portal's "
              "response hooks (security headers, request id)."]
    write_section(REPORT, "## Where the time goes", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
