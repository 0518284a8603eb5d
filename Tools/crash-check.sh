#!/usr/bin/env bash
# Crash safety, checked by killing the real commands: imports (GeoJSON and CSV) and `grid build` are killed with
# SIGKILL at random moments (half uniform over the measured run time, half aimed at the write: 0-30 ms after its
# first pages reach the WAL), and each time the database must pass
# `PRAGMA integrity_check` and `rtreecheck`, and hold either all or none of the write (the layer's rows, compared
# with an uninterrupted run). Then readers (SpatiaLite SELECTs, `urbangrid lookup`) must keep answering during a long
# write (WAL), and exports killed by SIGKILL or SIGINT must leave the older file or the complete export under the
# final name. Prints rounds, kills per phase and failures; exits 1 on any failure.
#   Tools/crash-check.sh [ROUNDS]   (default 200 kill rounds, and ROUNDS/4 export rounds)
#   BIN=.build/debug Tools/crash-check.sh 40    (another build; SEED=N repeats a run's random delays)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-200}"
bin="${BIN:-.build/release}"
Tools/install-deps.sh libsqlite3-mod-spatialite python3 >/dev/null
if [ -z "${BIN:-}" ]; then
  swift build -c release --product urbangrid >&2
  swift build -c release --product urbangrid-export >&2
fi
exec /usr/bin/python3 Tools/check/crash_check.py --bin "$bin" --rounds "$rounds" ${SEED:+--seed "$SEED"}
