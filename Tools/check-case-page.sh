#!/usr/bin/env bash
# The case loop as its users see it, in headless Chromium (Debian's chromium, fonts-noto-cjk): the demo city with
# its month of cases (Tools/demo.sh), `urbangrid serve --enable-cases`; the map page signed in with a viewer's token
# draws exactly the open cases GET /cases lists, a visitor sees none, the token never reaches the URL
# (Tools/check/map_cases.py); the server log never holds the token; the nightly report's 考核 section renders.
#   Tools/check-case-page.sh [BIN_DIR]   (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug}"
Tools/install-deps.sh chromium fonts-noto-cjk libjs-leaflet python3 >/dev/null
python3 -m pip install -q --disable-pip-version-check websocket-client >&2
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
URBANGRID="$bin/urbangrid" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
token="$("$bin/urbangrid" users add "$work/demo.sqlite" --name page-viewer --role viewer --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
URBANGRID_LOG=debug "$bin/urbangrid" serve "$work/demo.sqlite" --host 127.0.0.1 --port 0 --enable-cases 2>"$work/serve.log" &
pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$work/serve.log" | head -n 1 | sed 's/^listening on //' || true)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "check-case-page: urbangrid serve exited:" >&2; cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "check-case-page: urbangrid serve did not start" >&2; exit 1; }
python3 Tools/check/map_cases.py "$url" "$token" "$work/map-cases.png"
if grep -q "${token:20}" "$work/serve.log"; then echo "FAIL the server log holds the token" >&2; exit 1; fi
# the nightly report with its 考核 section, rendered
status=0
"$bin/urbangrid-export" batch GeoData/plans/nightly.json --db "$work/demo.sqlite" --out "$work/nightly" >/dev/null 2>"$work/batch.log" || status=$?
[ "$status" -le 1 ] || { cat "$work/batch.log" >&2; exit 1; }
timeout 120 chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --dump-dom "file://$work/nightly/report.html" 2>/dev/null > "$work/report.dom"
cells=$(grep -o '<canvas' "$work/report.dom" | wc -l || true)   # the maps draw on canvases (preferCanvas)
grep -q '考核 Assessment by grid' "$work/report.dom" || { echo "FAIL the report has no 考核 section" >&2; exit 1; }
grep -q 'id="assessmap"' "$work/report.dom" || { echo "FAIL the report has no assessment map" >&2; exit 1; }
[ "$cells" -ge 2 ] || { echo "FAIL the report's maps drew nothing ($cells canvases)" >&2; exit 1; }
echo "check-case-page: map cases and the 考核 report ok ($cells map canvases drawn in the report)"
