#!/usr/bin/env bash
# HTTP/2 through an inspected connection (docs/egress.md, "HTTP/2"), beside direct in the same
# run: h2load (10,000 GET requests, one connection, 10 streams at once) against nghttpd on the
# host's loopback (:18489, TLS), from the host directly, and from inside a sandbox whose
# policy judges that host's requests by path: h2load connects directly, the connection is
# captured, the proxy ends its TLS, offers h2 (nghttpd chose it) and decides each stream.
# Needs nghttp2-client and nghttp2-server (Debian); run as root. Only 127.0.0.1 is used.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in h2load nghttpd; do
  command -v "$tool" > /dev/null || { echo "bench: needs $tool: apt-get install nghttp2-client nghttp2-server" >&2; exit 2; }
done
requests=${1:-10000}
out=$(realpath -m build/bench/h2)
rm -rf "$out" && mkdir -p "$out/ws" "$out/www"
echo ok > "$out/www/small"
tests/escape/Inputs/test-certificates.sh "$out"  # leaf.pem for api.test, signed by ca.pem
chown -R 65534:65534 "$out/ws" && chmod 755 "$out"
nghttpd --address=127.0.0.1 -d "$out/www" 18489 "$out/leaf.key" "$out/leaf.pem" > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 0.5
printf 'use "%s/examples/coding-agent.policy"\nnetwork {\n  @bench allow http 127.0.0.1:18489, "api.test":18489 methods GET paths "/small"\n}\n' "$PWD" > "$out/h2.policy"
build/bin/shellc build "$out/h2.policy" -o "$out/h2.bundle" 2>/dev/null && chmod 644 "$out/h2.bundle"
rate() { sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p'; }
direct=$(h2load -n "$requests" -c 1 -m 10 https://127.0.0.1:18489/small | rate)
inside=$(setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin SSL_CERT_FILE="$out/ca.pem" \
  build/bin/shellrt "$out/h2.bundle" --workspace "$out/ws" --resolve api.test:127.0.0.1 -- \
  h2load -n "$requests" -c 1 -m 10 https://api.test:18489/small 2>/dev/null | rate)
echo "direct:                 $direct requests/s"
echo "captured and inspected: $inside requests/s"
python3 -c "print('ratio: %.2f of direct' % ($inside / $direct))"
