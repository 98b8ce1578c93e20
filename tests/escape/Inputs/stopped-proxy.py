#!/usr/bin/env python3
"""Run inside the sandbox by egress.test: a kept-alive connection through the proxy, which the
test stops and continues (SIGSTOP, SIGCONT: Ctrl-Z and fg of a session) while the proxy waits
for the next request on it; then that request, on the same connection."""
import os, socket, time
port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
request = b"GET http://up.test:18431/again HTTP/1.1\r\nHost: up.test:18431\r\n\r\n"
s = socket.create_connection(("127.0.0.1", port))
s.sendall(request)
answer = b""
while b"body=0" not in answer:  # the whole answer: nothing of it left for the second read
    answer += s.recv(4096)
open("connection-kept", "w").close()
for _ in range(300):
    if os.path.exists("proxy-continued"):
        break
    time.sleep(0.1)
s.sendall(request)
answer = b""
while b"body=0" not in answer and (piece := s.recv(4096)):
    answer += piece
print("after a stop:", answer.split(b"\r\n")[0].decode(), flush=True)
