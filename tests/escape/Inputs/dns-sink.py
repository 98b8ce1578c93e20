#!/usr/bin/env python3
"""usage: dns-sink.py LOG READY_FILE SECONDS [NAME=ADDRESS,ADDRESS...]...: a resolver on the
host's 127.0.0.1:53 (UDP) that answers every query NXDOMAIN, except A queries for a NAME
given, answered with its ADDRESSes (IPv4, in that order); it writes each name asked to LOG,
one a line: the test's witness of which names left the proxy as lookups. Writes READY_FILE
once it listens."""
import socket, sys, time

log, ready, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
answers = {name: addresses.split(",") for name, addresses in (a.split("=") for a in sys.argv[4:])}
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
    name, qtype = ".".join(labels), query[at + 1:at + 3]
    question = query[12:at + 5]
    if name in answers and qtype == b"\0\1":
        # NOERROR, one A record a given address (the name by a pointer to the question's).
        records = b"".join(b"\xc0\x0c\0\1\0\1\0\0\0\0\0\4" + socket.inet_aton(a) for a in answers[name])
        s.sendto(query[:2] + bytes([0x81, 0x80]) + query[4:6] + len(answers[name]).to_bytes(2, "big") + b"\0\0\0\0" +
                 question + records, client)
        continue
    # The header with QR set and RCODE 3 (NXDOMAIN), the question echoed, no answers.
    flags = bytes([0x81, 0x83])
    s.sendto(query[:2] + flags + query[4:6] + b"\0\0\0\0\0\0" + question, client)
