"""Does «Send me a new link» answer a registered address more slowly than an unknown one?

    .venv/bin/python bench/link_timing.py [--rounds 300]

The portal runs in this process (Flask's test client, SQLite in a temporary folder) so that only
its own work is timed, not the network. Requests for a registered and an unknown address are
interleaved, and the medians compared; the section in docs/benchmarks.md is replaced.
"""
import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402
from app.extensions import db  # noqa: E402
from app.program.content import load_demo  # noqa: E402
from bench.pages import REPORT, write_section  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

HEADING = "## «Send me a new link»: registered and unknown addresses"


class BenchConfig(Config):
    PORTAL_ENV = "testing"
    SECRET_KEY = "bench"
    PORTAL_NOW = "2017-05-01T10:00:00+08:00"
    RATELIMIT_ENABLED = False


def timed_post(client, token, email) -> float:
    started = time.perf_counter()
    response = client.post("/en/me/link", data={"email": email, "csrf_token": token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 303, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    app = create_app(BenchConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                                   "MAIL_OUTBOX": folder / "outbox"})
    with app.app_context():
        upgrade()
        load_demo(app.config["DEMO_CONTENT"])
        db.session.commit()
    client = app.test_client()
    page = client.get("/en/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/en/register", data={"given_name": "Ana", "family_name": "García", "email": "ana@example.org",
                                      "phone": "+34 612 345 678", "country": "ES", "organisation": "PSOE",
                                      "language": "en", "days": "2017-05-25", "privacy_consent": "y",
                                      "csrf_token": token})
    asker = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      asker.get("/en/me/link").get_data(as_text=True)).group(1)
    registered, unknown = [], []
    for _ in range(20):  # warm up
        timed_post(asker, token, "ana@example.org"), timed_post(asker, token, "nobody@example.org")
    for _ in range(args.rounds):
        registered.append(timed_post(asker, token, "ana@example.org"))
        unknown.append(timed_post(asker, token, "nobody@example.org"))
    known_ms, unknown_ms = statistics.median(registered) * 1000, statistics.median(unknown) * 1000
    print(f"registered {known_ms:.2f} ms, unknown {unknown_ms:.2f} ms (medians of {args.rounds}), "
          f"ratio {known_ms / unknown_ms:.2f}")
    section = "\n".join([
        HEADING, "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `.venv/bin/python bench/link_timing.py "
        f"--rounds {args.rounds}`: the portal in-process (no network), SQLite, requests for the two addresses "
        "interleaved. The request only stores what was asked, whatever the address; the sender looks the "
        "address up and composes the email afterwards, outside any request.", "",
        "| address | median time per request |", "|---|---|",
        f"| registered | {known_ms:.2f} ms |", f"| unknown | {unknown_ms:.2f} ms |",
        f"| ratio | {known_ms / unknown_ms:.2f} |", "",
    ])
    write_section(REPORT, HEADING, section)


if __name__ == "__main__":
    main()
