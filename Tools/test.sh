#!/usr/bin/env bash
# The test command: installs what the tests need, then runs the whole suite (XCTest + Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh libjs-leaflet   # the batch report inlines Leaflet; its test checks that
swift build --build-tests
swift test --skip-build
# a real client (GDAL's ogrinfo) opens every exported format
Tools/check-export.sh .build/debug
# a real client (GDAL's OAPIF driver) reads every layer from `urbangrid serve`, paging through the items
Tools/check-oapif.sh .build/debug
# the street-network commands against an independent Shapely/pyproj/SciPy rebuild (skipped without those)
Tools/check-network.sh .build/debug
