#!/usr/bin/env bash
# Start or stop throwaway PostgreSQL and Redis servers on free loopback ports for the test suite.
#   scripts/test-services.sh start   -> prints "export DATABASE_URL=... REDIS_URL=..." lines, also
#                                       written to $TEST_SERVICES_STATE/env
#   scripts/test-services.sh stop
# Data lives in a temporary folder with fsync off: fast, and gone after `stop`. Each state folder
# (TEST_SERVICES_STATE, default var/test-services) has its own servers, so `make test` and
# `make bench` running side by side never stop each other's.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${TEST_SERVICES_STATE:-var/test-services}
mkdir -p "$state"

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }; done
  command -v pg_ctl >/dev/null && dirname "$(command -v pg_ctl)" && return
  echo "PostgreSQL server binaries not found: install the Debian package 'postgresql'." >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_pg() {
  # pg_ctl refuses to run as root: run the server as the 'postgres' system user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  stop >/dev/null 2>&1 || true
  local bin pgport redisport dir
  bin=$(pg_bin)
  dir=$(mktemp -d /tmp/flipside-test-XXXXXX)
  chmod 755 "$dir"
  mkdir -p "$dir/pg" "$dir/run"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$dir/pg" "$dir/run"
  pgport=$(free_port)
  as_pg "$bin/initdb" -D "$dir/pg" -U flipside --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$bin/pg_ctl" -D "$dir/pg" -l "$dir/run/postgres.log" -w -t 30 start \
    -o "-p $pgport -k $dir/run -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null
  "$bin/createdb" -h 127.0.0.1 -p "$pgport" -U flipside flipside

  redisport=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redisport" --daemonize yes --save '' --appendonly no \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 50); do redis-cli -p "$redisport" ping >/dev/null 2>&1 && break; sleep 0.1; done

  echo "$dir" >"$state/dir"
  echo "$bin" >"$state/pgbin"
  cat >"$state/env" <<ENV
export DATABASE_URL=postgres://flipside@127.0.0.1:$pgport/flipside
export REDIS_URL=redis://127.0.0.1:$redisport/0
export FLIPSIDE_TEST_REDIS_PORT=$redisport
ENV
  cat "$state/env"
}

stop() {
  [ -f "$state/dir" ] || return 0
  local dir bin
  dir=$(cat "$state/dir"); bin=$(cat "$state/pgbin")
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  if [ -d "$dir/pg" ]; then as_pg "$bin/pg_ctl" -D "$dir/pg" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir" "$state/dir" "$state/env" "$state/pgbin"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
