#!/usr/bin/env bash
# What transparent capture costs (docs/egress.md, "Names and transparent capture"), beside the
# explicit proxy in the same run: a new connection and one small request, COUNT times, from
# inside a sandbox, made directly (the supervisor captures the connect and the proxy reads its
# CONNECT line) and through the proxy (the client's own CONNECT); the same from the host,
# direct, for the floor. Then a name looked up in the sandbox's resolver against one from
# /etc/hosts. The upstream is a small server on the host's loopback (:18490); only 127.0.0.1
# is used. Run as root (the sandbox itself runs as nobody).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
out=$(realpath -m build/bench/capture)
rm -rf "$out" && mkdir -p "$out/ws"
cp bench/capture_client.py "$out/ws/"
chown -R 65534:65534 "$out/ws" && chmod 755 "$out"
python3 - "$out/ready" <<'PY' &
import socketserver, sys
class Answer(socketserver.BaseRequestHandler):
    def handle(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
class Server(socketserver.ThreadingTCPServer):
    daemon_threads = allow_reuse_address = True
    request_queue_size = 512
server = Server(("127.0.0.1", 18490), Answer)
open(sys.argv[1], "w").close()
server.serve_forever()
PY
upstream=$!
trap 'kill $upstream 2>/dev/null' EXIT
for i in $(seq 100); do [ -e "$out/ready" ] && break; sleep 0.1; done
printf 'use "%s/examples/coding-agent.policy"\nnetwork {\n  @bench allow 127.0.0.1:18490, "up.test":18490\n}\n' "$PWD" > "$out/capture.policy"
build/bin/shellc build "$out/capture.policy" -o "$out/capture.bundle" 2>/dev/null && chmod 644 "$out/capture.bundle"
inside() {
  setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin \
    build/bin/shellrt "$out/capture.bundle" --workspace "$out/ws" --resolve up.test:127.0.0.1 -- python3 capture_client.py "$@" 2>&1 |
    grep -v 'warning: limit memory'
}
echo "host, direct:      $(python3 bench/capture_client.py connect 127.0.0.1 18490 "$count")"
echo "sandbox, proxied:  $(inside proxy up.test 18490 "$count")"
echo "sandbox, captured: $(inside connect up.test 18490 "$count")"
echo "sandbox, resolver: $(inside lookup up.test 18490 "$count")"
echo "sandbox, hosts:    $(inside lookup localhost 18490 "$count")"
