#!/usr/bin/env bash
# Fuzzes every parser of user input with libFuzzer + AddressSanitizer (see SECURITY.md, Fuzzing).
#   Tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      default 600 s, every target, one after the other
# Targets: geojson geojsonseq wkt wkb csv points opening_hours rules batchplan http-params case-body.
# Environment: FUZZ_JOBS=2 runs two targets at once (2 cores); FUZZ_OUT=dir for the scratch corpora, logs and
# crash artifacts (default .build-fuzz/fuzz-out, git-ignored); FUZZ_TIMEOUT (s per input, default 10);
# FUZZ_RSS_MB (default 2048); FUZZ_NO_BUILD=1 to reuse the built binary.
# Prints a table (target, seconds, executions, exec/s, corpus size, findings) and exits 1 if anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
all=(geojson geojsonseq wkt wkb csv points opening_hours rules batchplan http-params case-body)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")
jobs=${FUZZ_JOBS:-1}
timeout=${FUZZ_TIMEOUT:-10}
rss=${FUZZ_RSS_MB:-2048}
scratch=.build-fuzz
out=${FUZZ_OUT:-$scratch/fuzz-out}

Tools/install-deps.sh
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  # `-sanitize=fuzzer` cannot be used with SwiftPM here: it links libFuzzer's own main next to the executable's
  # (SwiftPM aliases main with --defsym) and ld.gold dies ("internal error in format_file_lineno"). So: ASan plus
  # libFuzzer's coverage instrumentation on every Swift target of the product (SpatialCore, UrbanModel,
  # FuzzTargets), and the runtime without main; URBANGRID_LIBFUZZER makes our main call LLVMFuzzerRunDriver.
  runtime=$(ls "$(dirname "$(readlink -f "$(command -v swiftc)")")"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -1)
  swift build --scratch-path "$scratch" -c debug --product urbangrid-fuzz \
    -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
    -Xswiftc -DURBANGRID_LIBFUZZER -Xlinker "$runtime" -Xlinker -lstdc++ 2>&1 \
    | { grep -v "Cannot export local symbol '__asan" || true; } >&2  # ld.gold's harmless noise about ASan's symbols
fi
bin=$(swift build --scratch-path "$scratch" -c debug --show-bin-path)/urbangrid-fuzz
mkdir -p "$out"

run_target() {
  local t=$1 dir="$out/$t"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  # New inputs go to the scratch corpus (first directory); the seeds in Tests/FuzzCorpus are read only.
  # detect_leaks=0: a parser error leaves Foundation/Swift runtime caches that LSan reports at exit otherwise;
  # the leak check of the parsers is the ASan test run (Tools/asan.sh).
  # SWIFT_BACKTRACE=enable=no: Swift's crash backtracer reads the stack in a way ASan reports as an underflow.
  local t0; t0=$(date +%s)
  URBANGRID_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    "$bin" "$dir/corpus" "Tests/FuzzCorpus/$t" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss" \
    -artifact_prefix="$dir/artifacts/" -print_final_stats=1 >"$dir/log.txt" 2>&1 || true
  echo $(( $(date +%s) - t0 )) >"$dir/seconds"
}

start=$(date +%s)
running=0
for t in "${targets[@]}"; do
  [ -d "Tests/FuzzCorpus/$t" ] || { echo "fuzz.sh: unknown target $t (${all[*]})" >&2; exit 2; }
  rm -rf "$out/$t/artifacts" "$out/$t/seconds"
  run_target "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then wait -n || true; running=$((running - 1)); fi
done
wait

found=0
printf '%-14s %8s %12s %8s %8s  %s\n' target seconds executions exec/s corpus findings
for t in "${targets[@]}"; do
  log="$out/$t/log.txt"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(cat "$out/$t/seconds" 2>/dev/null || echo "?")  # wall seconds of the run (a finding stops it early)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$out/$t/corpus" "Tests/FuzzCorpus/$t" -type f | wc -l)
  artifacts=$(find "$out/$t/artifacts" -type f | wc -l)
  reports=$(grep -c -E '^==[0-9]+==ERROR|^SUMMARY: (Address|Undefined|Leak)Sanitizer|ERROR: libFuzzer|Fatal error|invariant broken' "$log" || true)
  findings="none"
  if ((artifacts > 0 || reports > 0)); then
    found=1
    findings="$artifacts artifact(s), $reports report line(s): $(ls "$out/$t/artifacts" | tr '\n' ' ')"
  fi
  [ -n "$execs" ] || { found=1; findings="no final stats (see $log)"; }
  printf '%-14s %8s %12s %8s %8s  %s\n' "$t" "${secs:-?}" "${execs:-?}" "${rate:-?}" "$corpus" "$findings"
done
echo "wall time $(( $(date +%s) - start )) s; logs, corpora and artifacts in $out"
exit $found
