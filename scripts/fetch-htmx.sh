#!/usr/bin/env bash
# Refresh app/static/vendor/htmx-VERSION.min.js from the npm package and check it against
# the SRI hash pinned in app/htmx.py (the hash the CDN copy must match too).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(python3 -c 'import re;print(re.search(r"VERSION = \"(.+?)\"", open("app/htmx.py").read())[1])')
pinned=$(python3 -c 'import re;print(re.search(r"INTEGRITY = \"(.+?)\"", open("app/htmx.py").read())[1])')
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@$version" >/dev/null && tar xzf "htmx.org-$version.tgz")
actual="sha384-$(openssl dgst -sha384 -binary "$work/package/dist/htmx.min.js" | openssl base64 -A)"
if [ "$actual" != "$pinned" ]; then
  echo "htmx.org@$version hashes to $actual, app/htmx.py pins $pinned" >&2
  exit 1
fi
cp "$work/package/dist/htmx.min.js" "app/static/vendor/htmx-$version.min.js"
echo "app/static/vendor/htmx-$version.min.js matches $pinned"
