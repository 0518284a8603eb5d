#!/usr/bin/env bash
# `urbangrid serve PRIMARY --replica REPLICA` against a real primary and a real streaming replica: the test cluster
# of Tools/pg-cluster.sh is the primary (a demo city copied into a new database on it); a replica is made with
# pg_basebackup -R -X stream in a scratch folder and started on another loopback port. Checks that
#   1. the routes answer on primary + replica as `urbangrid serve FILE` answers on the demo file (and the replica,
#      not the primary, answered the reads);
#   2. a write on the primary shows through the service (the replica streams it);
#   3. with replay paused on the replica and a write on the primary, it leaves the read pool once its lag passes
#      --max-replica-lag (the reads then see the primary's new value) and comes back when replay resumes;
#   4. with the replica stopped (pg_ctl stop -m immediate) under a loop of requests, every request gets 200;
#   5. started again, the replica is back in the read pool and answers reads again;
#   6. no log line (nor /replicas) holds the password.
# Stops everything it started. Needs the cluster's exports (URBANGRID_PG_DIR, _PORT, _URL, _SOCKET; Tools/test.sh
# starts it). KEEP_WORK=1 keeps the folder with the services' logs.
#   Tools/check-replicas.sh [BIN_DIR] (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug}"
: "${URBANGRID_PG_DIR:?no PostgreSQL cluster: run Tools/test.sh, or eval the output of Tools/pg-cluster.sh start DIR}"
: "${URBANGRID_PG_PORT:?}" "${URBANGRID_PG_URL:?}" "${URBANGRID_PG_SOCKET:?}"
source Tools/check/replica.sh
ug="$bin/urbangrid"
work="$(mktemp -d)"
scratch="$(mktemp -d /tmp/urbangrid-replica.XXXXXX)"   # the replica's cluster: somewhere the postgres user reaches
chmod 711 "$scratch"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  replica_stop "$scratch/r1" immediate
  if [ -n "${KEEP_WORK:-}" ]; then echo "check-replicas: kept $work" >&2; else rm -rf "$work"; fi; rm -rf "$scratch"
}
trap cleanup EXIT
fail() { echo "check-replicas: $*" >&2; failures=$((failures + 1)); }
failures=0 checks=0

URBANGRID="$ug" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
db=ug_replicas
primary="$(Tools/pg-cluster.sh createdb "$URBANGRID_PG_DIR" "$db")"
"$ug" copy "$work/demo.sqlite" "$primary" >/dev/null 2>"$work/copy.log" || { cat "$work/copy.log" >&2; exit 1; }

mkdir "$scratch/r1"
replica_start "$scratch/r1"
replica_wait_streaming "$scratch/r1"
replica="$(replica_url "$scratch/r1" "$db")"
echo "check-replicas: replica streaming on 127.0.0.1:$(cat "$scratch/r1.port")" >&2

# start NAME ARGS…: `urbangrid serve ARGS --port 0` in the background; sets port_NAME from its 'listening' line
start() {
  local name="$1"; shift
  URBANGRID_LOG=info "$ug" serve "$@" --port 0 > "$work/serve-$name.log" 2>&1 &
  pids+=($!)
  local i port=""
  for i in $(seq 300); do
    port="$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$work/serve-$name.log" | head -n 1)"
    [ -n "$port" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/serve-$name.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "check-replicas: serve $name did not start" >&2; cat "$work/serve-$name.log" >&2; exit 1; }
  printf -v "port_$name" '%s' "$port"
}
start file "$work/demo.sqlite"
start replicated "$primary" --replica "$replica" --replica-check-interval 0.5 --max-replica-lag 2
base="http://127.0.0.1:$port_replicated"
replicas() { curl -s "$base/replicas"; }
# field NAME: the first replica's NAME in /replicas (python3 reads the JSON)
field() { replicas | python3 -c "import json,sys; print(json.load(sys.stdin)['replicas'][0]['$1'])"; }
primary_reads() { replicas | python3 -c "import json,sys; print(json.load(sys.stdin)['primary']['reads'])"; }

# 1. the same answers as the file's (links name the port and pages their time: masked)
routes=(
  "/lookup?lon=24.9384&lat=60.1699" "/lookup?lon=24.945&lat=60.172" "/collections" "/collections/hazards"
  "/collections/hazards/items?limit=5" "/collections/hazards/items?limit=5&offset=5"
  "/collections/streets/items?bbox=24.93,60.16,24.95,60.17&limit=20" "/collections/grids/items?limit=3"
  "/collections/chiefs/items?limit=3" "/hazards?near=24.94,60.17&radius=300" "/hazards/hotspots?by=grid&top=5"
  "/vendor/check?lon=24.9384&lat=60.1699&at=2026-12-07T10:00:00%2B08:00" "/stations/nearest?lon=24.94&lat=60.17&k=2"
)
mask() { sed -e "s/:$1/:PORT/g" -e 's/"timeStamp":"[^"]*"/"timeStamp":"T"/g'; }
for route in "${routes[@]}"; do
  a="$(curl -s "http://127.0.0.1:$port_file$route" | mask "$port_file")"
  b="$(curl -s "$base$route" | mask "$port_replicated")"
  checks=$((checks + 1))
  if [ -z "$a" ] || [ "$a" != "$b" ]; then fail "$route differs between the file and primary + replica"; fi
done
reads="$(field reads)"
[ "$(field in_use)" = True ] || fail "the replica is not in the read pool: $(replicas)"
[ "$reads" -gt 0 ] || fail "the replica answered no read: $(replicas)"
[ "$(primary_reads)" -eq 0 ] || fail "the primary answered reads while the replica was in use: $(replicas)"
echo "check-replicas: ${#routes[@]} routes identical on the file and on primary + replica; the replica answered $reads reads, the primary none" >&2

# 2. a write on the primary, seen through the replica
id="$(curl -s "$base/collections/hazards/items?limit=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['features'][0]['id'])")"
on_primary() { "$PG_BIN/psql" -X -q -At -h "$URBANGRID_PG_SOCKET" -p "$URBANGRID_PG_PORT" -U postgres -d "$db" -c "$1"; }
on_replica() { "$PG_BIN/psql" -X -q -At -h "$scratch/r1/socket" -p "$(cat "$scratch/r1.port")" -U postgres -d "$db" -c "$1"; }
on_primary "UPDATE hazards SET severity = 97 WHERE id = '$id'"
seen=no
for _ in $(seq 50); do
  if curl -s "$base/collections/hazards/items/$id" | grep -q '"severity":97'; then seen=yes; break; fi
  sleep 0.1
done
checks=$((checks + 1))
[ "$seen" = yes ] || fail "a write on the primary did not show through the replica within 5 s"

# 3. the replica behind: out of the read pool above the lag bound (2 s here), back when it has caught up
on_replica "SELECT pg_wal_replay_pause()" >/dev/null
on_primary "UPDATE hazards SET severity = 98 WHERE id = '$id'"
paused_at=$(date +%s.%N)
lagged=no
for _ in $(seq 150); do [ "$(field in_use)" = False ] && { lagged=yes; break; }; sleep 0.1; done
checks=$((checks + 1))
if [ "$lagged" = yes ]; then
  reason="$(field reason)"
  echo "check-replicas: replay paused: out of the read pool after $(python3 -c "print(round($(date +%s.%N) - $paused_at, 1))") s ($reason)" >&2
  case "$reason" in "replay lag "*) ;; *) fail "the lagging replica is out for another reason: $reason" ;; esac
  curl -s "$base/collections/hazards/items/$id" | grep -q '"severity":98' || fail "with the replica out, reads do not see the primary's data"
else
  fail "the replica with replay paused stayed in the read pool: $(replicas)"
fi
on_replica "SELECT pg_wal_replay_resume()" >/dev/null
caught_up=no
for _ in $(seq 100); do [ "$(field in_use)" = True ] && { caught_up=yes; break; }; sleep 0.1; done
checks=$((checks + 1))
[ "$caught_up" = yes ] || fail "the replica did not come back after replay resumed: $(replicas)"
curl -s "$base/collections/hazards/items/$id" | grep -q '"severity":98' || fail "the replica, back, does not show the write it replayed"

# 4. the replica stopped under load: every request must still get 200
loop() {  # loop OUT UNTIL_FILE: requests until UNTIL_FILE exists, one status per line
  local out="$1" until="$2" i=0
  while [ ! -e "$until" ]; do
    i=$((i + 1))
    case $((i % 4)) in
      0) r="/collections/hazards/items?limit=5&offset=$((i % 40))" ;;
      1) r="/lookup?lon=24.9$((380 + i % 100))&lat=60.1$((650 + i % 100))" ;;
      2) r="/collections/streets/items?limit=10&offset=$((i % 50))" ;;
      3) r="/collections/hazards" ;;
    esac
    curl -s -o /dev/null -w '%{http_code} %{url_effective}\n' "$base$r" >> "$out"
  done
}
for k in 1 2 3; do loop "$work/loop$k.txt" "$work/stop-loops" & pids+=($!); done
sleep 1.5
before="$(cat "$work"/loop*.txt | wc -l)"
replica_stop "$scratch/r1" immediate
stopped_at=$(date +%s.%N)
# until the monitor has seen it (or 10 s), then 2 s more of requests on the primary alone
for _ in $(seq 100); do [ "$(field in_use)" = False ] && break; sleep 0.1; done
sleep 2
touch "$work/stop-loops"
wait "${pids[-1]}" "${pids[-2]}" "${pids[-3]}" 2>/dev/null || true
total="$(cat "$work"/loop*.txt | wc -l)"
bad="$(cat "$work"/loop*.txt | grep -vc '^200 ' || true)"
checks=$((checks + 1))
if [ "$bad" -ne 0 ]; then
  fail "$bad of $total requests failed with the replica stopped:"; cat "$work"/loop*.txt | grep -v '^200 ' | head -5 >&2
fi
[ "$(field in_use)" = False ] || fail "the stopped replica is still in the read pool: $(replicas)"
on_primary="$(primary_reads)"
[ "$on_primary" -gt 0 ] || fail "no read went to the primary with the replica stopped"
echo "check-replicas: replica stopped after $before requests; $total requests in all, $bad not 200; the primary answered $on_primary reads; reads that lost the replica and were answered elsewhere: $(field failed_reads)" >&2

# 5. started again: back in the read pool, answering reads
replica_restart "$scratch/r1"
back=no
for i in $(seq 150); do
  if [ "$(field in_use)" = True ]; then back=yes; break; fi
  sleep 0.2
done
checks=$((checks + 1))
if [ "$back" = yes ]; then
  reads_before="$(field reads)"
  for i in $(seq 10); do curl -sf -o /dev/null "$base/collections/hazards/items?limit=2&offset=$i" || fail "a request failed after the replica came back"; done
  reads_after="$(field reads)"
  [ "$reads_after" -gt "$reads_before" ] || fail "the replica is in the pool but answered no read ($reads_before, then $reads_after)"
  grep -q "in the read pool" "$work/serve-replicated.log" || fail "no log line says the replica is back"
  echo "check-replicas: the replica back in the read pool $(python3 -c "print(round($(date +%s.%N) - $stopped_at, 1))") s after it was stopped, answering reads again ($reads_before, then $reads_after)" >&2
else
  fail "the replica did not come back into the read pool within 30 s: $(replicas)"
fi

# 6. no password in any log
checks=$((checks + 1))
replica_credentials
if grep -q -F "$replica_password" "$work"/serve-*.log; then fail "a log holds the password"; fi
if replicas | grep -q -F "$replica_password"; then fail "/replicas shows the password"; fi

echo "check-replicas: $checks checks (${#routes[@]} routes compared, a write streamed, a lagging replica out and back, $total requests with the replica stopped, the replica back), $failures failed"
[ "$failures" -eq 0 ]
