#!/usr/bin/env bash
# One command on a fresh Debian 12 machine with Swift: install the system packages, build UrbanGrid
# (release), and run the main job on the bundled GeoData/: build the demo database (every layer of the
# Helsinki demo set, the Zibo districts from GCJ-02), summarise the street network, and run the nightly
# export-and-audit plan (GeoData/plans/nightly.json) into out/nightly (layers, audits, report.html).
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh libjs-leaflet
swift build -c release
Tools/demo.sh out/demo.sqlite
rm -f out/streets.sqlite out/streets.sqlite-wal out/streets.sqlite-shm
.build/release/urbangrid demo --db out/streets.sqlite --data GeoData/helsinki/streets.geojson
status=0
.build/release/urbangrid-export batch GeoData/plans/nightly.json || status=$?
[ "$status" -le 1 ] || exit "$status"   # 1 = the audits found problems (the demo has cells without a chief)
