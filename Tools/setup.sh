#!/usr/bin/env bash
# One command on a fresh Debian 12 machine with Swift: install the system packages, build UrbanGrid
# (release), and run the main job on the bundled GeoData/ (load the Helsinki streets into a new
# SpatiaLite database and print a summary).
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release
mkdir -p out
rm -f out/demo.sqlite out/demo.sqlite-wal out/demo.sqlite-shm
.build/release/urbangrid demo --db out/demo.sqlite --data GeoData/helsinki/streets.geojson
