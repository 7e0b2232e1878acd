"""Lighthouse's mobile performance score of every public page, in both languages, as production serves
them and from gunicorn directly; writes docs/benchmarks.md ("Lighthouse: mobile performance").
Not part of `make test`.

    .venv/bin/python bench/lighthouse.py [--runs 1] [--reports DIR] [PATH ...]

Installs the pinned Lighthouse (bench/lighthouse/package.json) into bench/lighthouse/node_modules when
it is missing or differs from the lock file, serves the portal with gunicorn (WORKERS sync workers) on
a fresh SQLite database with the demo event (bench/serve.py), puts Debian's nginx in front of it with
deploy/nginx/portal.conf (tests/stack.py: gzip, static files from nginx with a year's cache), and runs
Lighthouse's default mobile profile (a mid-range phone, simulated slow 4G) with Debian's Chromium,
headless, on each page: behind nginx (as deployed: the column the goal counts) and against gunicorn
directly (uncompressed). Without nginx it says so and measures gunicorn directly only. With `--runs N`
each figure is the median of N runs; `--reports DIR` keeps Lighthouse's JSON of every run there.
"""
import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import urllib.request
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import write_section  # noqa: E402
from bench.serve import ROOT, WORKERS, gunicorn, portal_environment, scratch_folder  # noqa: E402
from tests.stack import NGINX, nginx_site  # noqa: E402

TOOL = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = TOOL / "node_modules" / ".bin" / "lighthouse"
REPORT = ROOT / "docs" / "benchmarks.md"
HEADING = "## Lighthouse: mobile performance"
DEFAULT_PAGES = ["/en/", "/mn/", "/en/info", "/mn/info", "/en/privacy", "/mn/privacy", "/en/register", "/mn/register",
                 "/en/program", "/mn/program", "/en/program?with=mn", "/en/program/developing-situation-in-asia",
                 "/mn/program/developing-situation-in-asia", "/en/program/print", "/en/subscribe", "/mn/me/link"]
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
                "--disable-sync --no-first-run")
METRICS = {"fcp": "first-contentful-paint", "lcp": "largest-contentful-paint", "tbt": "total-blocking-time",
           "cls": "cumulative-layout-shift"}


def install_lighthouse() -> str:
    """`npm ci` in bench/lighthouse unless node_modules holds exactly what the lock file pins; the version."""
    lock = json.loads((TOOL / "package-lock.json").read_text(encoding="utf-8"))
    pinned = {name: entry for name, entry in lock["packages"].items() if name}
    hidden = TOOL / "node_modules" / ".package-lock.json"  # what npm last installed there
    installed = json.loads(hidden.read_text(encoding="utf-8"))["packages"] if hidden.exists() else None
    wanted = json.loads((TOOL / "package.json").read_text(encoding="utf-8")).get("devDependencies")
    if not LIGHTHOUSE.exists() or installed != pinned or lock["packages"][""].get("devDependencies") != wanted:
        print("installing the pinned Lighthouse (npm ci in bench/lighthouse)", file=sys.stderr)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOL, check=True)
    package = TOOL / "node_modules" / "lighthouse" / "package.json"
    return json.loads(package.read_text(encoding="utf-8"))["version"]


def lighthouse(url: str, output: Path) -> dict:
    """One Lighthouse run (performance only, default mobile profile); the score and the metrics."""
    done = subprocess.run(
        [LIGHTHOUSE, url, "--only-categories=performance", "--output=json", f"--output-path={output}", "--quiet",
         f"--chrome-flags={CHROME_FLAGS}"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"Lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    report = json.loads(output.read_text(encoding="utf-8"))
    score = report["categories"]["performance"]["score"]
    if report.get("runtimeError") or score is None:
        raise RuntimeError(f"Lighthouse could not measure {url}: {report.get('runtimeError')}")
    return {"score": score, **{key: report["audits"][audit]["numericValue"] for key, audit in METRICS.items()}}


def median(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def check_gzip(base: str) -> None:
    """nginx compresses as deployed: the home page comes gzip'd."""
    request = urllib.request.Request(base + "/en/", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        encoding = response.headers.get("Content-Encoding")
        gzip.decompress(response.read())  # a gzip body, not only a header
    if encoding != "gzip":
        raise RuntimeError(f"nginx did not compress /en/ (Content-Encoding: {encoding})")


def version_of(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "unknown"


def seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s"


def section(rows: list[tuple], command: str, version: str, runs: int, nginx_version: str | None,
            chromium: str) -> str:
    when = datetime.now(timezone.utc)
    each = "once per page and setup" if runs == 1 else f"{runs} times per page and setup, each figure the median of its runs"
    lines = [HEADING, "",
             f"Measured {when:%Y-%m-%d %H:%M} UTC with `{command}`: Lighthouse {version} (pinned in "
             "bench/lighthouse/package.json), its default mobile profile (an emulated mid-range phone on simulated "
             f"slow 4G), {chromium} headless, {each}. The portal runs under gunicorn ({WORKERS} sync workers, SQLite, "
             "the demo event, the clock before the deadline), htmx from the CDN with the local copy behind it (this "
             "machine reaches no CDN, so the local copy is what loads). Goal: 1.0 on every public page, as deployed.",
             ""]
    if nginx_version:
        lines += [
            f"- **Behind nginx** (the column the goal counts): {nginx_version} with deploy/nginx/portal.conf as "
            "tests/stack.py runs it, passing pages to that gunicorn and serving `/static/` itself: gzip (level 6) on "
            "HTML, CSS and JavaScript, static files with `Cache-Control: public, max-age=31536000, immutable`. Plain "
            "HTTP on loopback, no TLS. Lighthouse loads every page with an empty cache, so the cache headers do not "
            "enter these scores; the compression does.",
            "- **gunicorn directly**: the same gunicorn processes asked without nginx: uncompressed, Flask serving "
            "the static files.",
            "",
            "| page | behind nginx: performance | first contentful paint | largest contentful paint "
            "| total blocking time | layout shift | gunicorn directly: performance | first contentful paint |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for page, proxied, direct in rows:
            lines.append(f"| `{page}` | {proxied['score']:.2f} | {seconds(proxied['fcp'])} | {seconds(proxied['lcp'])} "
                         f"| {proxied['tbt']:.0f} ms | {proxied['cls']:.3f} | {direct['score']:.2f} | "
                         f"{seconds(direct['fcp'])} |")
    else:
        lines += [
            "- **Behind nginx**: not measured: nginx was not installed on this machine (`apt-get install -y nginx`), "
            "so the column the goal counts is missing from this run.",
            "- **gunicorn directly**: uncompressed, Flask serving the static files.",
            "",
            "| page | gunicorn directly: performance | first contentful paint | largest contentful paint "
            "| total blocking time | layout shift |",
            "|---|---:|---:|---:|---:|---:|"]
        for page, _, direct in rows:
            lines.append(f"| `{page}` | {direct['score']:.2f} | {seconds(direct['fcp'])} | {seconds(direct['lcp'])} "
                         f"| {direct['tbt']:.0f} ms | {direct['cls']:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page and setup; the median is reported")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's JSON of every run in this folder")
    parser.add_argument("pages", nargs="*", metavar="PATH", help="pages to measure (default: every public page)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    pages = args.pages or DEFAULT_PAGES
    os.environ.setdefault("CHROME_PATH", "/usr/bin/chromium")
    chrome = os.environ["CHROME_PATH"]
    if not (Path(chrome).is_file() and os.access(chrome, os.X_OK)):
        sys.exit(f"Chromium is needed at {chrome} (apt-get install -y chromium)")
    if not shutil.which("npm"):
        sys.exit("npm is needed to install the pinned Lighthouse (apt-get install -y npm)")
    version = install_lighthouse()
    chromium = version_of([chrome, "--version"]).split(" built on")[0].replace("Chromium", "Debian's Chromium", 1)
    nginx_version = version_of([NGINX, "-v"]).replace("nginx version: nginx/", "Debian's nginx ") if NGINX else None
    if not nginx_version:
        print("nginx is not installed (apt-get install -y nginx): measuring gunicorn directly only", file=sys.stderr)
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)

    rows = []
    with scratch_folder() as folder:
        env = portal_environment(folder)
        with gunicorn("wsgi:app", env, "/healthz") as direct_url:
            setups = {"direct": direct_url}
            (folder / "nginx").mkdir()
            with (nginx_site(folder / "nginx", [direct_url.removeprefix("http://")]) if nginx_version
                  else nullcontext()) as nginx_url:
                if nginx_url:
                    check_gzip(nginx_url)
                    setups = {"nginx": nginx_url, **setups}
                for page in pages:
                    measured = {name: [] for name in setups}
                    for run in range(args.runs):
                        for name, base in setups.items():
                            name_of_file = f"{page.strip('/').replace('/', '_').replace('?', '_') or 'root'}.{name}.{run + 1}.json"
                            output = (args.reports or folder) / name_of_file
                            measured[name].append(lighthouse(base + page, output))
                    result = {name: median(runs) for name, runs in measured.items()}
                    rows.append((page, result.get("nginx"), result["direct"]))
                    print(page, "  ".join(f"{name} {figures['score']:.2f} (FCP {seconds(figures['fcp'])}, "
                                          f"LCP {seconds(figures['lcp'])})" for name, figures in result.items()),
                          flush=True)

    command = ".venv/bin/python bench/lighthouse.py" + (f" --runs {args.runs}" if args.runs != 1 else "") + \
        "".join(f" '{page}'" if "?" in page else f" {page}" for page in args.pages)
    write_section(REPORT, HEADING, section(rows, command, version, args.runs, nginx_version, chromium))
    print(f"written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
