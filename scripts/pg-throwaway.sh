#!/usr/bin/env bash
# Throwaway PostgreSQL for tests and development (environment.md recipe).
#
#   scripts/pg-throwaway.sh start        -> prints two lines: "DATABASE_URL=postgres://..." and "PGDIR=/tmp/..."
#   scripts/pg-throwaway.sh stop DIR     -> stops the server started in DIR and removes DIR
#
# Typical use:  eval "$(scripts/pg-throwaway.sh start)"; export TEST_DATABASE_URL=$DATABASE_URL; ...;
#               scripts/pg-throwaway.sh stop "$PGDIR"
# Env: PG_BIN (default: newest /usr/lib/postgresql/*/bin), PG_PORT (default: a free port), PG_DB (default app).
set -euo pipefail

pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [[ -z "$d" ]]; then echo "pg-throwaway: no PostgreSQL found under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; fi
  echo "$d"
}

as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

case "${1:-}" in
  start)
    BIN=$(pg_bin)
    DIR=$(mktemp -d /tmp/pg-throwaway.XXXXXX)
    chmod 755 "$DIR"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$DIR"; fi
    PORT=${PG_PORT:-$(free_port)}
    DB=${PG_DB:-app}
    as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    as_pg "$BIN/pg_ctl" -w -D "$DIR/data" -l "$DIR/server.log" start -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
      || { cat "$DIR/server.log" >&2; exit 1; }
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE $DB" >/dev/null
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/$DB"
    echo "PGDIR=$DIR"
    ;;
  stop)
    DIR=${2:?usage: pg-throwaway.sh stop DIR}
    BIN=$(pg_bin)
    if [[ -d "$DIR/data" ]]; then as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; fi
    case "$DIR" in /tmp/pg-throwaway.*) rm -rf "$DIR" ;; *) echo "pg-throwaway: not removing $DIR (not a throwaway dir)" >&2 ;; esac
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
