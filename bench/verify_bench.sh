#!/usr/bin/env bash
# The verifier's cost: shellc check (with the proofs) of the default policy as a whole
# process against the same check without proofs (the front end alone) in the same run, and
# check and diff of generated policies with the kinds of query that dominate (--stats).
# usage: bench/verify_bench.sh [SHELLC]
set -euo pipefail
cd "$(dirname "$0")/.."
shellc=${1:-build/bin/shellc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
hyperfine -N --warmup 3 --runs 30 "$shellc check examples/coding-agent.policy" \
  "$shellc check --no-proofs examples/coding-agent.policy"
for n in 1000 4000 10000; do
  python3 bench/gen_policy.py "$n" > "$out/a-$n.policy"
  sed 's|deny write "/srv/data/d1/|allow write "/srv/data/d1/|' "$out/a-$n.policy" > "$out/b-$n.policy"
  /usr/bin/time -f "check $n rules: %e s, %M KiB" "$shellc" check --stats "$out/a-$n.policy" 2> "$out/check.err" > /dev/null || true
  # The four kinds of query that cost most (total ms is the next-to-last column).
  grep -E " [0-9]+ +[0-9.]+ +[0-9.]+$" "$out/check.err" | awk '{print $(NF-1) "\t" $0}' | sort -rn | head -4 | cut -f2-
  grep "^check" "$out/check.err"
  /usr/bin/time -f "diff $n rules: %e s, %M KiB" "$shellc" diff "$out/a-$n.policy" "$out/b-$n.policy" > /dev/null
done
