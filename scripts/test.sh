#!/usr/bin/env bash
# Builds warden and runs every registered test: unit tests and, as root on a
# real kernel, the end-to-end tests (which fail rather than skip without root).
#
# usage: scripts/test.sh        env: BUILD_DIR (build), JOBS (2)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-2}

cmake -S . -B "$build_dir"
cmake --build "$build_dir" -j "$jobs"

# The e2e clients use the official openai npm package, pinned by the lockfile.
(cd tests/e2e/node && npm ci --no-audit --no-fund)

ctest --test-dir "$build_dir" --output-on-failure --no-tests=error
