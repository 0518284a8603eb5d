#!/usr/bin/env bash
# The service under load: builds release, makes (once, kept in out/load-test/) the service benchmark's 160,000-cell city
# with streets, vendor zones, hazards and stations, starts `urbangrid serve` (access log off), and runs wrk on loopback at
# saturation for SECONDS against each of lookup, vendor check, hazards and OGC API items in turn (Lua scripts drawing
# random spots, times and boxes), sampling the server's RSS every 2 s. Prints per endpoint requests/s, p50/p99/max,
# socket errors and non-2xx answers (must be 0) and RSS at start and end (flat: within 10 % after warm-up); exits 1
# otherwise. Needs wrk (installed here through Tools/install-deps.sh) and pyproj.
#   Tools/load-test.sh [SECONDS]   (default 60 per endpoint; KEEP=DIR for another work folder)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
Tools/install-deps.sh wrk sqlite3 >/dev/null
python3 -c 'import pyproj' 2>/dev/null || python3 -m pip install -q pyproj >&2
swift build -c release --product urbangrid >&2
mkdir -p out
exec python3 Tools/bench/load_test.py --bin .build/release --seconds "$seconds" --keep "${KEEP:-out/load-test}"
