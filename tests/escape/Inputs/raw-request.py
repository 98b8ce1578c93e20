#!/usr/bin/env python3
"""usage: raw-request.py: sends stdin's bytes as they are to the proxy named by http_proxy,
prints the status line of each answer on the connection and the first refusal's "reason"
(the smuggling corpus)."""
import os, re, socket, sys

host, port = os.environ["http_proxy"].split("//")[1].split(":")
s = socket.create_connection((host, int(port)))
s.sendall(sys.stdin.buffer.read().replace(b"\\r", b"\r").replace(b"\\n", b"\n"))
answer = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    answer += chunk
# Every answer on the connection, in order; the reason of the first one refused.
statuses = [m.decode() for m in re.findall(rb"HTTP/1\.[01] [0-9]{3}[^\r]*", answer)]
reasons = [m.decode() for m in re.findall(rb'"reason":"([^"]*)"', answer)]
print(" + ".join(statuses), "|", reasons[0] if reasons else "-")
