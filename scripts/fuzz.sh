#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, coverage-instrumented agent
# libraries) and runs each for a while from its seed corpus. Fails if any
# target crashes, leaks, times out or runs out of memory; the input that did
# it is kept under $BUILD_DIR/fuzz-artifacts/<target>/.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
# env:   BUILD_DIR (build-fuzz), JOBS (2), TARGETS (space-separated subset)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-30}
build_dir=${BUILD_DIR:-build-fuzz}
jobs=${JOBS:-2}

if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: SECONDS_PER_TARGET must be a positive whole number, got '$seconds'" >&2
  exit 2
fi

cmake -S . -B "$build_dir" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DWARDEN_FUZZ=ON -DWARDEN_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$jobs" --target warden_fuzz

read -r -a targets <<<"${TARGETS:-$(tr '\n' ' ' <"$build_dir/tests/fuzz/targets.txt")}"
# New inputs go to the build directory; the checked-in seeds stay as they are.
work="$build_dir/fuzz-corpus"
artifacts="$build_dir/fuzz-artifacts"
logs="$build_dir/fuzz-logs"
mkdir -p "$work" "$artifacts" "$logs"

summary=()
failed=0
for target in "${targets[@]}"; do
  binary="$build_dir/tests/fuzz/$target"
  if [[ ! -x $binary ]]; then
    echo "fuzz.sh: $binary was not built" >&2
    exit 2
  fi
  mkdir -p "$work/$target" "$artifacts/$target"
  seeds=()
  [[ -d tests/fuzz/corpus/$target ]] && seeds+=("tests/fuzz/corpus/$target")
  log="$logs/$target.log"
  echo "== $target: ${seconds}s"
  status=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$binary" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$target/" "$work/$target" "${seeds[@]}" >"$log" 2>&1 || status=$?

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
  if [[ $status -eq 0 ]]; then
    summary+=("$(printf '%-24s ok     %10s runs  cov %-6s ft %-6s corpus %s' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")")
  else
    failed=1
    artifact=$(ls -t "$artifacts/$target" 2>/dev/null | head -1)
    summary+=("$(printf '%-24s FAILED (exit %s) artifact: %s  log: %s' "$target" "$status" \
      "${artifact:+$artifacts/$target/$artifact}" "$log")")
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log" >&2 || true
  fi
done

echo
printf '%s\n' "${summary[@]}"
exit "$failed"
