#!/usr/bin/env bash
# The servers the tests start for themselves: Debian's redis-server (shared rate limits).
# PostgreSQL is installed by tests/postgres.sh, which .ci/run calls.
set -euo pipefail
if command -v redis-server >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's redis-server for the tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
  # The package starts a system-wide server; the tests start their own on free ports.
  (systemctl stop redis-server || service redis-server stop || true) >/dev/null 2>&1
  exit 0
fi
echo "redis-server is missing and cannot be installed here: the shared-limit tests will be skipped"
