#!/usr/bin/env bash
# The servers the tests start for themselves, on free ports: Debian's redis-server (shared rate
# limits) and nginx (the front proxy of deploy/nginx/). PostgreSQL is installed by
# tests/postgres.sh, which .ci/run calls.
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} = 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's ${missing[*]} for the tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  # The packages start system-wide servers; the tests start their own on free ports.
  (systemctl stop redis-server nginx || service redis-server stop; service nginx stop || true) >/dev/null 2>&1
  exit 0
fi
echo "${missing[*]} missing and cannot be installed here: the tests that need them will be skipped"
