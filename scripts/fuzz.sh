#!/usr/bin/env bash
# Builds the parser fuzzer with clang (libFuzzer + ASan + UBSan) and runs it, seeded with
# every stdlib module and example. Usage: scripts/fuzz.sh [SECONDS]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
scripts/setup.sh build >/dev/null
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSHELLC_FUZZ=ON -DSHELLC_TESTS=OFF >/dev/null
fi
cmake --build build-fuzz -j 2 --target parser_fuzzer
corpus=build-fuzz/corpus
mkdir -p "$corpus"
find stdlib examples tests/lit tests/fuzz/regressions -name '*.policy' -exec cp {} "$corpus/" \;
build-fuzz/bin/parser_fuzzer -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 "$corpus"
