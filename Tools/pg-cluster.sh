#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 cluster for the tests and CI (fsync off: never keep data in it).
#
#   Tools/pg-cluster.sh start DIR [PORT]     installs postgresql-15 + postgresql-15-postgis-3 if missing (via
#                                            Tools/install-deps.sh), creates a new cluster in DIR and starts it;
#                                            prints `export ...` lines on stdout, progress on stderr:
#                                              env="$(Tools/pg-cluster.sh start "$PWD/out/pg")" && eval "$env"
#   Tools/pg-cluster.sh stop DIR [--remove]  stops the cluster (pg_ctl -m fast) if running; idempotent;
#                                            --remove also deletes DIR
#   Tools/pg-cluster.sh createdb DIR NAME    (re)creates database NAME owned by urbangrid_test, prints its URL
#
# The cluster listens on 127.0.0.1 only, at PORT (default 54329; the next free port if that one is taken), and on
# the Unix socket directory DIR/socket (trust, as superuser `postgres`).  Over TCP it wants SCRAM passwords:
#   urbangrid_test  / ug-test-secret   LOGIN SUPERUSER REPLICATION
#   urbangrid_plain / plain-secret     LOGIN, no superuser (cannot CREATE EXTENSION postgis)
# The URLs name the `postgres` database, which has PostGIS installed; `createdb` databases do not (template1 is
# left clean), so a test of the "ask your DBA" path uses one of those, e.g. owned by urbangrid_plain.
# wal_level=replica, max_wal_senders=10, hot_standby=on and a `host replication` line let a test start a
# streaming replica with pg_basebackup (as urbangrid_test).  Exports printed by start:
#   URBANGRID_PG_SOCKET URBANGRID_PG_PORT URBANGRID_PG_URL URBANGRID_PG_PLAIN_URL URBANGRID_PG_DIR
#
# Layout of DIR: data/ (PGDATA), socket/, log (server log), port, home.  As root the server runs as the `postgres`
# system user (root cannot run initdb) and DIR is chowned to it.  If `postgres` cannot reach DIR (a parent
# directory without o+x, e.g. a checkout under /root) or DIR/socket would be too long for a Unix socket path, the
# cluster itself lives in a fresh /tmp/urbangrid-pg.XXXXXX instead (DIR/home names it; URBANGRID_PG_SOCKET then
# points there); no permission of any existing directory is changed.  Run as a non-root user, the cluster belongs
# to that user (no runuser) and the superuser role is still called `postgres`.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
DEFAULT_PORT=54329
TEST_USER=urbangrid_test TEST_PASSWORD=ug-test-secret
PLAIN_USER=urbangrid_plain PLAIN_PASSWORD=plain-secret
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "pg-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2; exit 2; }

is_root() { [ "$(id -u)" -eq 0 ]; }
# Runs a server-side program as the cluster's owner, from / (root's cwd may be unreadable for postgres).
as_pg() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}
# psql over the Unix socket as the bootstrap superuser (trust), never reading ~/.psqlrc.
psql_su() { PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$home/socket" -p "$port" -U postgres "$@"; }

# DIR as an absolute path, and where the cluster really lives (DIR itself, or the /tmp home DIR/home names).
resolve_dir() {
  [ -n "${1:-}" ] || usage
  dir="$(realpath -m -- "$1")"
  [ "$dir" != / ] || die "refusing to use / as the cluster directory"
  home="$dir"
  if [ -f "$dir/home" ]; then home="$(cat "$dir/home")"; fi
  port=""
  if [ -f "$dir/port" ]; then port="$(cat "$dir/port")"; fi
}

# True when DIR holds nothing but what this script puts there (so removing it cannot destroy anything else).
ours() {
  local d="$1" f
  [ -d "$d" ] || return 0
  for f in "$d"/* "$d"/.[!.]* "$d"/..?*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    case "${f##*/}" in data|socket|log|port|home) ;; *) return 1 ;; esac
  done
}

# pg_ctl status, except that a postmaster that is only a zombie (killed, and an init that does not reap
# orphans, as in some containers) counts as stopped.
running() {
  [ -f "$home/data/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" status -D "$home/data" >/dev/null 2>&1 || return 1
  local pid state
  pid="$(head -n 1 "$home/data/postmaster.pid" 2>/dev/null)" || return 0
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)" || return 0
  [ "$state" != Z ]
}

stop_server() {
  running || return 0
  log "stopping the cluster in $home/data"
  as_pg "$PG_BIN/pg_ctl" stop -D "$home/data" -m fast -w -t 60 >&2 \
    || as_pg "$PG_BIN/pg_ctl" stop -D "$home/data" -m immediate -w -t 30 >&2
}

remove_all() {
  ours "$dir" || die "$dir holds files that pg-cluster.sh did not create; not removing it"
  if [ "$home" != "$dir" ]; then
    case "$home" in /tmp/urbangrid-pg.?*) rm -rf -- "$home" ;; *) die "unexpected cluster home $home in $dir/home" ;; esac
  fi
  rm -rf -- "$dir"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_free_port() {
  local p="$1"
  while port_in_use "$p"; do
    p=$((p + 1)); [ "$p" -le 65535 ] || die "no free TCP port at or above $1"
  done
  echo "$p"
}

cmd_start() {
  resolve_dir "${1:-}"
  local want="${2:-$DEFAULT_PORT}"
  [[ "$want" =~ ^[0-9]+$ ]] && [ "$want" -ge 1024 ] && [ "$want" -le 65535 ] || die "bad port: $want"

  "$here/install-deps.sh" postgresql-15 postgresql-15-postgis-3 >&2
  [ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb missing after installing postgresql-15"
  if is_root; then id postgres >/dev/null 2>&1 || die "no 'postgres' system user (postgresql-common creates it)"; fi

  # A cluster left behind: refuse a running one, replace a stale one.
  if [ -e "$dir" ]; then
    [ -d "$dir" ] || die "$dir exists and is not a directory"
    if running; then
      die "a cluster is running in $dir (port ${port:-?}); stop it first: $0 stop $dir"
    fi
    ours "$dir" || die "$dir is not empty and was not made by pg-cluster.sh; choose another directory"
    if [ -n "$(ls -A "$dir")" ]; then log "removing the stale cluster in $dir"; fi
    remove_all
  fi
  mkdir -p -- "$dir"
  home="$dir"

  # Where the server can live: DIR, unless postgres cannot reach it or the socket path would be too long.
  local suffix="/socket/.s.PGSQL.65535" reachable=yes
  local sock_len=$(( ${#dir} + ${#suffix} ))
  # Search permission on every parent of DIR is what matters (DIR itself is chowned to postgres below).
  if is_root; then runuser -u postgres -- test -x "$(dirname "$dir")" 2>/dev/null || reachable=no; fi
  if [ "$reachable" = no ] || [ "$sock_len" -gt 107 ]; then
    home="$(mktemp -d /tmp/urbangrid-pg.XXXXXX)"
    echo "$home" > "$dir/home"
    if [ "$reachable" = no ]; then
      log "the postgres user cannot reach $dir (a parent lacks o+x); the cluster lives in $home"
    else
      log "$dir is too long for a Unix socket path; the cluster lives in $home"
    fi
  fi
  if is_root; then chown postgres:postgres "$home"; fi
  chmod 700 "$home"

  log "initdb in $home/data"
  as_pg "$PG_BIN/initdb" -D "$home/data" -U postgres -E UTF8 --no-locale --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >"$home/initdb.log" 2>&1 \
    || { cat "$home/initdb.log" >&2; die "initdb failed"; }
  rm -f "$home/initdb.log"
  as_pg mkdir -m 700 "$home/socket"

  port="$(next_free_port "$want")"
  [ "$port" = "$want" ] || log "port $want is taken; using $port"
  as_pg tee -a "$home/data/postgresql.conf" >/dev/null <<EOF

# --- Tools/pg-cluster.sh: throwaway test cluster ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$home/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
wal_level = replica
max_wal_senders = 10
hot_standby = on
password_encryption = 'scram-sha-256'
EOF
  as_pg tee "$home/data/pg_hba.conf" >/dev/null <<'EOF'
# Tools/pg-cluster.sh: socket = trust; TCP on 127.0.0.1 = SCRAM password (replication included)
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    replication  all   127.0.0.1/32   scram-sha-256
host    all          all   127.0.0.1/32   scram-sha-256
EOF

  # From here on, a failure must not leave a server running.
  trap 'status=$?; if [ "$status" -ne 0 ]; then stop_server || true; fi' EXIT
  local attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    echo "$port" > "$dir/port"
    as_pg rm -f "$home/log"
    log "starting PostgreSQL 15 on 127.0.0.1:$port (socket $home/socket, log $home/log)"
    if as_pg "$PG_BIN/pg_ctl" start -D "$home/data" -l "$home/log" -w -t 120 -s >&2; then
      break
    fi
    # Someone else took the port between the probe and the bind (a parallel job): try the next one.
    if grep -q -e "could not bind" -e "Address already in use" "$home/log" 2>/dev/null && [ "$attempt" -lt 10 ]; then
      log "port $port was taken meanwhile; trying the next free one"
      port="$(next_free_port $((port + 1)))"
      as_pg sed -i "s/^port = .*/port = $port/" "$home/data/postgresql.conf"
      continue
    fi
    tail -n 30 "$home/log" >&2 || true
    die "the server did not start (log: $home/log)"
  done

  log "creating roles $TEST_USER and $PLAIN_USER"
  psql_su -d postgres <<EOF
CREATE ROLE $TEST_USER LOGIN SUPERUSER REPLICATION PASSWORD '$TEST_PASSWORD';
CREATE ROLE $PLAIN_USER LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '$PLAIN_PASSWORD';
EOF

  # Fail loudly here, not in the middle of the tests, when PostGIS is broken.
  log "checking CREATE EXTENSION postgis (scratch database urbangrid_probe)"
  psql_su -d postgres -c 'DROP DATABASE IF EXISTS urbangrid_probe' -c 'CREATE DATABASE urbangrid_probe'
  local version
  version="$(psql_su -d urbangrid_probe -At -c 'CREATE EXTENSION postgis' -c 'SELECT postgis_full_version()')" \
    || die "CREATE EXTENSION postgis failed; is postgresql-15-postgis-3 installed correctly?"
  log "$(printf '%s\n' "$version" | head -n 1)"
  psql_su -d postgres -c 'DROP DATABASE urbangrid_probe'
  # The `postgres` database (the one the URLs name) gets PostGIS too; template1 stays clean, so databases from
  # `createdb` start without it (CREATE EXTENSION there is up to the test, and fails for urbangrid_plain).
  psql_su -d postgres -c 'CREATE EXTENSION postgis'
  trap - EXIT

  local url="postgresql://$TEST_USER:$TEST_PASSWORD@127.0.0.1:$port/postgres"
  local plain="postgresql://$PLAIN_USER:$PLAIN_PASSWORD@127.0.0.1:$port/postgres"
  printf 'export URBANGRID_PG_SOCKET=%q\n' "$home/socket"
  printf 'export URBANGRID_PG_PORT=%q\n' "$port"
  printf 'export URBANGRID_PG_URL=%q\n' "$url"
  printf 'export URBANGRID_PG_PLAIN_URL=%q\n' "$plain"
  printf 'export URBANGRID_PG_DIR=%q\n' "$dir"
  log "ready: $url"
}

cmd_stop() {
  resolve_dir "${1:-}"
  local remove=no
  case "${2:-}" in "") ;; --remove) remove=yes ;; *) usage ;; esac
  [ $# -le 2 ] || usage
  if [ ! -e "$dir" ]; then return 0; fi
  stop_server
  if [ "$remove" = yes ]; then remove_all; fi
}

cmd_createdb() {
  resolve_dir "${1:-}"
  local name="${2:-}"
  [ $# -eq 2 ] || usage
  [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_-]{0,62}$ ]] || die "database name must match [A-Za-z_][A-Za-z0-9_-]* (63 chars at most): $name"
  [ -n "$port" ] || die "no cluster in $dir (no $dir/port); run: $0 start $dir"
  running || die "the cluster in $dir is not running"
  psql_su -d postgres -v "name=$name" -v "owner=$TEST_USER" >&2 <<'EOF'
DROP DATABASE IF EXISTS :"name" WITH (FORCE);
CREATE DATABASE :"name" OWNER :"owner";
EOF
  echo "postgresql://$TEST_USER:$TEST_PASSWORD@127.0.0.1:$port/$name"
}

sub="${1:-}"
[ $# -eq 0 ] || shift
case "$sub" in
  start) [ $# -ge 1 ] && [ $# -le 2 ] || usage; cmd_start "$@" ;;
  stop) [ $# -ge 1 ] || usage; cmd_stop "$@" ;;
  createdb) cmd_createdb "$@" ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
