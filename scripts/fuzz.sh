#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (libFuzzer + ASan + UBSan) in build-fuzz and runs
# each for SECONDS, seeded with real inputs and with the inputs that once broke it
# (tests/fuzz/regressions/TARGET). The corpus grows in build-fuzz/corpus/TARGET across runs;
# what crashes goes to build-fuzz/artifacts/TARGET. Exit 1 if any target failed.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default: 300 s each, every target)
#        scripts/fuzz.sh --ci                    (every target for 20 s, for CI)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/lib/llvm-14/bin:$PATH  # split-file

# Each target (tests/fuzz/CMakeLists.txt builds the same ones) and its seeds: the files named
# PATTERN under DIRS, those that lit tests hold included (`files`), or the requests that
# `shellc explain` is given and that `test` blocks expect in DIRS (`requests`).
targets=()
declare -A seeds
fuzzer() {
  targets+=("$1")
  seeds[$1]=$(printf '%q ' "${@:2}")
}
fuzzer parser_fuzzer      files 'stdlib examples tests/lit' '*.policy'
fuzzer openshell_fuzzer   files 'tests/data/openshell tests/lit/import' '*.yaml'
fuzzer oci_seccomp_fuzzer files 'tests/data/oci-seccomp tests/lit/import' '*.json'
fuzzer request_fuzzer     requests 'stdlib examples tests/lit'
fuzzer bundle_fuzzer      bundles 'examples'
fuzzer proxy_request_fuzzer files 'tests/fuzz/seeds/proxy_request' '*'
fuzzer router_body_fuzzer files 'tests/fuzz/seeds/router_body' '*'
fuzzer git_config_fuzzer  files 'tests/fuzz/seeds/git_config' '*'

# Copies stdin's files into corpus $1, named after their contents (lit tests reuse names).
collect() {
  while IFS= read -r -d '' file; do cp "$file" "$1/$(sha1sum < "$file" | cut -c1-40)"; done
}

files() {
  local corpus=$1 dirs=$2 pattern=$3 split
  split=$(mktemp -d)
  for test in $(grep -rl --include='*.test' '^#--- ' $dirs); do
    split-file "$test" "$split/$(basename "$test")"
  done
  find $dirs "$split" -name "$pattern" -type f -print0 | collect "$corpus"
  rm -rf "$split"
}

# The bundles of the policies in DIRS, built by the regular build's shellc (when there is one).
bundles() {
  local corpus=$1 dirs=$2
  [ -x build/bin/shellc ] || return 0
  for policy in $(find $dirs -name '*.policy'); do
    build/bin/shellc build "$policy" -o "$corpus/$(basename "$policy" .policy).bundle" > /dev/null 2>&1 || true
  done
}

requests() {
  local corpus=$1 dirs=$2
  { grep -rhoE "explain [^']*'[^']*'" $dirs | sed -E "s/^[^']*'//; s/'$//"
    grep -rhE '^\s*expect ' $dirs | sed -E 's/^\s*expect\s+//; s/^(allow|deny|kill|log|trap|errno)(\([^)]*\))?\s+//'
  } | sort -u |
    while IFS= read -r request; do
      printf '%s' "$request" > "$corpus/$(printf '%s' "$request" | sha1sum | cut -c1-40)"
    done
}

seconds=300
if [ "${1:-}" = --ci ]; then
  seconds=20
  shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
selected=("$@")
((${#selected[@]})) || selected=("${targets[@]}")
for target in "${selected[@]}"; do
  [ -n "${seeds[$target]:-}" ] || { echo "fuzz: unknown target '$target'; targets: ${targets[*]}" >&2; exit 2; }
done

scripts/setup.sh --packages-only
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSHELLC_FUZZ=ON -DSHELLC_TESTS=OFF >/dev/null
fi
cmake --build build-fuzz -j 2 --target "${selected[@]}"

failed=()
for target in "${selected[@]}"; do
  corpus=build-fuzz/corpus/$target artifacts=build-fuzz/artifacts/$target/
  mkdir -p "$corpus" "$artifacts"
  eval "set -- ${seeds[$target]}"
  "$1" "$corpus" "${@:2}"
  if [ -d "tests/fuzz/regressions/$target" ]; then
    find "tests/fuzz/regressions/$target" -type f -print0 | collect "$corpus"
  fi
  echo "fuzz: $target for $seconds s, $(find "$corpus" -type f | wc -l) inputs"
  build-fuzz/bin/"$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" || failed+=("$target")
done
if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]} (inputs in build-fuzz/artifacts)" >&2
  exit 1
fi
