#!/usr/bin/env bash
# shellc's benchmarks. Figures are wall times on this machine, each beside a peer measured in
# the same run: the process floor (/bin/true) and jq parsing Docker's default seccomp profile
# (the policy format most users come from).
#   bench/run.sh            # all
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
shellc=build/bin/shellc
out=build/bench
mkdir -p "$out"

echo "== shellc check examples/coding-agent.policy, whole process (hyperfine)"
hyperfine -N --warmup 20 --runs 200 --export-json "$out/check.json" \
  '/bin/true' \
  "jq -e . tests/data/oci-seccomp/docker-default.json" \
  "$shellc check examples/coding-agent.policy"

echo
echo "== scaling: parse + resolve + check of generated policies"
printf '%8s %10s %12s %12s\n' rules seconds max_rss_kb bytes
for n in 1000 10000 100000; do
  python3 bench/gen_policy.py "$n" > "$out/gen-$n.policy"
  "$shellc" check "$out/gen-$n.policy"  # must be clean
  /usr/bin/time -f '%e %M' -o "$out/time-$n" "$shellc" check "$out/gen-$n.policy"
  read -r secs rss < "$out/time-$n"
  printf '%8d %10s %12s %12d\n' "$n" "$secs" "$rss" "$(stat -c %s "$out/gen-$n.policy")"
done

echo
echo "== seccomp: BPF instructions executed per syscall over the build mix (x86_64)"
build/bin/seccomp_compare examples/coding-agent.policy tests/data/syscall-mix/build-mix.strace.txt
# Docker's default profile, expressed in the language by the importer.
"$shellc" import oci-seccomp tests/data/oci-seccomp/docker-default.json -o "$out/docker-default.policy" --kernel 6.1 2>/dev/null
build/bin/seccomp_compare "$out/docker-default.policy" tests/data/syscall-mix/build-mix.strace.txt

echo
echo "== shellc build examples/coding-agent.policy, whole process (hyperfine)"
hyperfine -N --warmup 10 --runs 100 "$shellc build examples/coding-agent.policy -o $out/agent.bundle"

echo
echo "== shellrt start-up: /bin/true in a sandbox, beside bwrap with comparable isolation"
bench/runtime_start.sh

echo
echo "== the inference router: time to the first byte beside the provider direct; 500 streams"
bench/inference_router.sh
