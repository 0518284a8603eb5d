#!/usr/bin/env bash
# An independent test suite on the service: schemathesis (PyPI) reads our own OpenAPI document (/api) from
# `urbangrid serve` on the demo city, generates requests for every route and parameter it lists, and runs all its
# checks on the answers (no 5xx, status codes, content types and headers as documented, 405 with Allow, bad input
# refused...). Zero failures or the script fails. Installed by Tools/test.sh (pip install schemathesis).
#   Tools/check-schemathesis.sh [BIN_DIR] (default .build/debug) [MAX_EXAMPLES] (default 25)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug}"
examples="${2:-25}"
command -v schemathesis >/dev/null || { echo "check-schemathesis: schemathesis is not installed (python3 -m pip install schemathesis)" >&2; exit 1; }
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
URBANGRID="$bin/urbangrid" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
port=$((19000 + RANDOM % 500))
"$bin/urbangrid" serve "$work/demo.sqlite" --port "$port" > "$work/serve.log" 2>&1 & pid=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/conformance" >/dev/null && break; sleep 0.2; done
# the query indexes are built after the socket opens: wait for them, so that no request meets a cold worker
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/lookup?lon=24.94&lat=60.17" >/dev/null && break; sleep 0.2; done
schemathesis run "http://127.0.0.1:$port/api" --checks all --max-examples "$examples" --seed 20 \
  --suppress-health-check all --no-color > "$work/report.txt" 2>&1 || { cat "$work/report.txt" >&2; echo "check-schemathesis: failures (above)" >&2; exit 1; }
tail -5 "$work/report.txt"
