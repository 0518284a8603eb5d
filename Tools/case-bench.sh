#!/usr/bin/env bash
# The case loop's speed (issue 18) in one run: case intake through `urbangrid serve --enable-cases` under wrk on
# PostgreSQL and SpatiaLite against pgbench doing the same writes with an ST_Contains grid join, and assessment over
# 1,000,000 generated cases per grouping on both engines (Tools/bench/case_bench.py says what exactly is measured).
# Installs wrk, pgbench (postgresql-client-15) and sqlite3 from Debian through Tools/install-deps.sh, builds release,
# starts a throwaway cluster (Tools/pg-cluster.sh; or uses the one named by URBANGRID_PG_* when set).
#   Tools/case-bench.sh [case_bench.py options: --seconds 20 --connections 32 --cases 1000000 --markdown FILE …]
#   BIN=DIR Tools/case-bench.sh …   (an existing release build; no build)
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh wrk postgresql-client-15 sqlite3 >/dev/null
if [ -z "${BIN:-}" ]; then swift build -c release --product urbangrid >&2; fi
mkdir -p out
exec python3 Tools/bench/case_bench.py --bin "${BIN:-.build/release}" "$@"
