"""Where a request's time goes, part by part, in-process; writes docs/benchmarks.md.

    .venv/bin/python bench/parts.py [--requests 3000] [--against DIR] [PATH ...]

Each PATH is answered REQUESTS times by a direct WSGI call (no server, no test client) on a fresh
SQLite database with the demo event, as a first visit (no cookie), and a timer is put around
every part Flask runs for it: each before- and after-request hook, the session's opening and
saving, the view, and the whole call; the table gives each part's median. A bare Flask "hello
world" is timed the same way. With `--against DIR` (another copy of the portal, such as
`git archive COMMIT | tar -x -C DIR`) that copy is measured too, in its own process.
"""
import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import REPORT, write_section  # noqa: E402
from bench.serve import ROOT, portal_environment, scratch_folder  # noqa: E402

PATHS = ["/en/", "/mn/register", "/en/program"]
HEADING = "## A request, part by part"
# Run in a child process whose first import path is the portal measured.
MEASURE = r'''
import functools, json, statistics, sys, time
from werkzeug.test import EnvironBuilder
import flask
from app import create_app

settings, paths, requests = json.loads(sys.argv[1])
app = create_app(settings=settings)
spent = {}

def timed(label, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent.setdefault(label, []).append(time.perf_counter() - began)
    return wrapper

for kind, table in (("before", app.before_request_funcs), ("after", app.after_request_funcs)):
    for blueprint, functions in table.items():
        table[blueprint] = [timed(f"{kind}: {f.__module__}.{f.__name__}", f) for f in functions]
interface = app.session_interface
interface.open_session = timed("session: open", interface.open_session)
interface.save_session = timed("session: save", interface.save_session)
app.dispatch_request = timed("the view", app.dispatch_request)

def call(target, path):
    environ = EnvironBuilder(path=path, headers={"Host": "127.0.0.1:5000"}).get_environ()
    body = target.wsgi_app(environ, lambda status, headers, exc_info=None: None)
    b"".join(body)
    getattr(body, "close", lambda: None)()

hello = flask.Flask("hello")
hello.route("/")(lambda: "Hello, World!")
results = {}
for label, target, path in [("hello world", hello, "/"), *((p, app, p) for p in paths)]:
    for _ in range(requests // 10):
        call(target, path)
    spent.clear()
    totals = []
    for _ in range(requests):
        began = time.perf_counter()
        call(target, path)
        totals.append(time.perf_counter() - began)
    results[label] = {"the whole request": statistics.median(totals) * 1e6}
    if target is app:  # (Flask's default session interface is shared by every app: hello world's is not timed)
        results[label].update({part: statistics.median(times) * 1e6 for part, times in spent.items()
                               if len(times) >= requests})
print(json.dumps(results))
'''


def measure(root: Path, paths: list[str], requests: int) -> dict:
    with scratch_folder() as folder:
        env = portal_environment(folder, root)
        settings = {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                    "PORTAL_NOW": env["PORTAL_NOW"], "RATELIMIT_ENABLED": False}
        done = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(root)!r})\n" + MEASURE,
                               json.dumps([settings, paths, requests])], cwd=root, env=env, check=True,
                              capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--against", type=Path, help="another copy of the portal, measured in its own process")
    parser.add_argument("paths", nargs="*", default=PATHS)
    args = parser.parse_args()
    this = measure(ROOT, args.paths, args.requests)
    before = measure(args.against.resolve(), args.paths, args.requests) if args.against else None
    command = f".venv/bin/python bench/parts.py --requests {args.requests}" + (
        f" --against {args.against}" if args.against else "")
    lines = [HEADING, "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}`: a direct WSGI call per "
             "request (no server), a first visit (no cookie), SQLite with the demo event; the median of each part "
             "in microseconds. A hook's time is its own; the view's includes what it calls (the versions' read, "
             "the kept page, the form token)."
             + (" *Before*: the portal in the folder named, in its own process, just after." if before else ""), ""]
    for label in ["hello world", *args.paths]:
        parts = sorted(set(this[label]) | set(before[label] if before else {}),
                       key=lambda part: (part != "the whole request", -this[label].get(part, 0)))
        lines += [f"`{label}`" if label != "hello world" else "hello world", "",
                  "| part | µs |" + (" before, µs |" if before else ""), "|---|---:|" + ("---:|" if before else "")]
        for part in parts:
            now = f"{this[label][part]:.0f}" if part in this[label] else "—"
            was = (f" {before[label][part]:.0f} |" if part in before[label] else " — |") if before else ""
            lines.append(f"| {part} | {now} |{was}")
        lines.append("")
    print("\n".join(lines))
    write_section(REPORT, HEADING, "\n".join(lines))


if __name__ == "__main__":
    main()
