#!/usr/bin/env bash
# Lighthouse's mobile performance score of every public page, in both languages; writes
# docs/benchmarks.md ("Lighthouse: mobile performance"). Not part of `make test`.
#
#     bench/lighthouse.sh [PATH ...]
#
# Installs the pinned Lighthouse (bench/lighthouse/package.json) into bench/lighthouse/node_modules,
# serves the portal with gunicorn on a fresh SQLite database with the demo event (as bench/serve.py
# does), and runs Lighthouse's default mobile profile (a mid-range phone, simulated slow 4G) with
# Debian's Chromium, headless, once per page.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/.venv/bin"
TOOL="$ROOT/bench/lighthouse"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
PAGES=("$@")
if [ ${#PAGES[@]} -eq 0 ]; then
  PAGES=(/en/ /mn/ /en/info /mn/info /en/privacy /mn/privacy /en/register /mn/register
         /en/program /mn/program "/en/program?with=mn" /en/program/developing-situation-in-asia
         /mn/program/developing-situation-in-asia /en/program/print /en/subscribe /mn/me/link)
fi

[ -x "$CHROME_PATH" ] || { echo "Chromium is needed at $CHROME_PATH (apt-get install -y chromium)" >&2; exit 1; }
(cd "$TOOL" && npm ci --no-audit --no-fund --loglevel=error)

WORK="$(mktemp -d)"
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DATABASE_URL="sqlite:///$WORK/lighthouse.sqlite3" FLASK_APP=wsgi.py RATELIMIT_ENABLED=false \
       PORTAL_NOW="2017-05-01T09:00:00+08:00" SECRET_KEY=lighthouse MAIL_SERVER=""
cd "$ROOT"
"$BIN/flask" db upgrade >/dev/null 2>&1
"$BIN/flask" portal load-demo >/dev/null
PORT="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$BIN/gunicorn" --workers 2 --bind "127.0.0.1:$PORT" --no-control-socket --log-level warning wsgi:app &
SERVER=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.2
done

RESULTS="$WORK/results.tsv"
for page in "${PAGES[@]}"; do
  out="$WORK/report.json"
  "$TOOL/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT$page" --only-categories=performance \
    --output=json --output-path="$out" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
  "$BIN/python" - "$out" "$page" >>"$RESULTS" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
audits = report["audits"]
metric = lambda name: audits[name]["numericValue"]
print("\t".join([sys.argv[2], f"{report['categories']['performance']['score']:.2f}",
                 f"{metric('first-contentful-paint') / 1000:.1f}", f"{metric('largest-contentful-paint') / 1000:.1f}",
                 f"{metric('total-blocking-time'):.0f}", f"{metric('cumulative-layout-shift'):.3f}"]))
PY
  tail -n 1 "$RESULTS"
done

VERSION="$(node -p "require('$TOOL/node_modules/lighthouse/package.json').version")"
"$BIN/python" - "$RESULTS" "$VERSION" "$*" <<'PY'
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, ".")
from bench.pages import REPORT, write_section

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8")]
heading = "## Lighthouse: mobile performance"
command = "bench/lighthouse.sh" + (f" {sys.argv[3]}" if sys.argv[3] else "")
lines = [heading, "",
         f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}`: Lighthouse {sys.argv[2]} "
         "(pinned in bench/lighthouse/package.json), its default mobile profile (an emulated mid-range phone on "
         "simulated slow 4G), Debian's Chromium headless; the portal under gunicorn (2 sync workers, SQLite, the "
         "demo event) as `make run` serves it, uncompressed (production's nginx compresses: these scores are "
         "lower bounds), htmx from the CDN with the local copy behind it (this machine reaches no CDN, so the "
         "local copy is what loads). Goal: 1.0 on every public page.",
         "",
         "| page | performance | first contentful paint | largest contentful paint | total blocking time | layout shift |",
         "|---|---:|---:|---:|---:|---:|"]
for page, score, fcp, lcp, tbt, cls in rows:
    lines.append(f"| `{page}` | {score} | {fcp} s | {lcp} s | {tbt} ms | {cls} |")
write_section(REPORT, heading, "\n".join(lines) + "\n")
PY
