#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + LeakSanitizer (separate build folder, .build-asan).
# Every C handle (GEOS context/geometry/prepared/STRtree, PROJ context/PJ, sqlite/SpatiaLite) has one
# owner that frees it; a leak report here names the owner that forgot.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
export LSAN_OPTIONS="suppressions=$PWD/Tools/lsan.supp:print_suppressions=0"
swift build --sanitize=address --scratch-path .build-asan --build-tests
swift test --sanitize=address --scratch-path .build-asan --skip-build "$@"
