#!/usr/bin/env bash
# Hostile input to the service: runs the bad-request corpus (Tests/UrbanServiceTests/HostileRequests.json, written by
# Tools/check/hostile_corpus.py) through the router and prints its size and every case with its expected and actual
# status, then the summary (failures must be 0; the database must be unchanged). Exits non-zero on any failure.
#   Tools/hostile-check.sh        (SKIP_BUILD=1 to reuse the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=Tests/UrbanServiceTests/HostileRequests.json
echo "hostile-check: corpus $corpus: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$corpus") cases"
[ -n "${SKIP_BUILD:-}" ] || swift build --build-tests >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
swift test --skip-build --filter 'HostileRequestTests' >"$log" 2>&1 || status=$?
grep '^hostile: ' "$log" | sed 's/^hostile: //'
grep -E '(Test|Suite) .*(passed|failed)|recorded an issue' "$log" | tail -n 5 >&2 || true
[ "$status" -eq 0 ] || { echo "hostile-check: FAILED (swift test exit $status)" >&2; exit 1; }
echo "hostile-check: passed"
