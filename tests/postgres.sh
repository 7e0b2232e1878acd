#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a free loopback port and print its URL.
# Debian's package is installed where it is missing (root with apt). The cluster runs as the
# `postgres` user (PostgreSQL refuses root) in a temporary folder; `tests/postgres.sh stop DIR`
# stops it and deletes the folder.
set -euo pipefail
if [ "${1:-}" = stop ]; then
  dir=$2
  pgbin=$(cat "$dir/pgbin")
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
dir=$(mktemp -d /tmp/portal-pg.XXXXXX)
chown postgres "$dir"
echo "$pgbin" > "$dir/pgbin"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$pgbin/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Kept, so that a test which stops the server can start it again as it was (tests/stack.py).
echo "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" > "$dir/options"
runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" -w -l "$dir/log" -o "$(cat "$dir/options")" start >/dev/null
echo "$dir postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
