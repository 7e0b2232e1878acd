"""Badges as PDF for 200 and 2,000 delegates, both layouts; writes docs/benchmarks.md («Badges»).

    .venv/bin/python bench/badges.py [--delegates 2000] [--runs 3]

Builds the demo event in a scratch database with DELEGATES registrations (bench/console.py's mix:
a third from Mongolia with Cyrillic names and their passport spelling, the rest from 17 countries,
Latin and Cyrillic) all coming (pending or confirmed, so that each gets a badge), and a tenth as
many in a second database; signs in as a coordinator; then, with Flask's test client, asks for
/en/hosts/badges.pdf?layout=a4 and ?layout=a6: the first request of a process (no QR code made
yet) and then the best of RUNS (the QR codes kept, as when the hosts print the same list again),
on the clock and in this process's CPU, with the PDF's size and pages. One request of each size is
then taken apart: reading the registrations and making the QR codes, the HTML, WeasyPrint's layout
and its writing of the PDF.
"""
import argparse
import io
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from pypdf import PdfReader  # requirements-test.txt
from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app import create_app  # noqa: E402
from bench.console import build, signed_in  # noqa: E402
from bench.pages import REPORT, write_section  # noqa: E402
from bench.serve import portal_environment, scratch_folder  # noqa: E402

HEADING = "## Badges"
GOAL_S = 10
TIMEOUT_S = 30  # gunicorn's


def everyone_coming(app) -> None:
    """Every registration pending or confirmed, so that each gets a badge."""
    from app.extensions import db
    from app.registration.models import Registration

    with app.app_context():
        db.session.execute(update(Registration).where(Registration.status.not_in(Registration.ACTIVE))
                           .values(status=Registration.CONFIRMED))
        db.session.commit()


def timed(client, path: str) -> tuple[float, float, bytes]:
    """Seconds on the clock and in this process's CPU, and the PDF."""
    began, began_cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    assert response.status_code == 200 and response.mimetype == "application/pdf", (path, response.status_code)
    return seconds, cpu, response.data


def pages_of(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def parts(app, layout: str) -> dict[str, float]:
    """One request's CPU seconds taken apart: the registrations and QR codes, the HTML, the layout, the PDF."""
    from flask import g, render_template

    from app.events.services import current_event
    from app.hosts import badges, registrations
    from app.hosts.models import Host
    from app.extensions import db
    from weasyprint import HTML

    from app.pdf import StaticFilesOnly

    badges.qr_png.cache_clear()
    with app.test_request_context(f"/en/hosts/badges.pdf?layout={layout}"):
        g.lang = "en"
        host = db.session.scalars(db.select(Host)).first()
        spent = {}
        began = time.process_time()
        sheets = badges.badge_sheets(host, current_event(), registrations.Filters(), layout, "en")
        spent["registrations and QR codes"] = time.process_time() - began
        began = time.process_time()
        html = render_template("hosts/badges.html", sheets=sheets)
        spent["HTML (Jinja)"] = time.process_time() - began
        began = time.process_time()
        document = HTML(string=html, base_url="http://localhost/",
                        url_fetcher=StaticFilesOnly(app.static_folder, app.static_url_path, sheets.images)).render()
        spent["WeasyPrint: layout"] = time.process_time() - began
        began = time.process_time()
        document.write_pdf()
        spent["WeasyPrint: the PDF written"] = time.process_time() - began
        db.session.rollback()
    return spent


def run(delegates: int, runs: int) -> tuple[list, dict]:
    """Measure both layouts at DELEGATES badges in a scratch database."""
    from app.hosts import badges

    with scratch_folder() as folder:
        env = portal_environment(folder)
        app = create_app(settings={"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                                   "PORTAL_NOW": env["PORTAL_NOW"], "RATELIMIT_ENABLED": False})
        build(app, delegates)
        everyone_coming(app)
        client = signed_in(app)
        client.get("/en/hosts/badges.pdf?q=zzz")  # templates compiled, fonts read: what a first request also pays once
        rows = []
        for layout in ("a4", "a6"):
            path = f"/en/hosts/badges.pdf?layout={layout}"
            badges.qr_png.cache_clear()
            first = timed(client, path)
            again = min((timed(client, path) for _ in range(runs)), key=lambda measured: measured[1])
            rows.append((layout, path, first, again, pages_of(first[2])))
            print(f"{delegates} badges, {layout}: first {first[0]:.1f} s ({first[1]:.1f} s CPU), again "
                  f"{again[0]:.1f} s ({again[1]:.1f} s CPU), {len(first[2]) / 1024:.0f} KB, {rows[-1][4]} pages",
                  flush=True)
        spent = parts(app, "a4")
        print(f"{delegates} badges, a4, taken apart: " + ", ".join(f"{k} {v:.2f} s" for k, v in spent.items()),
              flush=True)
    return rows, spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delegates", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    few = max(args.delegates // 10, 1)
    results = [(few, *run(few, args.runs)), (args.delegates, *run(args.delegates, args.runs))]

    command = f".venv/bin/python bench/badges.py --delegates {args.delegates} --runs {args.runs}"
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}`: `/en/hosts/badges.pdf` for "
        f"{few:,} and {args.delegates:,} delegates (bench/console.py's mix of names, everyone pending or "
        "confirmed), in-process (Flask's test client, SQLite), signed in as a coordinator. «First»: the "
        "first request of the process for those badges, every QR code made; «again»: the best of "
        f"{args.runs} more, the QR codes kept (the hosts printing the same list again). Time on the clock and "
        "in this process's CPU (the machine is shared: when they differ, other work had the processor). "
        f"Goal: 2,000 badges in under {GOAL_S} s, well inside gunicorn's {TIMEOUT_S} s timeout.",
        "",
        "| badges | layout | first | first, CPU | again | again, CPU | PDF | pages |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for count, rows, _spent in results:
        for layout, _path, first, again, pages in rows:
            lines.append(f"| {count:,} | {layout} | {first[0]:.1f} s | {first[1]:.1f} s | {again[0]:.1f} s | "
                         f"{again[1]:.1f} s | {len(first[2]) / 1024:,.0f} KB | {pages:,} |")
    lines += ["", "One request for A4 sheets taken apart (CPU seconds, QR codes made afresh):", "",
              "| badges | " + " | ".join(results[0][2]) + " |", "|---:|" + "---:|" * len(results[0][2])]
    for count, _rows, spent in results:
        lines.append(f"| {count:,} | " + " | ".join(f"{seconds:.2f} s" for seconds in spent.values()) + " |")
    write_section(REPORT, HEADING, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
