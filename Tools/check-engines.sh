#!/usr/bin/env bash
# The same answers from both engines: builds the demo city (Tools/demo.sh), copies it into a fresh PostgreSQL
# database (urbangrid copy), runs the same commands on the file and on the URL, and diffs their outputs (the
# database's name masked). Then the other way: a city built on PostgreSQL (init, import, grid build) against the
# same city built in a file, and a generated city (Tools/check/generated-city.py) built on both. Needs the cluster of Tools/pg-cluster.sh (URBANGRID_PG_DIR; Tools/test.sh starts one).
#   Tools/check-engines.sh [BIN_DIR] (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug}"
: "${URBANGRID_PG_DIR:?no PostgreSQL cluster: run Tools/test.sh, or eval the output of Tools/pg-cluster.sh start DIR}"
ug="$bin/urbangrid"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
URBANGRID="$ug" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
url="$(Tools/pg-cluster.sh createdb "$URBANGRID_PG_DIR" ug_engines_copy)"
"$ug" copy "$work/demo.sqlite" "$url" >/dev/null 2>"$work/copy.log" || { cat "$work/copy.log" >&2; exit 1; }

failures=0
# compare NAME ARGS...: ARGS with @DB@ run on the file and on the URL; stdout and exit status must agree
compare() {
  local name="$1"; shift
  local a=() b=()
  local prog="$ug"
  for x in "$@"; do
    [ "$x" = @EXPORT@ ] && { prog="$bin/urbangrid-export"; continue; }
    x="${x//@DB@/$db_file}"; a+=("${x//@SIDE@/file}")
  done
  for x in "$@"; do
    [ "$x" = @EXPORT@ ] && continue
    x="${x//@DB@/$db_url}"; b+=("${x//@SIDE@/pg}")
  done
  local sa=0 sb=0
  "$prog" "${a[@]}" > "$work/$name.file" 2>"$work/$name.file.err" || sa=$?
  "$prog" "${b[@]}" > "$work/$name.pg" 2>"$work/$name.pg.err" || sb=$?
  if [ "$name" = site ] || [ "$name" = vendor-site ] || [ "$name" = gen-site ] || [ "$name" = gen-site-where ]; then  # the solvers' timings are the one part that may differ
    for f in "$work/$name.file" "$work/$name.pg"; do perl -pi -e 's/"timings":\{[^}]*\},//' "$f"; done
  fi
  DB_TEXT="$db_file" perl -pi -e 's/\Q$ENV{DB_TEXT}\E/DB/g' "$work/$name.file"
  DB_TEXT="$db_masked" perl -pi -e 's/\Q$ENV{DB_TEXT}\E/DB/g' "$work/$name.pg"
  WORK="$work" perl -pi -e 's/\Q$ENV{WORK}\E//g; s/(export|h)-(file|pg)/$1-SIDE/g' "$work/$name.file" "$work/$name.pg"
  if [ "$sa" != "$sb" ] || ! cmp -s "$work/$name.file" "$work/$name.pg"; then
    echo "check-engines: $name differs (exit $sa on SpatiaLite, $sb on PostgreSQL)" >&2
    diff "$work/$name.file" "$work/$name.pg" | head -20 >&2 || true
    tail -3 "$work/$name.pg.err" >&2
    failures=$((failures + 1))
  elif [ "$sa" -gt 1 ]; then
    echo "check-engines: $name failed on both engines (exit $sa)" >&2; tail -3 "$work/$name.file.err" >&2
    failures=$((failures + 1))
  fi
  checks=$((checks + 1))
}
source Tools/check/demo-queries.sh   # queries(): the commands compared
checks=0
mask() { echo "$1" | sed -E 's#(//[^:/@]+):[^@]*@#\1:***@#'; }   # the URL as urbangrid shows it
db_file="$work/demo.sqlite"; db_url="$url"; db_masked="$(mask "$url")"
queries

# built on PostgreSQL from the files, as a user would, against the same city built in a file
url2="$(Tools/pg-cluster.sh createdb "$URBANGRID_PG_DIR" ug_engines_built)"
db_url="$url2"; db_masked="$(mask "$url2")"; db_file="$work/built.sqlite"
compare init init @DB@ --format json
for layer in admin:admin streets:streets vendor-zones:vendor_zones stations:stations pois:pois; do
  compare "import-${layer%%:*}" import @DB@ --layer "${layer%%:*}" "GeoData/helsinki/${layer##*:}.geojson" --format json
done
compare grid-build grid build @DB@ --shape square --cell-size 100 --format json
compare import-hazards import @DB@ --layer hazards GeoData/helsinki/hazards.geojson --format json
compare import-chiefs import @DB@ --layer chiefs GeoData/helsinki/chiefs.csv --format json
compare grid-rebuild grid build @DB@ --shape hex --cell-size 150 --area 999901001 --format json
queries
# a hazard resolved and reopened on both (its history, and the exports below carry its status and resolved_at)
compare hazard-resolve hazards set-status @DB@ osm-313959250 --status resolved --at 2026-12-01T10:00 --note 盖板已更换 --as 张三 --format json
compare hazard-reopen hazards set-status @DB@ osm-313959250 --status open --at 2026-12-02T09:00 --as 李四 --format json
compare hazard-resolve-2 hazards set-status @DB@ osm-313959250 --status resolved --at 2026-12-03T16:30 --format json
compare hazard-history hazards history @DB@ osm-313959250 --format json
# the history goes with a copy, either way
url4="$(Tools/pg-cluster.sh createdb "$URBANGRID_PG_DIR" ug_engines_history)"
"$ug" copy "$db_file" "$url4" >/dev/null 2>&1 && "$ug" copy "$url2" "$work/history-back.sqlite" >/dev/null 2>&1 \
  && "$ug" hazards history "$url4" osm-313959250 --format json > "$work/history-copied.pg" \
  && "$ug" hazards history "$work/history-back.sqlite" osm-313959250 --format json > "$work/history-copied.file" \
  && cmp -s "$work/history-copied.pg" "$work/hazard-history.file" && cmp -s "$work/history-copied.file" "$work/hazard-history.file" \
  || { echo "check-engines: the hazard history did not survive a copy" >&2; failures=$((failures + 1)); }
checks=$((checks + 1))

# exports: every layer in every text format, and a filtered one
for f in geojson geojsonseq csv; do
  compare "export-$f" @EXPORT@ @DB@ --all --format "$f" --out "$work/export-@SIDE@-$f" --summary json
  if ! diff -r "$work/export-file-$f" "$work/export-pg-$f" >/dev/null; then echo "check-engines: the $f exports differ" >&2; failures=$((failures + 1)); fi
done
compare export-filtered @EXPORT@ @DB@ --layer hazards --format geojson --where "severity >= 3 AND status = 'open'" --bbox 24.9,60.15,24.96,60.18 --out "$work/h-@SIDE@.geojson"
cmp -s "$work/h-file.geojson" "$work/h-pg.geojson" || { echo "check-engines: the filtered export differs" >&2; failures=$((failures + 1)); }

# a generated city (Tools/check/generated-city.py: seeded, near Zibo, measured in a CGCS2000 Gauss-Krüger zone) built
# on both engines from the same files, then asked lookups by the thousand and the analyses
gen="$work/generated"
python3 Tools/check/generated-city.py "$gen"
url3="$(Tools/pg-cluster.sh createdb "$URBANGRID_PG_DIR" ug_engines_generated)"
db_url="$url3"; db_masked="$(mask "$url3")"; db_file="$work/generated.sqlite"
compare gen-init init @DB@ --format json
for layer in admin:admin streets:streets vendor-zones:vendor_zones stations:stations pois:pois; do
  compare "gen-import-${layer%%:*}" import @DB@ --layer "${layer%%:*}" "$gen/${layer##*:}.geojson" --format json
done
compare gen-grid grid build @DB@ --shape square --cell-size 250 --format json
compare gen-hazards import @DB@ --layer hazards "$gen/hazards.geojson" --format json
# chiefs for every third cell, by the codes the grid got
"$bin/urbangrid-export" "$db_file" --layer grids --format csv --out "$gen/grids.csv" >/dev/null 2>&1
awk -F, 'NR == 1 { print "id,name,phone,grid_code"; next } NR % 3 == 0 { printf "c%d,网格长%d,12345-%d,%s\n", NR, NR, NR, $2 }' "$gen/grids.csv" > "$gen/chiefs.csv"
compare gen-chiefs import @DB@ --layer chiefs "$gen/chiefs.csv" --format json
awk 'BEGIN { srand(7); print "lon,lat"; for (i = 0; i < 3000; i++) printf "%.7f,%.7f\n", 117.995 + rand() * 0.04, 36.795 + rand() * 0.04 }' > "$gen/spots.csv"
compare gen-lookup-many lookup @DB@ --points "$gen/spots.csv" --format json
head -40 "$gen/spots.csv" > "$gen/few.csv"
compare gen-lookup-few lookup @DB@ --points "$gen/few.csv" --format json
compare gen-grid-audit grid audit @DB@ --format json
compare gen-coverage coverage @DB@ --facilities stations --demand grids --radius 400 --network walk --format json
compare gen-hotspots hazards hotspots @DB@ --by community --top 5 --format json
compare gen-hazards-near hazards @DB@ --near 118.015,36.815 --radius 600 --format json
compare gen-vendor-open vendor open @DB@ --at 2026-10-01T18:30 --all --format json
compare gen-stations stations nearest @DB@ --lon 118.012 --lat 36.822 --k 4 --network drive --format json
compare gen-service-area service-area @DB@ --lon 118.012 --lat 36.822 --radius 500 --network walk --format json
compare gen-audit audit @DB@ --rules GeoData/rules/city-rules.json --at 2026-12-07T10:00:00+08:00 --format json
compare gen-site site @DB@ --model mclp --p 3 --radius 600 --demand grids --candidates pois --format json
# coordinates in GCJ-02 / BD-09 / a Gauss-Krüger zone in, and answers in GCJ-02 out (issue 20)
compare gen-lookup-gcj02 lookup @DB@ --lon 118.0210 --lat 36.8150 --crs GCJ02 --format json
compare gen-stations-bd09 stations nearest @DB@ --lon 118.025 --lat 36.828 --crs BD09 --out-crs GCJ02 --k 3 --format json
compare gen-hazards-gk hazards @DB@ --near 590566.606,4076461.164 --crs EPSG:4548 --radius 600 --format json
compare gen-vendor-check-gcj02 vendor check @DB@ --lon 118.0210 --lat 36.8150 --crs GCJ02 --at 2026-10-01T18:30 --format json
compare gen-service-area-gcj02 service-area @DB@ --lon 118.018 --lat 36.824 --crs GCJ02 --radius 500 --format geojson --out-crs GCJ02
compare gen-coverage-where coverage @DB@ --facilities stations --facilities-where "id <> 's1'" --demand grids --radius 400 --format json
compare gen-site-where site @DB@ --model mclp --p 3 --radius 600 --demand grids --candidates pois --candidates-where "id <> 'p58'" --format json
compare gen-export @EXPORT@ @DB@ --all --format geojson --out "$work/gen-export-@SIDE@" --summary json
if ! diff -r "$work/gen-export-file" "$work/gen-export-pg" >/dev/null; then echo "check-engines: the generated city's exports differ" >&2; failures=$((failures + 1)); fi

# a city of districts only (the Zibo boundaries, as a new user starts): lookups answer with the district, and a
# district's grid is built with zeros for the missing street and community (issue 20)
url5="$(Tools/pg-cluster.sh createdb "$URBANGRID_PG_DIR" ug_engines_zibo)"
saved_url="$db_url"; saved_masked="$db_masked"; saved_file="$db_file"
db_url="$url5"; db_masked="$(mask "$url5")"; db_file="$work/zibo.sqlite"
compare zibo-init init @DB@ --format json
compare zibo-import import @DB@ --layer admin GeoData/zibo/districts.geojson --format json
compare zibo-lookup-district lookup @DB@ --lon 118.06088020685128 --lat 36.813623720185916 --crs GCJ02 --format json
compare zibo-grid-area grid build @DB@ --shape square --cell-size 1000 --area 370303 --format json
compare zibo-lookup-cell lookup @DB@ --lon 118.0548 --lat 36.8131 --format json
compare zibo-grid-audit grid audit @DB@ --format json
db_url="$saved_url"; db_masked="$saved_masked"; db_file="$saved_file"

# the service: both engines served side by side, the same routes asked of each (links name the port: masked)
port_file=$((18600 + RANDOM % 400)); port_pg=$((port_file + 1))
"$ug" serve "$db_file" --port "$port_file" > "$work/serve-file.log" 2>&1 & pid_file=$!
"$ug" serve "$db_url" --port "$port_pg" > "$work/serve-pg.log" 2>&1 & pid_pg=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port_file/conformance" >/dev/null && curl -sf "http://127.0.0.1:$port_pg/conformance" >/dev/null && break
  sleep 0.2
done
for route in "/collections" "/collections/grids" "/collections/hazards/items?limit=7" "/collections/hazards/items?datetime=2026-01-01T00:00:00Z/..&limit=3" \
    "/collections/streets/items?bbox=24.93,60.16,24.95,60.17&limit=20&offset=5" "/collections/chiefs/items?limit=3" "/collections/pois/items/1" \
    "/lookup?lon=24.9384&lat=60.1699" "/vendor/check?lon=24.9384&lat=60.1699&at=2026-12-07T10:00:00%2B08:00" \
    "/hazards?near=24.94,60.17&radius=300" "/stations/nearest?lon=24.94&lat=60.17&k=2" \
    "/lookup?lon=118.0210&lat=36.8150&crs=GCJ02" "/stations/nearest?lon=590290.690&lat=4077235.180&crs=EPSG:4548&k=2" \
    "/vendor/open?at=2026-10-01T18:30&near=118.02,36.82&radius=800&crs=BD09"; do
  # pages carry the time they were made (timeStamp): masked too, a second may tick between the two
  a="$(curl -s "http://127.0.0.1:$port_file$route" | sed -e "s/:$port_file/:PORT/g" -e 's/"timeStamp":"[^"]*"/"timeStamp":"T"/g')"
  b="$(curl -s "http://127.0.0.1:$port_pg$route" | sed -e "s/:$port_pg/:PORT/g" -e 's/"timeStamp":"[^"]*"/"timeStamp":"T"/g')"
  checks=$((checks + 1))
  if [ "$a" != "$b" ] || [ -z "$a" ]; then echo "check-engines: serve $route differs" >&2; failures=$((failures + 1)); fi
done
kill "$pid_file" "$pid_pg" 2>/dev/null || true
if grep -q "ug-test-secret" "$work/serve-pg.log"; then echo "check-engines: the service logged the password" >&2; failures=$((failures + 1)); fi

echo "check-engines: $checks commands and routes, $failures differ between SpatiaLite and PostgreSQL"
[ "$failures" -eq 0 ]
