#!/usr/bin/env bash
# Builds warden and runs every registered test: unit tests and, as root on a
# real kernel, the end-to-end tests (which fail rather than skip without root);
# the unit tests also run under ASan+UBSan, and every fuzz target briefly.
#
# usage: scripts/test.sh        env: BUILD_DIR (build), JOBS (2), FUZZ_SECONDS (10 per target)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-2}

cmake -S . -B "$build_dir"
cmake --build "$build_dir" -j "$jobs"

# The e2e clients use the official openai npm package, pinned by the lockfile.
(cd tests/e2e/node && npm ci --no-audit --no-fund)

# The unit tests once more under AddressSanitizer and UndefinedBehaviorSanitizer:
# memory errors in parsers and the relay must fail the run, not hide.
cmake -S . -B "$build_dir-asan" -DWARDEN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build "$build_dir-asan" -j "$jobs" --target warden_unit_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$build_dir-asan/tests/warden_unit_tests" --gtest_brief=1

# Every fuzz target for a short while from its seed corpus (clang, libFuzzer,
# ASan+UBSan): a crash on hostile HTTP, streams or provider JSON fails the run.
# Longer runs: scripts/fuzz.sh SECONDS.
BUILD_DIR="$build_dir-fuzz" JOBS="$jobs" scripts/fuzz.sh "${FUZZ_SECONDS:-10}"

ctest --test-dir "$build_dir" --output-on-failure --no-tests=error
