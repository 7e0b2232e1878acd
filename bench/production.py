"""Measure the portal as deploy/ runs it: nginx in front of one and of two instances (gunicorn with
gunicorn.conf.py) on PostgreSQL and Redis, started by tests/stack.py; writes docs/benchmarks.md.

    .venv/bin/python bench/production.py [--seconds 10] [--delegates 300] [--capacity 30]

Both instances run all along; one nginx passes to the first only, another to both, so the
ratio compares the same processes on the same database, measured in the same run:
1. Requests per second of the signed-out program page through each nginx (wrk -t2 -c16).
2. A rush: DELEGATES signed-in delegates join one CAPACITY-seat session at the same moment
   through each nginx: time to drain, joins per second, errors, seats and waitlist as stored.
Needs root (PostgreSQL runs as its own user), Debian's postgresql, redis-server, nginx and wrk.
"""
import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sqlalchemy import select  # noqa: E402

from app.events.models import Event  # noqa: E402
from app.extensions import db  # noqa: E402
from app.registration import services as registration  # noqa: E402
from app.registration.models import SignIn  # noqa: E402
from bench.pages import write_section  # noqa: E402
from tests.conftest import BEFORE_DEADLINE, build_delegate, build_event, build_session  # noqa: E402
from tests.crowd import fire_all, queue_of, signup_request  # noqa: E402
from tests.stack import nginx_site, production_stack  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"


def rush(stack, url: str, label: str, delegates: int, capacity: int) -> dict:
    """DELEGATES joins at once through `url` for a new CAPACITY-seat session."""
    with stack.app.app_context():
        event = db.session.scalar(select(Event))
        build_session(event, slug=f"rush-{label}", capacity=capacity)
        people = [build_delegate(event, f"{label}{i}") for i in range(delegates)]
        devices = [registration.sign_in(person, SignIn.FORM) for person in people]
        db.session.commit()
    requests = [signup_request(stack.app, url, device, i, f"rush-{label}") for i, device in enumerate(devices)]
    began = time.perf_counter()
    statuses = fire_all(requests)
    drained = time.perf_counter() - began
    with stack.app.app_context():
        seated, waiting = queue_of(f"rush-{label}")
    return dict(drained=drained, rate=delegates / drained, errors=sum(1 for s in statuses if s != 303),
                seated=seated, waiting=waiting)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--delegates", type=int, default=300)
    parser.add_argument("--capacity", type=int, default=30)
    args = parser.parse_args()
    command = (f".venv/bin/python bench/production.py --seconds {args.seconds} --delegates {args.delegates} "
               f"--capacity {args.capacity}")
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-production-"))
    results = {}
    try:
        with production_stack(folder, PORTAL_NOW=BEFORE_DEADLINE, RATELIMIT_ENABLED="false") as stack:
            with stack.app.app_context():
                build_event()
                db.session.commit()
            (folder / "one").mkdir()
            first = f"127.0.0.1:{stack.instances[0].port}"
            with nginx_site(folder / "one", [first]) as one:
                for url in (one, stack.url):
                    requests_per_second(url + "/en/program", 2)  # warm up
                for label, url in (("one", one), ("two", stack.url), ("one-again", one), ("two-again", stack.url)):
                    rate = requests_per_second(url + "/en/program", args.seconds)
                    results.setdefault(label.removesuffix("-again"), []).append(rate)
                    print(f"program page through nginx, {label}: {rate:.0f} req/s", flush=True)
                for label, url in (("one", one), ("two", stack.url)):
                    results[f"rush-{label}"] = rush(stack, url, label, args.delegates, args.capacity)
                    print(f"rush through nginx, {label}: {results[f'rush-{label}']}", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    write_section(REPORT, "## Production", report(results, command, args))


def requests_per_second(url: str, seconds: int) -> float:
    """wrk with 16 connections: enough to keep four workers busy."""
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url}: error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def report(results: dict, command: str, args) -> str:
    one, two = max(results["one"]), max(results["two"])
    rush_one, rush_two = results["rush-one"], results["rush-two"]
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""## Production: nginx, one instance and two

`{command}` ({when}; `make bench` runs it too). PostgreSQL, Redis, nginx and two portal
instances (gunicorn.conf.py: 2 sync workers each) on this 2-core machine, started by
`tests/stack.py` as `tests/production/` starts them. One nginx passes to the first instance only,
another to both; the same processes serve both, measured in the same run (each page rate is the
best of two runs of {args.seconds} s, wrk -t2 -c16).

| through nginx | one instance | two instances | two / one |
|---|---:|---:|---:|
| `/en/program`, signed out (req/s) | {one:.0f} | {two:.0f} | {two / one:.2f} |
| {args.delegates} joins at once, {args.capacity} seats: joins/s | {rush_one['rate']:.0f} | {rush_two['rate']:.0f} | {rush_two['rate'] / rush_one['rate']:.2f} |
| the same rush: drained in (s) | {rush_one['drained']:.2f} | {rush_two['drained']:.2f} | |
| the same rush: errors; seated / waiting | {rush_one['errors']}; {rush_one['seated']} / {rush_one['waiting']} | {rush_two['errors']}; {rush_two['seated']} / {rush_two['waiting']} | |

On 2 cores a second instance adds processes, not processors: four workers, nginx, PostgreSQL
and wrk share the same two cores, so two instances serve pages no faster than one (a little
slower: more processes take turns), and joins for one session wait on PostgreSQL's row lock of
that session, which a second instance cannot share out (the second rush also runs on a database
that the first has grown). A second instance here buys survival (an instance killed mid-rush
loses no acknowledged join, the other keeps answering: tests/production/), not speed. Pages scale with cores: give each instance `GUNICORN_WORKERS` = its cores, and add
instances on more machines behind the same nginx. Joins for one session are serialised by its
row lock wherever they arrive; joins for different sessions run in parallel.
"""


if __name__ == "__main__":
    main()
