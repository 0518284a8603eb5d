#!/usr/bin/env bash
# The test command: installs what the tests need, then runs the whole suite (XCTest + Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh libjs-leaflet   # the batch report inlines Leaflet; its test checks that
# a throwaway PostgreSQL 15 + PostGIS 3 cluster for the PostGIS tests (URBANGRID_PG_* in the environment),
# started fresh every run and stopped on exit; its server log stays in out/pg-test/log
pg_dir="$PWD/out/pg-test"
Tools/pg-cluster.sh stop "$pg_dir" --remove
trap 'Tools/pg-cluster.sh stop "$pg_dir" || echo "test.sh: could not stop the cluster in $pg_dir" >&2' EXIT
pg_env="$(Tools/pg-cluster.sh start "$pg_dir")"   # not eval "$(...)" directly: that would hide a failed start
eval "$pg_env"
swift build --build-tests
swift test --skip-build
# a real client (GDAL's ogrinfo) opens every exported format
Tools/check-export.sh .build/debug
# a real client (GDAL's OAPIF driver) reads every layer from `urbangrid serve`, paging through the items
Tools/check-oapif.sh .build/debug
# the same answers from both engines: the demo city's commands on a SpatiaLite file and on PostgreSQL/PostGIS
Tools/check-engines.sh .build/debug
# serve on a PostgreSQL primary with a real streaming replica (pg_basebackup): the same answers as the file, and
# every request answered while the replica is stopped and started again
Tools/check-replicas.sh .build/debug
# the case loop under 100 concurrent writers and SIGKILL during bursts of reports, on both engines; 429 after bad
# tokens, no token in the logs (the short version: 10 s and 5 rounds; CASES_SECONDS/CASES_ROUNDS for the full one)
Tools/check-cases.sh .build/debug
# the street-network commands against an independent Shapely/pyproj/SciPy rebuild: the peers from PyPI, installed
# here so that the check runs (never skipped) on a fresh machine
python3 -m pip install -q --disable-pip-version-check -r Tools/bench/requirements.txt scipy >&2
URBANGRID_STRICT_CHECKS=1 Tools/check-network.sh .build/debug
# the case loop as its users see it: the map page's open cases for a signed-in user (none for a visitor), and the
# nightly report's 考核 section, in headless Chromium
Tools/check-case-page.sh .build/debug
