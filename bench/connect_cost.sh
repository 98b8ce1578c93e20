#!/usr/bin/env bash
# What brokering connect costs: the same loop of connects (a Unix socket the process listens
# on, and TCP on loopback) outside any sandbox and inside shellrt under the coding-agent
# bundle, where every connect goes through the supervisor (runtime/sockets/), as an
# unprivileged user. Then a workload of many small processes (git status in a fresh
# repository, 50 times) inside, for scale.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
mkdir -p "$out/ws"
cp bench/connect_cost.py "$out/ws/"
chown -R 65534:65534 "$out/ws"
build/bin/shellc build examples/coding-agent.policy -o "$out/agent.bundle" 2>/dev/null
chmod 644 "$out/agent.bundle"
ws=$(realpath "$out/ws")
as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin"
echo "== outside"
$as_nobody python3 "$ws/connect_cost.py" "$ws"
echo "== inside shellrt"
$as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$ws" -- python3 "$ws/connect_cost.py" "$ws"
