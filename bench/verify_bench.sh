#!/usr/bin/env bash
# The verifier's cost: shellc check (with the proofs) of the default policy as a whole
# process, and check and diff of generated policies.  usage: bench/verify_bench.sh [SHELLC]
set -euo pipefail
cd "$(dirname "$0")/.."
shellc=${1:-build/bin/shellc}
out=$(mktemp -d)
hyperfine -N --warmup 3 --runs 20 "$shellc check examples/coding-agent.policy"
for n in 1000 10000; do
  python3 bench/gen_policy.py "$n" > "$out/a-$n.policy"
  sed 's|deny write "/srv/data/d1/|allow write "/srv/data/d1/|' "$out/a-$n.policy" > "$out/b-$n.policy"
  /usr/bin/time -f "check $n rules: %e s, %M KiB" "$shellc" check "$out/a-$n.policy" > /dev/null 2>&1 || true
  /usr/bin/time -f "diff $n rules: %e s, %M KiB" "$shellc" diff "$out/a-$n.policy" "$out/b-$n.policy" > /dev/null
done
