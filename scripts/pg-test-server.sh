#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 for the Postgres store tests. It never touches the
# system's own cluster: the data lives in its own directory and listens on its own port.
#
#   eval "$(scripts/pg-test-server.sh start)"   # prints: export CONVERGE_TEST_PG_URL=postgres://postgres@127.0.0.1:55432/postgres
#   scripts/pg-test-server.sh status            # "running" or "stopped" (exit 0 / 3)
#   scripts/pg-test-server.sh url               # the URL alone
#   scripts/pg-test-server.sh stop              # stops the server and deletes its data
#
# Idempotent: `start` on a running cluster only prints the URL; `stop` on a stopped one does nothing.
# As root it runs the server as the `postgres` user (PostgreSQL refuses to run as root); as anyone
# else it runs as that user. Settings are tuned for tests, not durability (fsync off).
#
# Environment: CONVERGE_TEST_PG_PORT (default 55432), CONVERGE_TEST_PG_DIR (default
# /tmp/converge-pg-test-<port>), PG_BIN (default: the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

port="${CONVERGE_TEST_PG_PORT:-55432}"
dir="${CONVERGE_TEST_PG_DIR:-${TMPDIR:-/tmp}/converge-pg-test-${port}}"
data="$dir/data"
url="postgres://postgres@127.0.0.1:${port}/postgres"

say() { echo "pg-test-server: $*" >&2; }
die() { say "$*"; exit 1; }

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] || die "no PostgreSQL found in /usr/lib/postgresql/*/bin; install it with: apt-get install -y postgresql (or set PG_BIN)"
  echo "$found"
}
bin=$(find_bin)
[ -x "$bin/pg_ctl" ] || die "$bin/pg_ctl is missing or not executable (set PG_BIN to a PostgreSQL bin directory)"

# Runs a command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user (apt-get install -y postgresql creates it)"
    local cmd
    printf -v cmd '%q ' "$@"
    su postgres -s /bin/sh -c "$cmd"
  else
    "$@"
  fi
}

is_running() { [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
  if is_running; then
    say "already running on 127.0.0.1:$port ($data)"
  else
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
      die "port $port is taken by another server; choose another with CONVERGE_TEST_PG_PORT"
    fi
    mkdir -p "$dir"
    # initdb and the server log write into the directory, so its owner must be the cluster's owner.
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/init.log" 2>&1 \
        || { cat "$dir/init.log" >&2; die "initdb failed (log above)"; }
    fi
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { tail -n 20 "$dir/server.log" >&2 || true; die "the server did not start (log above)"; }
    say "started PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($data)"
  fi
  echo "export CONVERGE_TEST_PG_URL=$url"
}

stop() {
  if is_running; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    say "stopped the server on 127.0.0.1:$port"
  else
    say "no server running from $data"
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo running; else echo stopped; exit 3; fi ;;
  url) echo "$url" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
