#!/usr/bin/env bash
# Build the demo database from GeoData/: every layer of the Helsinki demo set (see GeoData/README.md),
# a 100 m square unit grid over its (synthetic) communities, the chiefs, the 门前三包 frontage units, and the grid audit; a copy with
# street-block grids instead; and the Zibo
# districts (GCJ-02 source, imported with --crs GCJ02) in a second database.
#   Tools/demo.sh [DB]   (default out/demo.sqlite; an existing file is replaced)
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-out/demo.sqlite}"
bin="${URBANGRID:-.build/release/urbangrid}"
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm"
"$bin" init "$db" --timezone Asia/Shanghai
for layer in admin:admin streets:streets vendor-zones:vendor_zones stations:stations pois:pois; do
  "$bin" import "$db" --layer "${layer%%:*}" "GeoData/helsinki/${layer##*:}.geojson"
done
"$bin" grid build "$db" --shape square --cell-size 100
"$bin" import "$db" --layer hazards GeoData/helsinki/hazards.geojson   # after the grid: hazards get their cell
"$bin" import "$db" --layer chiefs GeoData/helsinki/chiefs.csv   # 片长 with hours and AB角, 路长, 门前三包 holders
"$bin" frontage build "$db" --kinds shop   # 门前三包: a 5 m pavement strip in front of every shop
URBANGRID="$bin" Tools/demo-cases.sh "$db"   # the case loop: tables, users, a month of cases (for the nightly 考核)
status=0
# at a fixed moment (a Monday evening: community 2-x's chiefs are off and have no backup on duty), so the file is
# the same whenever the demo is built
"$bin" grid audit "$db" --at 2026-12-07T19:00+08:00 > "${db%.sqlite}-audit.txt" || status=$?
[ "$status" -le 1 ] || exit "$status"   # 1 = findings (documented), anything else is an error
tail -n 1 "${db%.sqlite}-audit.txt"

blocks="${db%.sqlite}-blocks.sqlite"   # the same city with street-block grids (万米单元网格, ~10,000 m²) instead
rm -f "$blocks" "$blocks-wal" "$blocks-shm"
cp "$db" "$blocks"
"$bin" grid build "$blocks" --shape block --target-area 10000
status=0
"$bin" grid audit "$blocks" --at 2026-12-07T19:00+08:00 > "${blocks%.sqlite}-audit.txt" || status=$?
[ "$status" -le 1 ] || exit "$status"
tail -n 1 "${blocks%.sqlite}-audit.txt"

zibo="${db%.sqlite}-zibo.sqlite"
rm -f "$zibo" "$zibo-wal" "$zibo-shm"
"$bin" init "$zibo" --timezone Asia/Shanghai
"$bin" import "$zibo" --layer admin GeoData/zibo/districts_gcj02.geojson --crs GCJ02 --id-field adcode
echo "demo databases: $db (Helsinki, synthetic admin codes 999901..., 100 m square grid; audit in ${db%.sqlite}-audit.txt), $blocks (street-block grid), $zibo (Zibo districts)"
