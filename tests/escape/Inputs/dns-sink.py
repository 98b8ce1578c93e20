#!/usr/bin/env python3
"""usage: dns-sink.py LOG READY_FILE SECONDS: a resolver on the host's 127.0.0.1:53 (UDP)
that answers every query NXDOMAIN and writes each name asked to LOG, one a line: the test's
witness of which names left the proxy as lookups. Writes READY_FILE once it listens."""
import socket, sys, time

log, ready, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
s.settimeout(0.2)
open(ready, "w").close()
end = time.time() + seconds
while time.time() < end:
    try:
        query, client = s.recvfrom(512)
    except socket.timeout:
        continue
    labels, at = [], 12
    while at < len(query) and query[at]:
        labels.append(query[at + 1:at + 1 + query[at]].decode(errors="replace"))
        at += 1 + query[at]
    with open(log, "a") as f:
        f.write(".".join(labels) + "\n")
    # The header with QR set and RCODE 3 (NXDOMAIN), the question echoed, no answers.
    flags = bytes([0x81, 0x83])
    s.sendto(query[:2] + flags + query[4:6] + b"\0\0\0\0\0\0" + query[12:at + 5], client)
