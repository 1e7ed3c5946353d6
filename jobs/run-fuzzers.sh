#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, clang + ASan + UBSan) and runs each for N seconds.
#   jobs/run-fuzzers.sh [seconds-per-harness] [harness ...]     default 30 s, every harness
#   jobs/run-fuzzers.sh --make-seeds                            rewrite fuzz/corpus/ from the library's encoders
# The build (clang, ASan + UBSan) is the one jobs/run-sanitized-tests.sh uses: jobs/lib/sanitize-build.sh.
# Environment: PENUMBRA_SANITIZE_BUILD_DIR (default ./build-sanitize), PENUMBRA_FUZZ_JOBS (harnesses run at once,
# default 1; the long run uses 2 on 2 cores), PENUMBRA_FUZZ_WORK (grown corpora, logs and crash files,
# default <build>/fuzz-work). Exit status 1 when any harness found something; its input is in the work dir.
# docs/reliability.md: the contract each harness checks and the figures of the long run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${PENUMBRA_SANITIZE_BUILD_DIR:-$root/build-sanitize}
work=${PENUMBRA_FUZZ_WORK:-$build/fuzz-work}
jobs=${PENUMBRA_FUZZ_JOBS:-1}
all=(fuzz_trace_reader fuzz_config fuzz_wire fuzz_migration fuzz_shadow_slot fuzz_metadata fuzz_tasks fuzz_checkpoint)

# shellcheck source=lib/sanitize-build.sh
source "$root/jobs/lib/sanitize-build.sh"
sanitize_build "$build"

if [[ "${1:-}" == "--make-seeds" ]]; then
  rm -rf "$root/fuzz/corpus"
  "$build/bin/fuzz/penumbra-fuzz-seeds" "$root/fuzz/corpus"
  find "$root/fuzz/corpus" -type f | sort
  exit 0
fi
seconds=${1:-30}
[[ $# -gt 0 ]] && shift
harnesses=("$@")
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=("${all[@]}")

# ASan/UBSan: stop at the first report, with a stack (LSan stays on: a decoder that leaks is a finding too).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local harness=$1 dir="$work/$1"
  mkdir -p "$dir/corpus"
  # -timeout: an input that takes 10 s is a hang. -rss_limit_mb (and the malloc limit, which defaults to
  # it): an input that makes the decoder allocate 2 GB is a finding, not a slow machine. The checked-in seeds
  # are read, never written; new inputs go to the work corpus.
  set +e
  "$build/bin/fuzz/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/corpus" "$root/fuzz/corpus/$harness" >"$dir/log" 2>&1
  local status=$?
  set -e
  local done_line execs rate
  done_line=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$dir/log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
  local findings
  findings=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-18s exit %-3s execs %-10s exec/s %-7s findings %-2s %s\n' "$harness" "$status" "${execs:-?}" \
    "${rate:-?}" "$findings" "$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' <<<"$done_line")" \
    | tee "$dir/summary"
  [[ $status -eq 0 && $findings -eq 0 ]]
}

echo "== fuzzing ${harnesses[*]}: $seconds s each, $jobs at a time (work dir $work)"
failed=0
running=0
for harness in "${harnesses[@]}"; do
  run_one "$harness" &
  running=$((running + 1))
  if [[ $running -ge $jobs ]]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [[ $running -gt 0 ]]; do
  wait -n || failed=1
  running=$((running - 1))
done
if [[ $failed -ne 0 ]]; then
  echo "FUZZING FOUND SOMETHING: see the crash-/leak-/timeout-/oom- files and logs under $work" >&2
  for harness in "${harnesses[@]}"; do grep -m3 -E 'FINDING|ERROR: |SUMMARY' "$work/$harness/log" 2>/dev/null | sed "s/^/$harness: /" >&2 || true; done
  exit 1
fi
echo "fuzzing: no findings"
