"""The whole table of what every reader sees, against a bare Flask "hello world" in the same run:
public pages, a signed-in delegate's pages, and a rush of joins; writes docs/benchmarks.md.

    .venv/bin/python bench/pages.py [--seconds 10] [--repeat 1] [--delegates 300] [--capacity 30] [--rushes 3]
                                    [--against DIR] [PATH ...]

For each page: bytes over the wire (HTML + CSS + JS, gzip'd at level 6 as a front proxy would
send them) and requests per second with wrk (2 threads, 8 connections), next to hello world's
rate measured right before it. A path marked `signed in` is read with the cookies of a delegate
who holds one seat (their browser's: a sign-in and a form token, and their language). Then DELEGATES
signed-in delegates post *join* at the same moment to a CAPACITY-seat breakout (bench/program.py's
burst): joins per second, compared with hello world measured right before. With `--against DIR`
(another copy of the portal, such as `git archive COMMIT | tar -x -C DIR`) that copy is measured
too, row by row, in the same run. The machines are shared: read the ratios, not the rates.
"""
import argparse
import gzip
import re
import shutil
import subprocess
import sys
import urllib.request
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.serve import ROOT, WORKERS, gunicorn, scratch_folder, portal_environment, servers  # noqa: E402

SIGNED_IN = " (signed in)"
DEFAULT_PAGES = ["/en/", "/mn/", "/mn/info", "/en/privacy", "/en/register", "/mn/register", "/en/program.json",
                 "/en/program", "/en/program?with=mn", "/mn/program/print",
                 "/en/program" + SIGNED_IN, "/mn/program" + SIGNED_IN, "/en/me" + SIGNED_IN, "/mn/me" + SIGNED_IN]
GOALS = {"signed in": 0.25, "joins": 0.04}
REPORT = ROOT / "docs" / "benchmarks.md"
HEADING = "## Every page and the joins against hello world"
HELD = "developing-situation-in-asia"  # the seat the signed-in delegate holds


def fetch(url: str, headers: dict | None = None) -> bytes:
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10).read()


def page_weight(base: str, path: str, headers: dict | None = None) -> dict:
    """Gzip'd bytes of the page and of the same-site CSS and JS it loads (local htmx included)."""
    html = fetch(base + path, headers)
    text = html.decode()
    assets = set(re.findall(r'<link rel="stylesheet" href="(/[^"]+)"', text))
    assets |= set(re.findall(r'<script src="(/[^"]+)"', text))
    assets |= set(re.findall(r'data-htmx="(/[^"]+)"', text))
    sizes = {"html": len(gzip.compress(html, 6))}
    for asset in sorted(assets):
        sizes[asset] = len(gzip.compress(fetch(base + asset), 6))
    sizes["total"] = sum(sizes.values())
    return sizes


def requests_per_second(url: str, seconds: int, headers: dict | None = None) -> float:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def delegate_cookie(env: dict) -> dict:
    """A registered delegate holding one seat, as their browser reads pages: the signed session
    cookie with their sign-in and form token, made permanent as signing in makes it."""
    from sqlalchemy import select

    from app import create_app
    from app.events.models import Event
    from app.extensions import db
    from app.program import services as program
    from app.program.models import Session
    from app.registration import services as registration
    from app.registration.models import SignIn

    app = create_app(settings={"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                               "PORTAL_NOW": env["PORTAL_NOW"], "RATELIMIT_ENABLED": False})
    with app.app_context():
        event = db.session.scalars(select(Event)).first()
        person = registration.register(event, dict(
            given_name="Oyuntsetseg", family_name="Batbold", email="reader@example.org", phone="+97699112233",
            country="MN", organisation="MPP", language="mn", days=["2017-05-25", "2017-05-26"]),
            datetime(2017, 5, 1, tzinfo=timezone.utc))
        token = registration.sign_in(person, SignIn.FORM)
        program.join(person, db.session.scalar(select(Session).filter_by(slug=HELD)))
        db.session.commit()
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"delegate": token, "csrf_token": "bench-reader-form-token", "_permanent": True})
    return {"Cookie": f"session={cookie}"}


def reading(label: str, cookie: dict) -> tuple[str, dict | None]:
    """The path a row reads, and the signed-in reader's cookies for it (their browser also holds
    the language cookie of the language they read in); a signed-out reader sends none."""
    if not label.endswith(SIGNED_IN):
        return label, None
    path = label.removesuffix(SIGNED_IN)
    return path, {"Cookie": f"{cookie['Cookie']}; lang={path.split('/')[1]}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--delegates", type=int, default=300)
    parser.add_argument("--capacity", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=1, help="measurements of each page; the median is reported")
    parser.add_argument("--rushes", type=int, default=3, help="rushes of joins per portal; the median is reported")
    parser.add_argument("--against", type=Path, help="another copy of the portal (git archive of a commit) "
                        "measured in the same run, each row alternately: the table gets its ratios too")
    parser.add_argument("paths", nargs="*", default=DEFAULT_PAGES)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    trees = {"this": ROOT, **({"against": args.against.resolve()} if args.against else {})}
    rows, joins = [], {}
    with servers() as (hello, portal, env), ExitStack() as stack:
        portals, cookies = {"this": portal}, {"this": delegate_cookie(env)}
        if args.against:
            other = portal_environment(stack.enter_context(scratch_folder()), trees["against"])
            portals["against"] = stack.enter_context(gunicorn("wsgi:app", other, "/healthz", trees["against"]))
            cookies["against"] = delegate_cookie(other)
        requests_per_second(hello + "/", 2)  # warm up
        for label in args.paths:
            measured = {name: [] for name in portals}
            for turn in range(args.repeat):  # each portal in turn, the order swapped each time
                for name in (list(portals) if turn % 2 == 0 else list(portals)[::-1]):
                    path, headers = reading(label, cookies[name])
                    requests_per_second(portals[name] + path, 1, headers)
                    baseline = requests_per_second(hello + "/", args.seconds)
                    rate = requests_per_second(portals[name] + path, args.seconds, headers)
                    measured[name].append((rate, baseline))
                    print(f"{label} ({name}): {rate:.0f} req/s, hello {baseline:.0f} req/s, ratio {rate / baseline:.2f}",
                          flush=True)
            row = {name: sorted(runs, key=lambda run: run[0] / run[1])[len(runs) // 2] for name, runs in measured.items()}
            rows.append((label, page_weight(portal, *reading(label, cookies["this"])), row))
        if args.delegates:
            from bench.program import burst

            runs = {name: [] for name in trees}
            for rush in range(args.rushes):  # each tree in turn, the order swapped each time
                for name in (list(trees) if rush % 2 == 0 else list(trees)[::-1]):
                    baseline = requests_per_second(hello + "/", args.seconds)
                    with scratch_folder() as folder:
                        found = dict(burst(portal_environment(folder, trees[name]), args.delegates, args.capacity,
                                           trees[name]), baseline=baseline)
                    found["ratio"] = found["delegates"] / found["drained"] / baseline
                    runs[name].append(found)
                    print(f"joins ({name}): {found['delegates'] / found['drained']:.0f}/s, drained in "
                          f"{found['drained']:.2f} s, hello {baseline:.0f} req/s, ratio {found['ratio']:.3f}", flush=True)
            joins = {name: dict(sorted(found, key=lambda run: run["ratio"])[len(found) // 2], rushes=found)
                     for name, found in runs.items()}
    write_report(rows, joins, args)


def goal(label: str) -> float:
    return GOALS["signed in"] if label.endswith(SIGNED_IN) else 0.5


def write_report(rows, joins, args) -> None:
    command = (f".venv/bin/python bench/pages.py --seconds {args.seconds} --delegates {args.delegates} "
               f"--capacity {args.capacity} --repeat {args.repeat} --rushes {args.rushes}"
               + (f" --against {args.against}" if args.against else ""))
    against = " | ratio before | " if args.against else " | "
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}` (`make bench` runs it without "
        f"--against): gunicorn, {WORKERS} sync workers, SQLite, wrk -t2 -c8, on a shared 2-core machine. Bytes are "
        "HTML + CSS + JS gzip'd (level 6, as a front proxy sends them; the budget is 50 KB). Rates are compared with "
        "a bare Flask \"hello world\" measured just before, under the same server settings (with --repeat, the median "
        "of that many such pairs). *Signed in*: read with "
        "the cookies of a delegate who holds one seat (their sign-in and form token, and their language, as their "
        "browser holds them after signing in); the others with no cookie, as a first visit."
        + (f" *Before*: the portal in `{args.against}`, measured in the same run, each row right after this one, "
           "with its own hello world." if args.against else ""),
        "",
        f"| page | HTML | CSS + JS | total gzip'd | req/s | hello world req/s | ratio{against}goal |",
        "|---|---|---|---|---:|---:|---:|" + ("---:|" if args.against else "") + "---:|",
    ]
    for label, weight, row in rows:
        assets = weight["total"] - weight["html"]
        path, signed_in = label.removesuffix(SIGNED_IN), label.endswith(SIGNED_IN)
        rate, baseline = row["this"]
        before = f" {row['against'][0] / row['against'][1]:.2f} |" if "against" in row else ""
        lines.append(f"| `{path}`{', signed in' if signed_in else ''} | {weight['html'] / 1024:.1f} KB | "
                     f"{assets / 1024:.1f} KB | {weight['total'] / 1024:.1f} KB | {rate:.0f} | {baseline:.0f} | "
                     f"{rate / baseline:.2f} |{before} ≥ {goal(label)} |")
    if joins:
        found = joins["this"]
        per_second = found["delegates"] / found["drained"]
        before = (f" {joins['against']['ratio']:.3f} (drained in {joins['against']['drained']:.2f} s) |"
                  if "against" in joins else "")
        lines.append(f"| joins: {found['delegates']} at once for {found['capacity']} seats (drained in "
                     f"{found['drained']:.2f} s; {found['seated']} seated, {found['waiting']} waiting, "
                     f"{found['errors']} errors) | | | | {per_second:.0f} joins/s | {found['baseline']:.0f} | "
                     f"{found['ratio']:.3f} |{before} ≥ {GOALS['joins']} |")
        each = "; ".join(f"{name}: " + ", ".join(f"{run['drained']:.2f} s ({run['ratio']:.3f})" for run in found["rushes"])
                         for name, found in joins.items())
        lines += ["", f"The joins are posted by {found['delegates']} threads at once to gunicorn with 4 workers × 4 "
                  "threads (gthread), each with its own sign-in and form token, as plain forms (a 303 each); their "
                  f"p50 is {found['p50'] * 1000:.0f} ms, p95 {found['p95'] * 1000:.0f} ms. The row is the median of "
                  f"{args.rushes} rushes (each after its own hello world{', the two portals in turn' if args.against else ''}"
                  f"): {each}."]
    write_section(REPORT, HEADING, "\n".join(lines) + "\n")


def write_section(path: Path, heading: str, section: str) -> None:
    """Replace one `## ` section of the report, keeping the others."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\nMeasured by the scripts in `bench/`; rerun them to refresh a section.\n"
    parts = [part.rstrip("\n") + "\n" for part in re.split(r"(?m)^(?=## )", text)]
    if any(part.startswith(heading + "\n") for part in parts):  # in its place
        parts = [section if part.startswith(heading + "\n") else part for part in parts]
    else:
        parts.append(section)
    path.write_text("\n".join(parts).rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
