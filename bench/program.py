"""Measure the program page and a rush of sign-ups; write docs/benchmarks.md.

    .venv/bin/python bench/program.py [--seconds 10] [--delegates 300] [--capacity 30]

1. Render time in the app (median of 50, uncached and cached).
2. Requests per second of the signed-out program page under gunicorn, next to a bare Flask
   "hello world" measured right before it (same server settings), and its weight.
3. A burst: DELEGATES signed-in delegates post "join" at once to a CAPACITY-seat breakout on
   gunicorn (4 workers x 4 threads, SQLite): time to drain, p95 latency, errors, and the
   seats and waitlist as stored.
"""
import argparse
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import page_weight, requests_per_second, write_section  # noqa: E402
from bench.serve import BIN, ROOT, free_port, scratch_folder, portal_environment, servers, wait_until_up  # noqa: E402

REPORT = ROOT / "docs" / "benchmarks.md"
SLUG = "developing-situation-in-asia"


def render_times(env: dict) -> tuple[float, float]:
    """Median milliseconds to serve /en/program in the app: rendered afresh, and from the page cache."""
    from app import create_app
    from app.page_cache import pages as page_cache

    app = create_app(settings=app_settings(env))
    client = app.test_client()
    client.get("/en/program")
    fresh, cached = [], []
    for _ in range(50):
        with app.app_context():
            page_cache().pages.clear()
        began = time.perf_counter()
        client.get("/en/program")
        fresh.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        client.get("/en/program")
        cached.append((time.perf_counter() - began) * 1000)
    return statistics.median(fresh), statistics.median(cached)


def app_settings(env: dict) -> dict:
    """The portal's settings for an in-process app on the measurement's database."""
    return {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
            "PORTAL_NOW": env["PORTAL_NOW"], "RATELIMIT_ENABLED": False}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def burst(env: dict, delegates: int, capacity: int, root: Path = ROOT) -> dict:
    """Sign DELEGATES delegates up for one CAPACITY-seat session at the same moment (the portal in
    `root` serves them: this tree, or another one to compare with)."""
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import select

    from app import create_app
    from app.events.models import Event
    from app.extensions import db
    from app.program.models import Seat, Session
    from app.registration import services as registration
    from app.registration.models import SignIn

    app = create_app(settings=app_settings(env))
    now = datetime(2017, 5, 1, tzinfo=timezone.utc)
    with app.app_context():
        event = db.session.scalars(select(Event)).first()
        target = db.session.scalar(select(Session).filter_by(slug=SLUG))
        target.capacity = capacity
        people = [registration.register(event, dict(
            given_name=f"D{i}", family_name="X", email=f"burst{i}@example.org", phone="+34612345678",
            country="ES", organisation="P", language="en", days=["2017-05-25"]), now) for i in range(delegates)]
        tokens = [registration.sign_in(person, SignIn.FORM) for person in people]  # each on its own phone
        db.session.commit()
    sessions = app.session_interface.get_signing_serializer(app)
    csrf = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")

    port = free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "--workers", "4", "--threads", "4", "--worker-class", "gthread", "--bind",
         f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning", "wsgi:app"], cwd=root, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz")
        opener = urllib.request.build_opener(NoRedirect)
        requests = []
        for index, token in enumerate(tokens):
            raw = f"bench-{index}"
            cookie = sessions.dumps({"delegate": token, "csrf_token": raw})
            requests.append(urllib.request.Request(
                f"{base}/en/program/{SLUG}/join", method="POST",
                data=urllib.parse.urlencode({"csrf_token": csrf.dumps(raw)}).encode(),
                headers={"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"}))
        barrier = threading.Barrier(len(requests) + 1)

        def fire(request):
            barrier.wait()
            began = time.perf_counter()
            try:
                status = opener.open(request, timeout=120).status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            return status, time.perf_counter() - began

        with ThreadPoolExecutor(max_workers=len(requests)) as pool:
            futures = [pool.submit(fire, r) for r in requests]
            barrier.wait()
            began = time.perf_counter()
            results = [f.result() for f in futures]
            drained = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(15)
    latencies = sorted(latency for _, latency in results)
    with app.app_context():
        target = db.session.scalar(select(Session).filter_by(slug=SLUG))
        seated = db.session.scalar(select(db.func.count()).select_from(Seat).filter_by(session_id=target.id, status="seated"))
        waiting = db.session.scalar(select(db.func.count()).select_from(Seat).filter_by(session_id=target.id, status="waiting"))
    return dict(
        delegates=delegates, capacity=capacity, drained=drained,
        p50=latencies[len(latencies) // 2], p95=latencies[int(len(latencies) * 0.95) - 1], max=latencies[-1],
        errors=sum(1 for status, _ in results if status != 303), seated=seated, waiting=waiting,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--delegates", type=int, default=300)
    parser.add_argument("--capacity", type=int, default=30)
    args = parser.parse_args()
    command = f".venv/bin/python bench/program.py --seconds {args.seconds} --delegates {args.delegates} --capacity {args.capacity}"
    rows = []
    with servers() as (hello, portal, env):
        fresh, cached = render_times(env)
        print(f"render: {fresh:.1f} ms fresh, {cached:.2f} ms cached (median)", flush=True)
        requests_per_second(hello + "/", 2)
        for path in ("/en/program", "/mn/program"):
            requests_per_second(portal + path, 2)
            baseline = requests_per_second(hello + "/", args.seconds)
            rate = requests_per_second(portal + path, args.seconds)
            rows.append((path, page_weight(portal, path), rate, baseline))
            print(f"{path}: {rate:.0f} req/s, hello {baseline:.0f}, ratio {rate / baseline:.2f}", flush=True)
    with scratch_folder() as folder:
        result = burst(portal_environment(folder), args.delegates, args.capacity)
    print(result, flush=True)

    stamp = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    lines = [
        "## Program page",
        "",
        f"Measured {stamp} with `{command}` (gunicorn, 2 sync workers, SQLite, wrk -t2 -c8, a shared 2-core "
        "machine). The signed-out page is rendered once per program version and language and reused; every "
        "join or leave raises the version in its own transaction, so the seats shown are never stale "
        "(tests/test_program.py::test_seat_counts_are_never_stale). Signed-in delegates get a page rendered for them.",
        "",
        f"- Render time in the app, median of 50: **{fresh:.1f} ms** rendered afresh, **{cached:.2f} ms** from the page cache.",
        "",
        "| page | total gzip'd (HTML + CSS + JS) | req/s | hello world req/s | ratio (goal ≥ 0.5) |",
        "|---|---|---|---|---|",
    ]
    for path, weight, rate, baseline in rows:
        lines.append(f"| `{path}` | {weight['total'] / 1024:.1f} KB | {rate:.0f} | {baseline:.0f} | {rate / baseline:.2f} |")
    write_section(REPORT, "## Program page", "\n".join(lines) + "\n")
    burst_lines = [
        "## Sign-up burst",
        "",
        f"Measured {stamp} with `{command}`: {result['delegates']} signed-in delegates post *join* at the same "
        f"moment to a {result['capacity']}-seat breakout, on gunicorn (4 workers × 4 threads, gthread) with SQLite.",
        "",
        "| delegates | seats | seated | waitlisted | errors (non-303) | time to drain | p50 | p95 | max |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {result['delegates']} | {result['capacity']} | {result['seated']} | {result['waiting']} | {result['errors']} | "
        f"{result['drained']:.2f} s | {result['p50'] * 1000:.0f} ms | {result['p95'] * 1000:.0f} ms | {result['max'] * 1000:.0f} ms |",
        "",
        "The same burst runs on SQLite and PostgreSQL in `tests/test_signup_burst.py` (exact counts, arrival order).",
    ]
    write_section(REPORT, "## Sign-up burst", "\n".join(burst_lines) + "\n")


if __name__ == "__main__":
    main()
