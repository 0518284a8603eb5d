#!/usr/bin/env bash
# One command on a fresh Debian 12 machine with Swift: install the system packages, build UrbanGrid
# (release), and run the main job on the bundled GeoData/: build the demo database (every layer of the
# Helsinki demo set, the Zibo districts from GCJ-02), then summarise the street network.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release
Tools/demo.sh out/demo.sqlite
rm -f out/streets.sqlite out/streets.sqlite-wal out/streets.sqlite-shm
.build/release/urbangrid demo --db out/streets.sqlite --data GeoData/helsinki/streets.geojson
