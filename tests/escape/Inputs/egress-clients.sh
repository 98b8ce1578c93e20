#!/bin/sh
# Run inside the sandbox by egress.test: real clients through the egress proxy, each line
# labelled with what it tried. The proxy's address comes from the variables the runtime set.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
reason() { curl -s "$@" | sed -n 's/.*"reason":"\([^"]*\)".*/\1/p'; }
echo "vars: $http_proxy $HTTPS_PROXY $NO_PROXY $NODE_USE_ENV_PROXY"
echo "the proxy in: $(for v in HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy npm_config_proxy \
  npm_config_https_proxy CARGO_HTTP_PROXY; do eval "[ \"\$$v\" = \"$http_proxy\" ]" && printf '%s ' $v; done)| no_proxy $no_proxy"
echo "by-name: $(curl -s http://up.test:18431/hello)"
echo "by-address: $(curl -s -x "$http_proxy" --noproxy "" http://127.0.0.1:18431/x)"
echo "unnamed: $(code http://denied.test:18432/) $(reason http://denied.test:18432/)"
echo "hint: $(curl -s http://denied.test:18432/ | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["add_to_policy"], "|", d["program"])')"
echo "loopback-by-name: $(code http://loop.test:18432/) $(reason http://loop.test:18432/)"
echo "metadata: $(code http://169.254.169.254/latest/meta-data/) $(reason http://169.254.169.254/latest/meta-data/)"
echo "path-allowed: $(curl -s http://pub.test:18433/pub/a)"
echo "path-denied: $(code http://pub.test:18433/secret) $(reason http://pub.test:18433/secret)"
echo "path-dotdot: $(code --path-as-is http://pub.test:18433/pub/../secret)"
echo "path-escaped: $(code --path-as-is 'http://pub.test:18433/pub/%2e%2e/secret')"
echo "method-denied: $(code -X POST -d x http://pub.test:18433/pub/a)"
echo "keep-alive: $(curl -sv http://pub.test:18433/pub/a http://pub.test:18433/secret 2>&1 | grep -ciE 're-?using existing connection') $(curl -s -w '%{http_code} ' -o /dev/null http://pub.test:18433/pub/a -o /dev/null http://pub.test:18433/secret -o /dev/null http://pub.test:18433/pub/b)"
echo "upstream-reused: $(curl -s -D - -o /dev/null http://up.test:18431/one -D - -o /dev/null http://up.test:18431/two | grep -i '^x-peer-port' | sort -u | wc -l) connection"
echo "tunnel: $(curl -s --proxytunnel http://up.test:18431/in-tunnel)"
echo "tunnel-inspected: $(curl -s -o /dev/null -w '%{http_connect} %{exitcode}' --proxytunnel http://pub.test:18433/pub/a)"
echo "tls: $(curl -sk https://tls.test:18434/secure)"
proxy=${http_proxy#http://}
handshake() { echo | openssl s_client -proxy "$proxy" -connect tls.test:18434 -servername "$1" 2>&1 | grep -c 'Server certificate'; }
echo "fronted: $(handshake evil.test) certificates"
echo "sni-matches: $(handshake tls.test) certificates"
# A ClientHello cut short, whose rest could name another host: the tunnel ends unpassed.
echo "hello-cut-short: $(python3 -c '
import os, socket
host, port = os.environ["http_proxy"].split("//")[1].split(":")
s = socket.create_connection((host, int(port)))
s.sendall(b"CONNECT tls.test:18434 HTTP/1.1\r\nHost: tls.test:18434\r\n\r\n")
s.recv(4096)
s.sendall(bytes([0x16, 3, 1, 1, 0, 1, 0, 0, 0xfc, 3, 3]))
s.shutdown(socket.SHUT_WR)
print(len(s.recv(4096)), "bytes back")')"
echo "by-curl: $(curl -s http://curl.test:18435/)"
cp /usr/bin/curl ./my-curl
echo "by-a-copy: $(./my-curl -s -o /dev/null -w '%{http_code}' http://curl.test:18435/)"
rm -f my-curl
# A `by` binary replaced while its process runs (its config read from a FIFO, so that it
# connects after the swap): the process's executable reads "(deleted)", refused; the new
# file at the path, run afresh, is the binary there now and passes.
cp /usr/bin/curl ./mycurl && rm -f cfg && mkfifo cfg
./mycurl -s -o /dev/null -w '%{http_code}' -K cfg > replaced.out &
sleep 0.3
rm -f mycurl && cp /usr/bin/curl ./mycurl
echo 'url = "http://mine.test:18436/"' > cfg
wait $!
echo "by-a-replaced-binary: $(cat replaced.out) $(./mycurl -s -o /dev/null -w '%{http_code}' http://mine.test:18436/)"
rm -f mycurl cfg replaced.out
# A socket held by two programs (python, and a sleep it handed the socket to): neither can
# be told to be the one that uses it, refused whatever the rule.
echo "held-by-two: $(python3 -c '
import os, socket, subprocess
host, port = os.environ["http_proxy"].split("//")[1].split(":")
s = socket.create_connection((host, int(port)))
sleep = subprocess.Popen(["sleep", "3"], pass_fds=[s.fileno()])
s.sendall(b"GET http://curl.test:18435/ HTTP/1.1\r\nHost: curl.test:18435\r\n\r\n")
answer = s.recv(65536).decode()
sleep.kill()
print(answer.split("\r\n")[0], "|", answer.split("\"reason\":\"")[1].split("\"")[0])')"
echo "by-python: $(python3 -c 'import urllib.request
try:
    urllib.request.urlopen("http://curl.test:18435/")
    print("reached")
except Exception as e:
    print(e)')"
# Threat 10: a relay inside the sandbox (here python, passing curl's bytes to the proxy) is
# the program the proxy sees; and the proxy asked to connect to its own port.
python3 -c '
import os, socket, threading
proxy = int(os.environ["http_proxy"].rsplit(":", 1)[1])
listener = socket.create_server(("127.0.0.1", 18499))
open("relay-ready", "w").close()
client, _ = listener.accept()
upstream = socket.create_connection(("127.0.0.1", proxy))
def pump(a, b):
    while (data := a.recv(65536)):
        b.sendall(data)
    b.shutdown(socket.SHUT_WR)
threading.Thread(target=pump, args=(client, upstream)).start()
pump(upstream, client)' &
for i in $(seq 100); do [ -e relay-ready ] && break; sleep 0.05; done
echo "relay: $(curl -s -o /dev/null -w '%{http_code}' -x http://127.0.0.1:18499 http://curl.test:18435/)"
rm -f relay-ready
proxy_port=${http_proxy##*:}
echo "to-itself: $(curl -s -o /dev/null -w '%{http_connect}' --proxytunnel http://127.0.0.1:$proxy_port/ --noproxy '' ) $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$proxy_port/ --noproxy '')"
echo "from-a-thread: $(python3 -c 'import threading, urllib.request
got = []
t = threading.Thread(target=lambda: got.append(urllib.request.urlopen("http://up.test:18431/thread").read().decode().strip()))
t.start(); t.join(); print(got[0] if got else "failed")')"
curl -s --noproxy '*' --max-time 5 http://127.0.0.1:18431/ > /dev/null
echo "direct: $?"
for request in \
  'GET http://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' \
  'GET http://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\nTransfer-Encoding: chunked, identity\r\n\r\n' \
  'GET http://up.test:18431/ HTTP/1.1\nHost: up.test:18431\n\n' \
  'GET http://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\nX: a\r\n folded\r\n\r\n' \
  'GET http://up.test:18431/ HTTP/1.1\r\nHost: evil.test\r\n\r\n' \
  'GET https://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\n\r\n' \
  'POST http://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd' \
  'GET http://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\nX-Thing : a\r\n\r\n' \
  'GET http://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n' \
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' \
  'POST http://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nGET /smuggled HTTP/1.1\r\n\r\n' \
  'POST http://up.test:18431/ HTTP/1.1\r\nHost: up.test:18431\r\nConnection: content-length\r\nContent-Length: 37\r\n\r\nPOST /secret HTTP/1.1\r\nHost: up.test\r\n\r\n' \
  'POST http://up.test:18431/one HTTP/1.1\r\nHost: up.test:18431\r\nContent-Length: 3\r\n\r\nabcGET http://pub.test:18433/secret HTTP/1.1\r\nHost: pub.test:18433\r\n\r\n'; do
  printf '%s' "$request" | python3 raw-request.py
done
# Heads past the proxy's limits: a line, the number of fields, the whole head.
python3 -c 'print("GET http://up.test:18431/ HTTP/1.1\\r\\nHost: up.test:18431\\r\\nX: " + "a" * 17000 + "\\r\\n\\r\\n", end="")' | python3 raw-request.py
python3 -c 'print("GET http://up.test:18431/ HTTP/1.1\\r\\nHost: up.test:18431\\r\\n" + "X: a\\r\\n" * 129 + "\\r\\n", end="")' | python3 raw-request.py
python3 -c 'print("GET http://up.test:18431/ HTTP/1.1\\r\\nHost: up.test:18431\\r\\n" + ("X: " + "a" * 8000 + "\\r\\n") * 10 + "\\r\\n", end="")' | python3 raw-request.py
