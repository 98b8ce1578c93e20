#!/usr/bin/env bash
# The inference router's cost: the time to an answer's first byte from a local stand-in
# provider (tests/escape/Inputs/fake-provider.py), directly and through the router from
# inside a sandbox, in one run (2,000 calls each, one after another on a kept connection);
# then 500 streaming calls held open at once: the memory and CPU time of the proxy process
# (which serves the router) and of the supervisor.
# Only 127.0.0.1 is used (the provider on :18491 and :18492). Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m build/bench/inference_router)
rm -rf "$out" && mkdir -p "$out/ws"
cp bench/router_client.py "$out/ws/"
chown -R 65534:65534 "$out/ws"
printf 'use "%s/examples/coding-agent.policy"\ninference {\n  provider fake {\n    endpoint "http://127.0.0.1:18491/v1"\n    api openai\n    key env "FAKE_KEY"\n  }\n  route "fake-*" => fake\n}\n' "$PWD" > "$out/router.policy"
build/bin/shellc build "$out/router.policy" -o "$out/router.bundle" 2> /dev/null
chmod -R a+rX "$out"
python3 tests/escape/Inputs/fake-provider.py "$out/ready" 600 18491 bench-key 18492 unused > /dev/null 2>&1 &
provider=$!
trap 'kill $provider 2> /dev/null || true' EXIT
for i in $(seq 100); do [ -e "$out/ready" ] && break; sleep 0.1; done
sandbox() {
  setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin FAKE_KEY=bench-key \
    build/bin/shellrt "$out/router.bundle" --workspace "$out/ws" -- "$@" 2> /dev/null
}
echo "== time to the first byte, 2,000 calls"
printf '%-22s %s\n' "direct" "$(python3 bench/router_client.py http://127.0.0.1:18491/v1 2000)"
printf '%-22s %s\n' "through the router" "$(sandbox sh -c 'python3 router_client.py "$OPENAI_BASE_URL" 2000')"
echo
echo "== 500 streams held open through the router"
rm -f "$out/ws/held" "$out/ws/release"
sandbox sh -c 'python3 router_client.py "$OPENAI_BASE_URL" 0 --streams 500' > "$out/streams.out" &
session=$!
for i in $(seq 900); do [ -e "$out/ws/held" ] && break; sleep 0.1; done
proxy_pid=$(pgrep -n -x shellrt-proxy)
supervisor_pid=$(ps -o ppid= -p "$proxy_pid" | tr -d ' ')
usage() {  # PID: resident memory, threads and CPU time so far
  printf 'RSS %s kB, %s threads, CPU %s ms' "$(awk '/VmRSS/ {print $2}' /proc/$1/status)" \
    "$(awk '/Threads/ {print $2}' /proc/$1/status)" "$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' /proc/$1/stat)"
}
cat "$out/streams.out"
echo "proxy process: $(usage "$proxy_pid")"
echo "supervisor:    $(usage "$supervisor_pid")"
touch "$out/ws/release"
wait $session || true
