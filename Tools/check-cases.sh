#!/usr/bin/env bash
# The case loop's reliability and security (issue 18) on both engines, through `urbangrid serve --enable-cases`
# (Tools/check/case_check.py, run once on a SpatiaLite file and once on PostgreSQL, each a copy of the demo city
# with GeoData/cases' tables and one user per role):
#   A. WRITERS concurrent writers for SECONDS mix every transition and new reports on one set of cases: every case's
#      events replay to its final state, the events per case and action equal the 2xx answers, no 5xx;
#   B. ROUNDS rounds of SIGKILL during a burst of reports: every report answered 201 is stored exactly once (the
#      requests cut off are sent again with their Idempotency-Key), nothing half-applied (read from the database);
#   C. bad tokens get 401 up to the limit, then 429; no token appears in the server logs (access log on).
# Needs the cluster's exports (URBANGRID_PG_DIR, _PORT, _URL, _SOCKET; Tools/test.sh starts it), sqlite3 and psql.
#   Tools/check-cases.sh [BIN_DIR]   (default .build/debug)
#   CASES_WRITERS=100 CASES_SECONDS=60 CASES_ROUNDS=20 Tools/check-cases.sh .build/release   (the full run; the
#   defaults, 100 writers for 10 s and 5 rounds, are the short version Tools/test.sh runs)
#   KEEP_WORK=1 keeps the folder with the servers' logs.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug}"
: "${URBANGRID_PG_DIR:?no PostgreSQL cluster: run Tools/test.sh, or eval the output of Tools/pg-cluster.sh start DIR}"
: "${URBANGRID_PG_PORT:?}" "${URBANGRID_PG_URL:?}" "${URBANGRID_PG_SOCKET:?}"
writers="${CASES_WRITERS:-100}" seconds="${CASES_SECONDS:-10}" rounds="${CASES_ROUNDS:-5}"
command -v sqlite3 >/dev/null || Tools/install-deps.sh sqlite3 >/dev/null
work="$(mktemp -d)"
cleanup() { if [ -n "${KEEP_WORK:-}" ]; then echo "check-cases: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

URBANGRID="$bin/urbangrid" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
cp "$work/demo.sqlite" "$work/cases.sqlite"
url="$(Tools/pg-cluster.sh createdb "$URBANGRID_PG_DIR" ug_check_cases)"
"$bin/urbangrid" copy "$work/demo.sqlite" "$url" >/dev/null 2>"$work/copy.log" || { cat "$work/copy.log" >&2; exit 1; }

status=0
for engine in spatialite postgresql; do
  db="$work/cases.sqlite"; [ "$engine" = postgresql ] && db="$url"
  echo "check-cases: $engine: $writers writers for $seconds s, $rounds kill rounds" >&2
  python3 Tools/check/case_check.py --bin "$bin" --db "$db" --work "$work" --label "$engine" \
    --writers "$writers" --seconds "$seconds" --rounds "$rounds" > "$work/$engine.json" || status=1
  cat "$work/$engine.json"
done
[ "$status" -eq 0 ] && echo "check-cases: both engines passed" >&2 || echo "check-cases: FAILED (above)" >&2
exit "$status"
