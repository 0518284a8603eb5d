#!/usr/bin/env bash
# Independent checks of the street-network commands on the demo database: network coverage of the grid by the
# stations (Tools/check/network_check.py) and service areas (Tools/check/service_area_check.py), both walking and
# driving, recomputed with Shapely 2, pyproj and SciPy. Needs a python3 with those (Tools/bench/requirements.txt
# plus scipy; Tools/test.sh installs them); skipped with a note when it has not, a failure under URBANGRID_STRICT_CHECKS. Tools/check-network.sh [BIN_DIR] (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug}"
if ! python3 -c "import shapely, pyproj, scipy, numpy" 2>/dev/null; then
    # Tools/test.sh installs them and sets URBANGRID_STRICT_CHECKS: there a missing peer is a failure, not a skip
    [ -n "${URBANGRID_STRICT_CHECKS:-}" ] && { echo "check-network: python3 lacks shapely, pyproj, scipy or numpy" >&2; exit 1; }
    echo "check-network: skipped (python3 lacks shapely, pyproj, scipy or numpy)" >&2
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
URBANGRID="$bin/urbangrid" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
for mode in walk drive; do
    python3 Tools/check/network_check.py "$work/demo.sqlite" --network "$mode" --urbangrid "$bin/urbangrid" | tail -1
    python3 Tools/check/service_area_check.py "$work/demo.sqlite" --network "$mode" --radius 300 --spots 10 --urbangrid "$bin/urbangrid" | tail -1
done
