"""Measure public pages against a bare Flask "hello world" in the same run, and write docs/benchmarks.md.

    .venv/bin/python bench/pages.py [--seconds 10] [PATH ...]

For each page: bytes over the wire (HTML + CSS + JS, gzip'd at level 6 as a front proxy would
send them) and requests per second with wrk (2 threads, 8 connections), next to hello world's
rate measured right before it. The machines are shared: read the ratios, not the rates.
"""
import argparse
import gzip
import re
import shutil
import subprocess
import sys
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.serve import ROOT, WORKERS, servers  # noqa: E402

DEFAULT_PAGES = ["/en/", "/mn/", "/mn/info", "/en/privacy", "/mn/register", "/en/program.json", "/en/program",
                 "/en/program?with=mn", "/mn/program/print"]
REPORT = ROOT / "docs" / "benchmarks.md"


def fetch(url: str) -> bytes:
    return urllib.request.urlopen(url, timeout=10).read()


def page_weight(base: str, path: str) -> dict:
    """Gzip'd bytes of the page and of the same-site CSS and JS it loads (local htmx included)."""
    html = fetch(base + path)
    text = html.decode()
    assets = set(re.findall(r'<link rel="stylesheet" href="(/[^"]+)"', text))
    assets |= set(re.findall(r'<script src="(/[^"]+)"', text))
    assets |= set(re.findall(r'data-htmx="(/[^"]+)"', text))
    sizes = {"html": len(gzip.compress(html, 6))}
    for asset in sorted(assets):
        sizes[asset] = len(gzip.compress(fetch(base + asset), 6))
    sizes["total"] = sum(sizes.values())
    return sizes


def requests_per_second(url: str, seconds: int) -> float:
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("paths", nargs="*", default=DEFAULT_PAGES)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    rows = []
    with servers() as (hello, portal, _):
        requests_per_second(hello + "/", 2)  # warm up both
        for path in args.paths:
            requests_per_second(portal + path, 2)
            baseline = requests_per_second(hello + "/", args.seconds)
            rate = requests_per_second(portal + path, args.seconds)
            weight = page_weight(portal, path)
            rows.append((path, weight, rate, baseline))
            print(f"{path}: {weight['total'] / 1024:.1f} KB gzip'd, {rate:.0f} req/s, hello {baseline:.0f} req/s, "
                  f"ratio {rate / baseline:.2f}", flush=True)
    write_report(rows, args)


def write_report(rows, args) -> None:
    command = "make bench  # .venv/bin/python bench/pages.py --seconds " + str(args.seconds)
    lines = [
        "## Public pages: weight and rate",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}`: gunicorn, "
        f"{WORKERS} sync workers, SQLite, wrk -t2 -c8, on a shared 2-core machine. Bytes are HTML + CSS + JS "
        "gzip'd (level 6, as a front proxy sends them; the budget is 50 KB). Rates are compared with a bare "
        "Flask \"hello world\" measured just before, under the same server settings. Every page here is kept "
        "rendered per worker for its versions and language (app/page_cache.py); the registration form gets each "
        "reader's own token filled in (so it also sets the session cookie).",
        "",
        "| page | HTML | CSS + JS | total gzip'd | req/s | hello world req/s | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for path, weight, rate, baseline in rows:
        assets = weight["total"] - weight["html"]
        lines.append(f"| `{path}` | {weight['html'] / 1024:.1f} KB | {assets / 1024:.1f} KB | "
                     f"{weight['total'] / 1024:.1f} KB | {rate:.0f} | {baseline:.0f} | {rate / baseline:.2f} |")
    section = "\n".join(lines) + "\n"
    write_section(REPORT, "## Public pages: weight and rate", section)


def write_section(path: Path, heading: str, section: str) -> None:
    """Replace one `## ` section of the report, keeping the others."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\nMeasured by the scripts in `bench/`; rerun them to refresh a section.\n"
    parts = re.split(r"(?m)^(?=## )", text)
    kept = [part for part in parts if not part.startswith(heading)]
    path.write_text("".join(kept).rstrip("\n") + "\n\n" + section, encoding="utf-8")


if __name__ == "__main__":
    main()
