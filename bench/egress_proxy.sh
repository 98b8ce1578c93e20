#!/usr/bin/env bash
# The egress proxy's cost, beside its peers in one run: small HTTP requests (wrk, keep-alive,
# 16 connections, one thread; then one connection, for what each hop adds to a request) to a
# local nginx on the host's loopback, direct, through squid (one worker, a domain ACL), through
# tinyproxy, and through shellrt's proxy from inside a sandbox with every check on (names
# canonical, the egress table, the address checked and dialled, the head parsed strictly) -
# once without and once with a `by` rule (the calling program told from its socket for each
# connection). Then a 1 GiB download through a CONNECT tunnel against direct. Needs
# nginx-light, wrk, squid, tinyproxy (Debian); run as root.
# Only 127.0.0.1 is used: nginx on :18480, squid :18481, tinyproxy :18482.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in nginx wrk squid tinyproxy; do
  command -v "$tool" > /dev/null || { echo "bench: needs $tool: apt-get install nginx-light wrk squid tinyproxy" >&2; exit 2; }
done
out=$(realpath -m build/bench/egress)
rm -rf "$out" && mkdir -p "$out/ws" "$out/www" "$out/squid"
truncate -s 1G "$out/www/big"
echo ok > "$out/www/small"
cat > "$out/nginx.conf" <<CONF
worker_processes 1;
pid $out/nginx.pid;
error_log $out/nginx.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:18480; root $out/www; }
       server { listen 127.0.0.1:18483 ssl; root $out/www; keepalive_requests 100000;
                ssl_certificate $out/leaf.pem; ssl_certificate_key $out/leaf.key; } }
CONF
tests/escape/Inputs/test-certificates.sh "$out"  # leaf.pem for api.test, signed by ca.pem
echo "127.0.0.1 up.test" > "$out/hosts"
cat > "$out/squid.conf" <<CONF
http_port 127.0.0.1:18481
workers 1
acl up dstdomain up.test
acl tunnel method CONNECT
http_access allow up
http_access deny all
cache deny all
access_log none
cache_log $out/squid/cache.log
pid_filename $out/squid/squid.pid
coredump_dir $out/squid
hosts_file $out/hosts
shutdown_lifetime 0 seconds
CONF
cat > "$out/tinyproxy.conf" <<CONF
Port 18482
Listen 127.0.0.1
Timeout 60
MaxClients 256
Allow 127.0.0.1
PidFile "$out/tinyproxy.pid"
LogLevel Critical
CONF
printf 'wrk.path = "http://up.test:18480/small"\nwrk.headers["Host"] = "up.test:18480"\n' > "$out/ws/via-name.lua"
printf 'wrk.path = "http://127.0.0.1:18480/small"\nwrk.headers["Host"] = "127.0.0.1:18480"\n' > "$out/ws/via-address.lua"
printf 'use "%s/examples/coding-agent.policy"\nnetwork {\n  @bench allow 127.0.0.1:18480, "up.test":18480\n}\n' "$PWD" > "$out/plain.policy"
printf 'use "%s/examples/coding-agent.policy"\nnetwork {\n  @bench allow 127.0.0.1:18480, "up.test":18480 by "/usr/bin/wrk", "/usr/bin/curl"\n}\n' "$PWD" > "$out/by.policy"
printf 'use "%s/examples/coding-agent.policy"\nnetwork {\n  @bench allow http 127.0.0.1:18483, "api.test":18483 methods GET paths "/small"\n}\n' "$PWD" > "$out/inspected.policy"
cp bench/https_client.py bench/hold_connections.py "$out/ws/"
for p in plain by inspected; do build/bin/shellc build "$out/$p.policy" -o "$out/$p.bundle" 2>/dev/null; done
chmod -R a+rX "$out"; chown -R 65534:65534 "$out/ws"

nginx -c "$out/nginx.conf"
squid -N -f "$out/squid.conf" > /dev/null 2>&1 &
tinyproxy -d -c "$out/tinyproxy.conf" > /dev/null 2>&1 &
trap 'nginx -c "$out/nginx.conf" -s stop; pkill -f "squid -N -f $out" || true; pkill -f "tinyproxy -d -c $out" || true' EXIT
sleep 2

wrk_args="-t1 -c16 -d10s --latency"
summary() { awk -v name="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%-28s %10s req/s   p50 %8s   p99 %8s\n", name, rps, p50, p99}'; }
as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin"
sandbox() {  # BUNDLE COMMAND...
  local bundle=$1; shift
  $as_nobody build/bin/shellrt "$out/$bundle.bundle" --workspace "$out/ws" --resolve up.test:127.0.0.1 -- "$@" 2>/dev/null
}
echo "== small requests: wrk $wrk_args"
wrk $wrk_args http://127.0.0.1:18480/small | summary "direct"
wrk $wrk_args -s "$out/ws/via-name.lua" http://127.0.0.1:18481/ | summary "squid (1 worker, ACL)" | tee "$out/squid.rate"
wrk $wrk_args -s "$out/ws/via-address.lua" http://127.0.0.1:18482/ | summary "tinyproxy"
sandbox plain sh -c "wrk $wrk_args -s via-name.lua \$http_proxy" | summary "shellrt proxy" | tee "$out/shellrt.rate"
sandbox by sh -c "wrk $wrk_args -s via-name.lua \$http_proxy" | summary "shellrt proxy, by rule"
awk '{rate[NR] = $(NF - 5)} END {printf "shellrt / squid: %.2f\n", rate[2] / rate[1]}' "$out/squid.rate" "$out/shellrt.rate"

# With 16 connections the latency is mostly the wait in line (16 / the rate); one connection
# at a time shows what each hop adds to a request.
echo
echo "== one connection (wrk -t1 -c1 -d5s): p50, and what it adds to direct"
one="-t1 -c1 -d5s --latency"
p50_us() { awk '/^ +50%/ {v = $2 + 0; if ($2 ~ /ms$/) v *= 1000; else if ($2 ~ /[0-9]s$/) v *= 1e6; print v}'; }
direct=$(wrk $one http://127.0.0.1:18480/small | p50_us)
squid=$(wrk $one -s "$out/ws/via-name.lua" http://127.0.0.1:18481/ | p50_us)
tiny=$(wrk $one -s "$out/ws/via-address.lua" http://127.0.0.1:18482/ | p50_us)
ours=$(sandbox plain sh -c "wrk $one -s via-name.lua \$http_proxy" | p50_us)
awk -v d="$direct" -v s="$squid" -v t="$tiny" -v o="$ours" 'BEGIN {
  printf "direct %.0f us   squid %.0f (+%.0f)   tinyproxy %.0f (+%.0f)   shellrt %.0f (+%.0f)\n", d, s, s - d, t, t - d, o, o - d }'
# The calling program's lookup (a `by` rule): once per connection, so a kept connection pays
# it once (warm) and a new connection for each request pays it each time (cold).
fresh="-H 'Connection: close'"
plain_new=$(sandbox plain sh -c "wrk $one $fresh -s via-name.lua \$http_proxy" | p50_us)
by_kept=$(sandbox by sh -c "wrk $one -s via-name.lua \$http_proxy" | p50_us)
by_new=$(sandbox by sh -c "wrk $one $fresh -s via-name.lua \$http_proxy" | p50_us)
awk -v p="$ours" -v pn="$plain_new" -v b="$by_kept" -v bn="$by_new" 'BEGIN {
  printf "the caller told (by rule): kept connection %.0f us (+%.0f), a connection each %.0f us (+%.0f against %.0f)\n",
         b, b - p, bn, bn - pn, pn }'

echo
echo "== 1 GiB through a CONNECT tunnel (curl --proxytunnel), MB/s"
curl -s -o /dev/null http://127.0.0.1:18480/big  # the file into the page cache
direct=$(curl -s -o /dev/null -w '%{speed_download}' http://127.0.0.1:18480/big)
squid=$(curl -s -o /dev/null -w '%{speed_download}' --proxytunnel -x http://127.0.0.1:18481 http://up.test:18480/big || echo 0)
tunnel=$(sandbox plain sh -c "curl -s -o /dev/null -w '%{speed_download}' --proxytunnel http://up.test:18480/big")
awk -v d="$direct" -v s="$squid" -v t="$tunnel" 'BEGIN {
  printf "direct %.0f   squid %.0f   shellrt %.0f (%.2f of direct)\n", d / 1e6, s / 1e6, t / 1e6, t / d }'
echo
echo "== HTTPS small requests (python http.client, one client), inspected: TLS ended, each request"
echo "   decided, TLS to nginx verified; against direct TLS to nginx"
direct_https() { SSL_CERT_FILE="$out/ca.pem" python3 bench/https_client.py "$@"; }
inspected() {
  $as_nobody SSL_CERT_FILE="$out/ca.pem" build/bin/shellrt "$out/inspected.bundle" --workspace "$out/ws" \
    --resolve api.test:127.0.0.1 -- /usr/bin/python3 https_client.py "$@" 2>/dev/null
}
printf '%-36s %s\n' "direct, one connection" "$(direct_https api.test 18483 /small 5 --address 127.0.0.1)"
printf '%-36s %s\n' "shellrt inspected, one connection" "$(inspected api.test 18483 /small 5)"
printf '%-36s %s\n' "direct, a connection each" "$(direct_https api.test 18483 /small 5 --new --address 127.0.0.1)"
printf '%-36s %s\n' "shellrt inspected, a connection each" "$(inspected api.test 18483 /small 5 --new)"
echo
echo "== the proxy's memory with 1,000 connections held open (one request answered on each)"
rm -f "$out/ws/held" "$out/ws/release"
sandbox plain /usr/bin/python3 hold_connections.py 1000 http://up.test:18480/small > "$out/held.out" &
holding=$!
for i in $(seq 600); do [ -e "$out/ws/held" ] && break; sleep 0.1; done
proxy_pid=$(pgrep -x shellrt-proxy | head -1)
supervisor_pid=$(ps -o ppid= -p "$proxy_pid" | tr -d ' ')
printf '%s; proxy RSS %s kB (%s threads), supervisor RSS %s kB\n' "$(cat "$out/held.out")" \
  "$(awk '/VmRSS/ {print $2}' /proc/$proxy_pid/status)" "$(awk '/Threads/ {print $2}' /proc/$proxy_pid/status)" \
  "$(awk '/VmRSS/ {print $2}' /proc/$supervisor_pid/status)"
touch "$out/ws/release"
wait "$holding"  # not squid and tinyproxy, which the trap ends
