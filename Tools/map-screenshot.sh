#!/usr/bin/env bash
# Renders the service's map page (`/` of `urbangrid serve` on the demo database) with headless Chromium (Debian
# chromium) to a PNG, to look at, and prints what the page says it drew (grids, streets, vendor zones, hazards and
# stations in view). Chromium's virtual time budget lets the page's fetches finish before the screenshot.
#   Tools/map-screenshot.sh [PNG] (default out/map.png); URBANGRID_BIN=DIR picks the binaries (default: .build/release
#   when it has `serve`, else .build/debug); MAP_AT=2026-11-21T18:30 sets the vendor-zone time (default: now);
#   MAP_LOOKUP=LON,LAT opens the lookup popup there, as a click would.
# Needs the demo database out/demo.sqlite (made here when missing, as Tools/setup.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
png="${1:-out/map.png}"
if [ -n "${URBANGRID_BIN:-}" ]; then
  bin="$URBANGRID_BIN"
elif .build/release/urbangrid serve --help >/dev/null 2>&1; then
  bin=.build/release
else
  bin=.build/debug
fi
Tools/install-deps.sh chromium fonts-noto-cjk libjs-leaflet >/dev/null
[ -f out/demo.sqlite ] || URBANGRID="$bin/urbangrid" Tools/demo.sh out/demo.sqlite
mkdir -p "$(dirname "$png")"
log="$(mktemp)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -f "$log"
}
trap cleanup EXIT
"$bin/urbangrid" serve out/demo.sqlite --host 127.0.0.1 --port 0 2>"$log" &
pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$log" | head -n 1 | sed 's/^listening on //' || true)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "map-screenshot: urbangrid serve did not start" >&2; cat "$log" >&2; exit 1; }
query=""
[ -n "${MAP_AT:-}" ] && query="at=$MAP_AT"
[ -n "${MAP_LOOKUP:-}" ] && query="${query:+$query&}lookup=$MAP_LOOKUP"
page="$url/${query:+?$query}"
chrome=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=15000 --window-size=1280,900)
"${chrome[@]}" --screenshot="$(realpath -m "$png")" "$page" 2>/dev/null
drawn="$("${chrome[@]}" --dump-dom "$page" 2>/dev/null | grep -o 'data-loaded="[^"]*"' | head -n 1 || true)"
echo "map: $page, screenshot: $png"
echo "drawn: ${drawn:-nothing (the page did not finish loading)}"
[ -n "$drawn" ]
