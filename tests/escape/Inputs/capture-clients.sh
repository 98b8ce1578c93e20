#!/bin/sh
# Run inside the sandbox by capture.test: programs that ignore the proxy variables, each line
# labelled with what it tried. Their connections are captured by the supervisor and decided
# by the egress proxy as the proxy-aware ones are.
py() { python3 -c "$1" 2>&1 | tail -1; }
echo "resolved: $(py 'import socket; print(socket.gethostbyname("plain.test"))')"
echo "python-socket: $(py '
import socket
s = socket.create_connection(("plain.test", 18491), timeout=5)
s.sendall(b"GET /raw HTTP/1.1\r\nHost: plain.test:18491\r\nConnection: close\r\n\r\n")
print(s.makefile("rb").read().decode().splitlines()[-1])')"
echo "node-fetch: $(env -u NODE_USE_ENV_PROXY node -e '
fetch("http://web.test:18492/ok/node").then(r => r.text()).then(t => console.log(t.trim()), e => console.log("error", e.cause && e.cause.code))')"
echo "node-fetch-denied: $(env -u NODE_USE_ENV_PROXY node -e '
fetch("http://web.test:18492/secret").then(r => console.log(r.status), e => console.log("error", e.cause && e.cause.code))')"
echo "curl-direct: $(curl -s --noproxy '*' http://web.test:18492/ok/curl)"
echo "curl-direct-denied: $(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' http://web.test:18492/secret)"
echo "curl-proxied-denied: $(curl -s -o /dev/null -w '%{http_code}' http://web.test:18492/secret)"
echo "server-first: $(py '
import socket, time
start = time.time()
s = socket.create_connection(("banner.test", 18493), timeout=10)
print(s.recv(100).decode().strip(), "in", "under 2s" if time.time() - start < 2 else "%.1fs" % (time.time() - start))')"
echo "port-not-allowed: $(py '
import socket
s = socket.create_connection(("plain.test", 18499), timeout=5)
print("connected;", s.recv(10))')"
echo "address-not-given: $(py '
import socket
s = socket.create_connection(("240.1.255.254", 18491), timeout=5)
print("connected;", s.recv(10))')"
echo "ipv6-only: $(py '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.connect(("2001:db8::5", 443))
print("connected;", s.recv(10))')"
echo "forged: $(py '
import os, socket
host, port = os.environ["http_proxy"].rsplit("/", 1)[1].split(":")
s = socket.create_connection((host, int(port)))
s.sendall(b"CONNECT plain.test:18491 HTTP/1.1\r\nHost: plain.test:18491\r\nShellrt-Captured: 00112233445566778899aabbccddeeff\r\n\r\n")
print(s.recv(200).decode().splitlines()[0])')"
# HTTPS that the policy judges inside: the proxy ends the captured connection's TLS as it
# ends a CONNECT's, with the sandbox's authority (trusted through SSL_CERT_FILE).
echo "tls-direct: $(py '
import urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print(opener.open("https://api.test:18494/ok/tls", timeout=5).read().decode().strip())')"
echo "tls-direct-denied: $(py '
import urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
opener.open("https://api.test:18494/secret", timeout=5)')"
