#!/usr/bin/env bash
# Renders the nightly audit report (GeoData/plans/nightly.json on the demo database) with headless Chromium
# (Debian chromium) to a PNG, to look at.  Tools/report-screenshot.sh [PNG] (default out/report.png)
# Needs the demo database: Tools/setup.sh makes it.
set -euo pipefail
cd "$(dirname "$0")/.."
png="${1:-out/report.png}"
bin="${URBANGRID_BIN:-.build/release}"
Tools/install-deps.sh chromium fonts-noto-cjk libjs-leaflet >/dev/null
[ -f out/demo.sqlite ] || URBANGRID="$bin/urbangrid" Tools/demo.sh out/demo.sqlite
status=0
"$bin/urbangrid-export" batch GeoData/plans/nightly.json --out out/nightly || status=$?
[ "$status" -le 1 ] || exit "$status"   # 1 = the audits found problems (documented)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
  --virtual-time-budget=5000 --window-size=1280,2200 --screenshot="$(realpath -m "$png")" \
  "file://$(realpath out/nightly/report.html)" 2>/dev/null
echo "report: out/nightly/report.html, screenshot: $png"
