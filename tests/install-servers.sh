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
  # The tests start their own servers on free ports: the packages must not start theirs
  # (port 80 may be taken, and a failed start would fail the install).
  policy=/usr/sbin/policy-rc.d
  made_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=yes
  fi
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  if [ "$made_policy" = yes ]; then rm -f "$policy"; fi
  exit 0
fi
echo "${missing[*]} missing and cannot be installed here: the tests that need them will be skipped"
