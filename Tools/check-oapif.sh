#!/usr/bin/env bash
# A real client reads the HTTP service: builds the demo database, starts `urbangrid serve` on a free port, and checks
# with GDAL's OGC API - Features driver (Debian gdal-bin, `OAPIF:`) that every layer is listed as a collection and that,
# for each one, both the feature count GDAL reports (`ogrinfo -so`) and the features GDAL reads by following the
# `next` links (`ogrinfo -al`, counted) equal the database's row count (read with Python's sqlite3, not the service).
# Exits non-zero on any mismatch. CI runs it from Tools/test.sh.  Tools/check-oapif.sh [BIN_DIR] (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug}"
Tools/install-deps.sh gdal-bin python3 >/dev/null
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
URBANGRID="$bin/urbangrid" Tools/demo.sh "$work/demo.sqlite" >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }

"$bin/urbangrid" serve "$work/demo.sqlite" --host 127.0.0.1 --port 0 2>"$work/serve.log" &
pid=$!
url=""
for _ in $(seq 1 600); do   # up to a minute for "listening on http://HOST:PORT"
  url="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$work/serve.log" | head -n 1 | sed 's/^listening on //' || true)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "check-oapif: urbangrid serve exited:" >&2; cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "check-oapif: urbangrid serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "check-oapif: urbangrid serve at $url"

layers=(admin streets vendor-zones hazards stations pois demand chiefs grids)
failures=0
listing="$(ogrinfo -ro "OAPIF:$url" 2>"$work/ogr.err")" || { cat "$work/ogr.err" >&2; exit 1; }
for layer in "${layers[@]}"; do
  if ! grep -Eq "^[0-9]+: $layer( |$)" <<<"$listing"; then
    echo "FAIL collection $layer not listed by ogrinfo" >&2
    failures=$((failures + 1))
  fi
done
listed="$(grep -Ec '^[0-9]+: ' <<<"$listing" || true)"
[ "$listed" -eq "${#layers[@]}" ] || { echo "FAIL ogrinfo lists $listed collections, expected ${#layers[@]}" >&2; failures=$((failures + 1)); }

printf '%-14s %8s %10s %10s\n' collection rows "gdal -so" "gdal read"
for layer in "${layers[@]}"; do
  rows="$(/usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True).execute("SELECT count(*) FROM " + sys.argv[2]).fetchone()[0])' \
    "$work/demo.sqlite" "${layer//-/_}")"
  summary="$(ogrinfo -ro -al -so "OAPIF:$url" "$layer" 2>>"$work/ogr.err")" || { cat "$work/ogr.err" >&2; failures=$((failures + 1)); continue; }
  reported="$(sed -n 's/^Feature Count: //p' <<<"$summary")"
  read_count="$(ogrinfo -ro -al -q "OAPIF:$url" "$layer" 2>>"$work/ogr.err" | grep -c '^OGRFeature(' || true)"
  printf '%-14s %8s %10s %10s\n' "$layer" "$rows" "${reported:-?}" "$read_count"
  if [ "$reported" != "$rows" ] || [ "$read_count" != "$rows" ]; then
    echo "FAIL $layer: database $rows rows, ogrinfo -so reports ${reported:-nothing}, ogrinfo read $read_count" >&2
    failures=$((failures + 1))
  fi
done
pages="$(grep -c 'path=/collections/[a-z-]*/items ' "$work/serve.log" || true)"
echo "check-oapif: GDAL fetched $pages items pages"
if [ "$failures" -gt 0 ]; then
  echo "check-oapif: $failures failure(s); service log:" >&2
  tail -n 20 "$work/serve.log" >&2
  exit 1
fi
echo "check-oapif: every collection listed, every count equal to the database's"
