#!/usr/bin/env python3
"""Run inside the sandbox by capture.test: the sandbox's resolver asked as programs ask it
(getaddrinfo, through /etc/resolv.conf) and as a tool like dig does (a raw query to
127.0.0.1:53), each line labelled with what was asked and what came back."""
import random, socket, string, struct


def lookup(name):
    try:
        return socket.getaddrinfo(name, 443, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)[0][4][0]
    except socket.gaierror as e:
        return "gaierror %d" % e.errno


def ask(name, qtype):
    question = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + question, ("127.0.0.1", 53))
    reply = s.recv(512)
    ident, flags, _, answers, _, _ = struct.unpack(">HHHHHH", reply[:12])
    rcode = {0: "NOERROR", 3: "NXDOMAIN"}.get(flags & 15, str(flags & 15))
    address = socket.inet_ntoa(reply[-4:]) if answers else "-"
    return "%s answers=%d %s%s" % (rcode, answers, address, "" if ident == 0x1234 else " (wrong id)")


print("resolv.conf:", [l for l in open("/etc/resolv.conf").read().splitlines() if l.startswith("nameserver")])
print("allowed:", lookup("allowed.test"))
print("allowed-again:", lookup("Allowed.Test."))
print("denied:", lookup("secret-data.exfil.test"))
print("a:", ask("allowed.test", 1))
print("aaaa:", ask("allowed.test", 28))
print("txt:", ask("allowed.test", 16))
print("any:", ask("allowed.test", 255))
print("denied-txt:", ask("secret-data.exfil.test", 16))
label = "".join(random.choice(string.ascii_lowercase) for _ in range(60))
print("wildcard-long-label:", ask(label + ".wild.test", 1))
print("wildcard-txt:", ask(label + ".wild.test", 16))
# A connection to the allowed name: now, and only now, the proxy looks it up (the sink
# answers NXDOMAIN): refused, reset.
try:
    s = socket.create_connection(("allowed.test", 443), timeout=5)
    print("connect:", s.recv(10))
except OSError as e:
    print("connect: errno", e.errno)
