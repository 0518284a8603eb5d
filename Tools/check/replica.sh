# Streaming replicas of the test cluster (Tools/pg-cluster.sh), for Tools/check-replicas.sh and
# Tools/bench/replica_bench.sh; sourced, not run. Needs URBANGRID_PG_DIR, URBANGRID_PG_PORT and URBANGRID_PG_URL
# (exported by `Tools/pg-cluster.sh start`).
#   replica_start DIR            pg_basebackup -R -X stream of the cluster into DIR/data (DIR: a new folder the
#                                postgres user can reach), then starts it on the next free loopback port, socket in
#                                DIR/socket, log DIR/log; sets replica_port
#   replica_wait_streaming DIR   waits until it replays from the primary (pg_stat_wal_receiver: streaming)
#   replica_stop DIR [MODE]      pg_ctl stop -m MODE (default fast); idempotent
#   replica_restart DIR          pg_ctl start again (same port)
#   replica_url DIR DB           its URL (user and password of URBANGRID_PG_URL)

PG_BIN=/usr/lib/postgresql/15/bin

# Runs a server-side program as the cluster's owner, from / (as Tools/pg-cluster.sh does).
replica_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

# The user and password of the cluster's superuser URL (postgresql://USER:PASS@127.0.0.1:PORT/postgres).
replica_credentials() {
  local rest="${URBANGRID_PG_URL#*://}"
  replica_user="${rest%%:*}"
  rest="${rest#*:}"
  replica_password="${rest%%@*}"
}

replica_free_port() {
  local p="$1"
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

replica_start() {
  local dir="$1"
  replica_credentials
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  replica_as_pg env PGPASSWORD="$replica_password" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$URBANGRID_PG_PORT" \
    -U "$replica_user" -D "$dir/data" -R -X stream -c fast >"$dir.basebackup.log" 2>&1 \
    || { cat "$dir.basebackup.log" >&2; return 1; }
  rm -f "$dir.basebackup.log"
  replica_as_pg mkdir -m 700 "$dir/socket"
  replica_port="$(replica_free_port $((URBANGRID_PG_PORT + 11)))"
  # the primary's settings come with the copy; these lines, later in the file, win
  replica_as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# --- Tools/check/replica.sh: a streaming replica of the test cluster ---
port = $replica_port
unix_socket_directories = '$dir/socket'
hot_standby = on
EOF
  echo "$replica_port" > "$dir.port"
  replica_as_pg "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/log" -w -t 60 -s >&2
}

replica_wait_streaming() {
  local dir="$1" port status i
  port="$(cat "$dir.port")"
  for i in $(seq 150); do
    status="$("$PG_BIN/psql" -X -At -h "$dir/socket" -p "$port" -U postgres -d postgres \
      -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null || true)"
    [ "$status" = streaming ] && return 0
    sleep 0.2
  done
  echo "replica in $dir: not streaming after 30 s (status '${status:-none}'); log:" >&2
  tail -n 20 "$dir/log" >&2
  return 1
}

replica_stop() {
  local dir="$1" mode="${2:-fast}"
  [ -f "$dir/data/postmaster.pid" ] || return 0
  replica_as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m "$mode" -w -t 60 -s >&2 || true
}

replica_restart() {
  local dir="$1"
  replica_as_pg "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/log" -w -t 60 -s >&2
}

replica_url() {
  replica_credentials
  echo "postgresql://$replica_user:$replica_password@127.0.0.1:$(cat "$1.port")/$2"
}
