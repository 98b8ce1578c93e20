#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds, and runs the whole test suite: unit tests (GoogleTest)
# and golden tests (lit + FileCheck), through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
scripts/setup.sh "$build"
ctest --test-dir "$build" --output-on-failure -j 2 "$@"
