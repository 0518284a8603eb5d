#!/usr/bin/env bash
# Before/after proof for a refactor: the same demo city built and asked by two builds of urbangrid must give
# byte-identical answers (every command of Tools/check/demo-queries.sh, every layer exported as GeoJSON, GeoJSONSeq and CSV,
# the nightly batch's files but its GeoPackage, which holds its write time). Build the old commit in a worktree first, e.g.
#   git worktree add /tmp/base <commit> && (cd /tmp/base && swift build)
#   Tools/compare-answers.sh /tmp/base/.build/debug .build/debug
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?old BIN_DIR}" new="${2:?new BIN_DIR}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for side in old new; do
  bin="${!side}"
  URBANGRID="$bin/urbangrid" Tools/demo.sh "$work/$side.sqlite" >/dev/null 2>"$work/$side-demo.log" || { cat "$work/$side-demo.log" >&2; exit 1; }
  for f in geojson geojsonseq csv; do
    "$bin/urbangrid-export" "$work/$side.sqlite" --all --format "$f" --out "$work/$side-export/$f" >/dev/null 2>&1
  done
  "$bin/urbangrid-export" batch GeoData/plans/nightly.json --db "$work/$side.sqlite" --out "$work/$side-nightly" --summary json \
    > "$work/$side-nightly.json" 2>/dev/null || true
done
failures=0 checks=0
compare() {
  local name="$1"; shift
  local a=() b=()
  for x in "$@"; do a+=("${x//@DB@/$work/old.sqlite}"); b+=("${x//@DB@/$work/new.sqlite}"); done
  local sa=0 sb=0
  "$old/urbangrid" "${a[@]}" > "$work/$name.old" 2>/dev/null || sa=$?
  "$new/urbangrid" "${b[@]}" > "$work/$name.new" 2>/dev/null || sb=$?
  perl -pi -e 's/"timings":\{[^}]*\},//; s#\Q'"$work"'\E/(old|new)#DB#g' "$work/$name.old" "$work/$name.new"
  if [ "$sa" != "$sb" ] || ! cmp -s "$work/$name.old" "$work/$name.new"; then
    echo "compare-answers: $name differs (exit $sa before, $sb after)" >&2
    diff "$work/$name.old" "$work/$name.new" | head -10 >&2 || true
    failures=$((failures + 1))
  fi
  checks=$((checks + 1))
}
source Tools/check/demo-queries.sh
queries
for d in export; do
  if ! diff -r "$work/old-$d" "$work/new-$d" >/dev/null; then echo "compare-answers: exports differ" >&2; failures=$((failures + 1)); fi
done
for f in summary.json report.html; do
  [ -f "$work/old-nightly/$f" ] || continue
  perl -pi -e 's#\Q'"$work"'\E/(old|new)#DB#g; s/"(generated_at|elapsed_s|duration_s)":[^,}]*//g' "$work/old-nightly/$f" "$work/new-nightly/$f"
done
if ! diff -r -x report.html -x "*.gpkg" "$work/old-nightly" "$work/new-nightly" >/dev/null; then
  echo "compare-answers: the nightly batch's files differ" >&2; diff -r -x report.html -x "*.gpkg" "$work/old-nightly" "$work/new-nightly" | head -10 >&2; failures=$((failures + 1))
fi
echo "compare-answers: $checks commands, every layer in 3 formats and the nightly batch; $failures differ"
[ "$failures" -eq 0 ]
