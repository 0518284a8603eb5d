#!/usr/bin/env bash
# UrbanGrid's benchmark against its peers, in one run: Shapely 2 / pyproj / Python json
# (Tools/bench/peers.py) and urbangrid-bench (release build) on the same inputs
# (../shared/anchors: the 1,000,000 splitmix64 points, the Helsinki cells, the 160,000-cell grid),
# then the ratios (Tools/bench/compare.py). Absolute times on shared machines are noise; ratios count.
#   Tools/bench.sh [--repeat N] [--cases pip_helsinki,pip_synth,proj_bulk,geojson_parse,geojson_write]
#   SITE_BENCH=1 Tools/bench.sh   also site selection against spopt + CBC (Tools/bench/site_bench.py)
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
python3 -c "import shapely, pyproj, numpy" 2>/dev/null || python3 -m pip install -q -r Tools/bench/requirements.txt
anchors="${ANCHORS:-../shared/anchors}"
out="${OUT:-out/bench}"
mkdir -p "$out"
swift build -c release --product urbangrid-bench >&2
echo "== peers (Shapely/pyproj/json) ==" >&2
python3 Tools/bench/peers.py --anchors "$anchors" "$@" > "$out/peers.jsonl"
echo "== urbangrid ==" >&2
.build/release/urbangrid-bench --anchors "$anchors" "$@" > "$out/urbangrid.jsonl"
python3 Tools/bench/compare.py "$out/urbangrid.jsonl" "$out/peers.jsonl" | tee "$out/ratios.txt"
echo "== export: urbangrid-export against ogr2ogr, 1,000,000 points (Tools/bench/export_bench.py) ==" >&2
swift build -c release --product urbangrid --product urbangrid-export >&2 2>/dev/null || { swift build -c release --product urbangrid >&2; swift build -c release --product urbangrid-export >&2; }
command -v ogr2ogr >/dev/null || Tools/install-deps.sh gdal-bin >/dev/null
python3 Tools/bench/export_bench.py --bin .build/release --n "${EXPORT_N:-1000000}" | tee "$out/export.txt"
echo "== network matrix: urbangrid Dijkstra against SciPy csgraph (Tools/bench/network_bench.py) ==" >&2
swift build -c release --product urbangrid-bench >&2
python3 -c "import scipy" 2>/dev/null || python3 -m pip install -q scipy
python3 Tools/bench/network_bench.py --bin .build/release | tee "$out/network.txt"
if [ -f out/demo.sqlite ]; then
  echo "== batch lookup: urbangrid lookup --points against Shapely (Tools/bench/lookup_bench.py) ==" >&2
  python3 Tools/bench/lookup_bench.py --bin .build/release --n "${LOOKUP_N:-1000000}" | tee "$out/lookup.txt"
fi
if [ -n "${SITE_BENCH:-}" ]; then  # about 20 minutes, most of it spopt on the generated 20,000 x 2,000 instance
  echo "== site selection: urbangrid site against spopt + CBC (Tools/bench/site_bench.py) ==" >&2
  swift build -c release --product urbangrid >&2
  python3 -c "import spopt, pulp, pandas" 2>/dev/null || python3 -m pip install -q spopt pulp pandas
  python3 Tools/bench/site_bench.py --urbangrid .build/release/urbangrid | tee "$out/site.txt"
fi
# The service under load (wrk against PostGIS + pgbench) needs PostgreSQL: python3 Tools/bench/service_bench.py
