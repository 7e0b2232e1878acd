#!/usr/bin/env bash
# A Chromium for the browser tests: Debian's package where apt works as root (a browser
# download is not reachable everywhere), else Playwright's own build.
set -euo pipefail
bin=${1:-.venv/bin}
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Installing Playwright's Chromium for the browser tests…"
"$bin/python" -m playwright install chromium
