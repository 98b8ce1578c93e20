#!/usr/bin/env bash
# Start-up of a sandbox running /bin/true: shellrt under the coding-agent bundle, beside
# bwrap with comparable isolation (user, mount, PID, IPC, UTS and network namespaces, a
# read-only system, a seccomp filter), as an unprivileged user, in one hyperfine run.
# Also the per-syscall cost of the filter, and the supervisor's memory.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
mkdir -p "$out/ws"
chown 65534:65534 "$out/ws"
build/bin/shellc build examples/coding-agent.policy -o "$out/agent.bundle" 2>/dev/null
chmod 644 "$out/agent.bundle"
build/bin/shellc build examples/coding-agent.policy -o "$out/agent.bundle" --emit seccomp-bpf 2>/dev/null
as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/tmp PATH=/usr/bin:/bin"
hyperfine -N --warmup 10 --runs 100 \
  "$as_nobody build/bin/shellrt $out/agent.bundle --workspace $out/ws -- /bin/true" \
  "$as_nobody bwrap --unshare-all --die-with-parent --new-session --ro-bind /usr /usr --ro-bind /etc /etc --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin --proc /proc --dev /dev --bind $out/ws $out/ws --chdir $out/ws /bin/true"
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
