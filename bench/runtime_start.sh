#!/usr/bin/env bash
# Start-up of a sandbox running /bin/true: shellrt under the coding-agent bundle, beside
# bwrap with comparable isolation, as an unprivileged user, in one hyperfine run: user,
# mount, PID, IPC, UTS and network namespaces, the same paths bound read-only or
# read-write, the bundle's masks and read-only re-binds where bwrap has them
# (bench/bwrap_args.py), and the same seccomp filter. shellrt does more: Landlock, and
# placeholders for protected paths that do not exist. Both start through `bash -c exec`,
# which bwrap needs to open the filter for --seccomp.
# Also the per-syscall cost of the filter, and the supervisor's memory.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
mkdir -p "$out/ws"
chown 65534:65534 "$out/ws"
build/bin/shellc build examples/coding-agent.policy -o "$out/agent.bundle" 2>/dev/null
chmod 644 "$out/agent.bundle"
build/bin/shellc build examples/coding-agent.policy -o "$out/agent.bundle" --emit seccomp-bpf 2>/dev/null
as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin"
chmod 644 "$out/agent.seccomp.x86_64.bpf"
ws=$(realpath "$out/ws")
bwrap_view=$(python3 bench/bwrap_args.py "$out/agent.bundle" /tmp "$ws")
bwrap="bwrap --unshare-all --die-with-parent --new-session $bwrap_view --proc /proc --dev /dev --chdir $ws --seccomp 3 /bin/true"
hyperfine -N --warmup 20 --runs 150 \
  "$as_nobody bash -c 'exec build/bin/shellrt $out/agent.bundle --workspace $ws -- /bin/true'" \
  "$as_nobody bash -c 'exec $bwrap 3< $out/agent.seccomp.x86_64.bpf'"
echo
echo "== per-syscall cost of the coding-agent filter (ns per call)"
build/bin/syscall_cost "$out/agent.seccomp.x86_64.bpf"
echo
echo "== supervisor memory while an agent runs"
$as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$out/ws" -- /bin/sleep 2 &
sleep 1
supervisor=$(pgrep -n -f "shellrt $out/agent.bundle")
grep VmRSS "/proc/$supervisor/status"
wait
