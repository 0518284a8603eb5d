#!/usr/bin/env bash
# Build the demo database from GeoData/: every layer of the Helsinki demo set (see GeoData/README.md)
# and the Zibo districts (GCJ-02 source, imported with --crs GCJ02 into a second database).
#   Tools/demo.sh [DB]   (default out/demo.sqlite; an existing file is replaced)
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-out/demo.sqlite}"
bin="${URBANGRID:-.build/release/urbangrid}"
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm"
"$bin" init "$db" --timezone Asia/Shanghai
for layer in admin:admin streets:streets vendor-zones:vendor_zones stations:stations hazards:hazards pois:pois; do
  "$bin" import "$db" --layer "${layer%%:*}" "GeoData/helsinki/${layer##*:}.geojson"
done
zibo="${db%.sqlite}-zibo.sqlite"
rm -f "$zibo" "$zibo-wal" "$zibo-shm"
"$bin" init "$zibo" --timezone Asia/Shanghai
"$bin" import "$zibo" --layer admin GeoData/zibo/districts_gcj02.geojson --crs GCJ02 --id-field adcode
echo "demo databases: $db (Helsinki, synthetic admin codes 999901...), $zibo (Zibo districts)"
