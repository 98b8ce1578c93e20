#!/bin/sh
# Inside the sandbox, for live-reload.test: requests before and after each reload the test
# makes from outside, told apart by marker files in the workspace.
wait_for() { for i in $(seq 400); do [ -e "$1" ] && return 0; sleep 0.05; done; echo "timed out waiting for $1"; exit 1; }
echo "before: $(curl -s http://up.test:18451/before)"
# A tunnel in use, and a plain connection kept alive: on each, one request answered before
# the reload and one sent after it.
/usr/bin/python3 - <<'PY' &
import os, socket, time
port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"CONNECT up.test:18451 HTTP/1.1\r\nHost: up.test:18451\r\n\r\n")
s.recv(100)
s.sendall(b"GET /in-tunnel HTTP/1.1\r\nHost: up.test:18451\r\n\r\n")
answer = b""
while b"body=0" not in answer:  # the whole answer: nothing of it left to read later
    answer += s.recv(4096)
print("tunnel:", answer.decode().split("\r\n")[0], flush=True)
kept = socket.create_connection(("127.0.0.1", port))
def ask(path):
    kept.sendall(b"GET http://up.test:18451" + path + b" HTTP/1.1\r\nHost: up.test:18451\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not (answer.endswith(b"body=0\n") or answer.endswith(b"}\n")):
        answer += kept.recv(4096)
    return answer.decode().split("\r\n")[0]
print("kept:", ask(b"/kept-before"), flush=True)
# A tunnel whose TLS the proxy ends (an `http` rule judges api.test), trusting the sandbox's store.
import ssl
raw = socket.create_connection(("127.0.0.1", port))
raw.sendall(b"CONNECT api.test:18453 HTTP/1.1\r\nHost: api.test:18453\r\n\r\n")
raw.recv(100)
inspected = ssl.create_default_context().wrap_socket(raw, server_hostname="api.test")
def inside(path):
    inspected.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: api.test:18453\r\n\r\n")
    answer = b""
    while not (answer.endswith(b"body=0\n") or answer.endswith(b"}\n")):
        answer += inspected.recv(4096)
    text = answer.decode()
    rule = text.split('"rule":"')[1].split(" ")[0] if '"rule":"' in text else ""
    return (text.split("\r\n")[0] + " " + rule).strip()
print("inspected:", inside(b"/inspected-before"), flush=True)
open("tunnel-open", "w").close()
while not os.path.exists("reloaded"):
    time.sleep(0.05)
try:
    s.sendall(b"GET /in-tunnel-after HTTP/1.1\r\nHost: up.test:18451\r\n\r\n")
    print("tunnel after:", s.recv(4096).decode().split("\r\n")[0] or "closed", flush=True)
except OSError as e:
    print("tunnel after: closed", flush=True)
print("kept after:", ask(b"/kept-after"), flush=True)
print("inspected after:", inside(b"/inspected-after"), flush=True)
PY
wait_for reloaded
wait
echo "after: $(curl -s -o /dev/null -w '%{http_code}' http://up.test:18451/after) $(curl -s http://other.test:18452/after)"
touch checked
wait_for refused
echo "still: $(curl -s -o /dev/null -w '%{http_code}' http://up.test:18451/still) $(curl -s http://other.test:18452/still)"
