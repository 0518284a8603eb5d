#!/usr/bin/env bash
# `urbangrid serve` on a PostgreSQL primary alone against the same primary with two streaming replicas (and the
# demo file for reference), under wrk on this machine: lookups at uniformly random spots of the demo city
# (GET /lookup, answered from the warm indexes) and items pages at random offsets (GET /collections/streets/items,
# read from the database on every request). Access log off (URBANGRID_LOG=notice), as Tools/bench/service_bench.py.
# Uses the cluster of Tools/pg-cluster.sh when URBANGRID_PG_DIR is set, else starts one in out/pg-replica-bench.
#   Tools/bench/replica_bench.sh [BIN_DIR] [SECONDS] [CONNECTIONS]   (defaults .build/release, 10, 8)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-.build/release}" seconds="${2:-10}" connections="${3:-8}"
ug="$bin/urbangrid"
command -v wrk >/dev/null || Tools/install-deps.sh wrk >&2
own_cluster=""
if [ -z "${URBANGRID_PG_DIR:-}" ]; then
  own_cluster="$PWD/out/pg-replica-bench"
  Tools/pg-cluster.sh stop "$own_cluster" --remove
  eval "$(Tools/pg-cluster.sh start "$own_cluster")"
fi
source Tools/check/replica.sh
work="$(mktemp -d)"
scratch="$(mktemp -d /tmp/urbangrid-replica-bench.XXXXXX)"
chmod 711 "$scratch"
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  replica_stop "$scratch/r1" fast; replica_stop "$scratch/r2" fast
  rm -rf "$work" "$scratch"
  [ -z "$own_cluster" ] || Tools/pg-cluster.sh stop "$own_cluster" --remove
}
trap cleanup EXIT

URBANGRID="$ug" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
db=ug_replica_bench
primary="$(Tools/pg-cluster.sh createdb "$URBANGRID_PG_DIR" "$db")"
"$ug" copy "$work/demo.sqlite" "$primary" >/dev/null 2>&1
for r in r1 r2; do
  mkdir "$scratch/$r"
  replica_start "$scratch/$r"
  replica_wait_streaming "$scratch/$r"
done
r1="$(replica_url "$scratch/r1" "$db")" r2="$(replica_url "$scratch/r2" "$db")"

# the demo city's box (GeoData/helsinki/boundary.geojson)
cat > "$work/lookup.lua" <<'EOF'
math.randomseed(20261207)
request = function()
  local lon = 24.9348163 + math.random() * (24.9537735 - 24.9348163)
  local lat = 60.1639755 + math.random() * (60.179287 - 60.1639755)
  return wrk.format("GET", string.format("/lookup?lon=%.7f&lat=%.7f", lon, lat))
end
EOF
cat > "$work/items.lua" <<'EOF'
math.randomseed(20261207)
request = function()
  return wrk.format("GET", string.format("/collections/streets/items?limit=10&offset=%d", math.random(0, 200)))
end
EOF
common='done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.2f\n", summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    latency:percentile(99) / 1000))
end'
for f in lookup items; do echo "$common" >> "$work/$f.lua"; done

# bench NAME ARGS…: serve ARGS, then wrk on each route; one table row per route
bench() {
  local name="$1"; shift
  # the access log off (notice), so no 'listening' line either: a free port chosen here
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  URBANGRID_LOG=notice "$ug" serve "$@" --port "$port" > "$work/serve.log" 2>&1 & pid=$!
  for _ in $(seq 600); do  # up once a lookup answers (the indexes warm)
    curl -sf -o /dev/null "http://127.0.0.1:$port/lookup?lon=24.94&lat=60.17" && break
    sleep 0.1
  done
  curl -sf -o /dev/null "http://127.0.0.1:$port/lookup?lon=24.94&lat=60.17" || { cat "$work/serve.log" >&2; exit 1; }
  for route in lookup items; do
    wrk -t 2 -c "$connections" -d "${seconds}s" -s "$work/$route.lua" "http://127.0.0.1:$port" > "$work/wrk.txt"
    read -r n us errors p99 < <(sed -n 's/^RESULT //p' "$work/wrk.txt")
    printf '| %s | %s | %s | %s | %s |\n' "$name" "$route" "$(python3 -c "print(f'{$n / ($us / 1e6):,.0f}')")" "$p99" "$errors"
  done
  if [ "$name" = "primary + 2 replicas" ]; then
    curl -s "http://127.0.0.1:$port/replicas" | python3 -c "
import json, sys
d = json.load(sys.stdin)
print('# reads answered: primary %d, replicas %s' % (d['primary']['reads'], ', '.join(str(r['reads']) for r in d['replicas'])), file=sys.stderr)"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

echo "# $(nproc) cores, wrk -t 2 -c $connections, $seconds s per run, $bin" >&2
echo "| serve | route | requests/s | p99 ms | errors |"
echo "| --- | --- | ---: | ---: | ---: |"
bench "demo file" "$work/demo.sqlite"
bench "primary alone" "$primary"
bench "primary + 2 replicas" "$primary" --replica "$r1" --replica "$r2"
