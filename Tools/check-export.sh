#!/usr/bin/env bash
# A real client reads what urbangrid-export writes: builds the demo database, exports every layer as GeoJSON,
# GeoJSONSeq, CSV and one GeoPackage (WGS84, and GeoJSON in GCJ02 and CGCS2000 / 3-degree GK), then checks with
# GDAL's ogrinfo (Debian gdal-bin) that each file opens with the right feature count and geometry type, and with
# an independent reader (Python's json, shoelace areas) that every polygon ring is wound as RFC 7946 says.
# CI runs it from Tools/test.sh.  Tools/check-export.sh [BIN_DIR] (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug}"
Tools/install-deps.sh gdal-bin python3 >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
URBANGRID="$bin/urbangrid" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
ex="$bin/urbangrid-export"
"$ex" "$work/demo.sqlite" --all --format geojson --out "$work/geojson" --summary json > "$work/geojson.json"
"$ex" "$work/demo.sqlite" --all --format geojsonseq --out "$work/geojsonseq" --summary json > "$work/geojsonseq.json"
"$ex" "$work/demo.sqlite" --all --format csv --out "$work/csv" --summary json > "$work/csv.json"
"$ex" "$work/demo.sqlite" --all --format gpkg --out "$work/city.gpkg" --summary json > "$work/gpkg.json"
"$ex" "$work/demo.sqlite" --all --format geojson --crs GCJ02 --out "$work/gcj02" --summary json > "$work/gcj02.json"
"$ex" "$work/demo.sqlite" --layer grids --format gpkg --crs EPSG:3067 --out "$work/grids-3067.gpkg" --summary json > "$work/gpkg3067.json"
/usr/bin/python3 Tools/check/export_check.py "$work"
