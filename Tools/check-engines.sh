#!/usr/bin/env bash
# The same answers from both engines: builds the demo city (Tools/demo.sh), copies it into a fresh PostgreSQL
# database (urbangrid copy), runs the same commands on the file and on the URL, and diffs their outputs (the
# database's name masked). Then the other way: a city built on PostgreSQL (init, import, grid build) against the
# same city built in a file. Needs the cluster of Tools/pg-cluster.sh (URBANGRID_PG_DIR; Tools/test.sh starts one).
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
  for x in "$@"; do a+=("${x//@DB@/$db_file}"); b+=("${x//@DB@/$db_url}"); done
  local sa=0 sb=0
  "$ug" "${a[@]}" > "$work/$name.file" 2>"$work/$name.file.err" || sa=$?
  "$ug" "${b[@]}" > "$work/$name.pg" 2>"$work/$name.pg.err" || sb=$?
  if [ "$name" = site ]; then  # the solver's timings are the one part that may differ
    for f in "$work/$name.file" "$work/$name.pg"; do perl -pi -e 's/"timings":\{[^}]*\},//' "$f"; done
  fi
  DB_TEXT="$db_file" perl -pi -e 's/\Q$ENV{DB_TEXT}\E/DB/g' "$work/$name.file"
  DB_TEXT="$db_masked" perl -pi -e 's/\Q$ENV{DB_TEXT}\E/DB/g' "$work/$name.pg"
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
echo "check-engines: $checks commands, $failures differ between SpatiaLite and PostgreSQL"
[ "$failures" -eq 0 ]
