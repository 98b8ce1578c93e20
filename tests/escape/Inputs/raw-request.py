#!/usr/bin/env python3
"""usage: raw-request.py: sends stdin's bytes as they are to the proxy named by http_proxy,
prints the status line of the answer and its JSON body's "reason" (the smuggling corpus)."""
import json, os, socket, sys

host, port = os.environ["http_proxy"].split("//")[1].split(":")
s = socket.create_connection((host, int(port)))
s.sendall(sys.stdin.buffer.read().replace(b"\\r", b"\r").replace(b"\\n", b"\n"))
answer = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    answer += chunk
head, _, body = answer.partition(b"\r\n\r\n")
status = head.split(b"\r\n")[0].decode()
try:
    print(status, "|", json.loads(body)["reason"])
except Exception:
    print(status, "|", body[:80])
