# Attempts to leave the sandbox past the egress proxy (network-refused.test): datagrams, a
# direct TCP connection (captured, and refused by the proxy), a ping socket, raw sockets; and a datagram on the sandbox's own loopback. Only
# 198.18.0.1 (a benchmarking address no test machine routes) is named, and nothing is sent:
# the supervisor refuses each before any packet.
import socket


def attempt(what, f):
    try:
        print(what, "->", f())
    except OSError as e:
        print(what, "-> errno", e.errno)


udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
attempt("udp 198.18.0.1:53", lambda: udp.sendto(b"query", ("198.18.0.1", 53)))
attempt("udp 127.0.0.1:9", lambda: udp.sendto(b"local", ("127.0.0.1", 9)))
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# Captured (capture.test): connected to the egress proxy, which refuses it (no rule allows
# the address) and resets the connection.
attempt("tcp 198.18.0.1:443", lambda: (tcp.connect(("198.18.0.1", 443)), tcp.recv(1)))
udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
attempt("udp6 ::ffff:198.18.0.1:53", lambda: udp6.sendto(b"query", ("::ffff:198.18.0.1", 53)))
try:
    ping = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
    attempt("icmp 198.18.0.1", lambda: ping.sendto(b"\x08\x00\xf7\xfe\x00\x01\x00\x00", ("198.18.0.1", 0)))
except OSError as e:
    print("icmp socket -> errno", e.errno)
for name, family, kind, protocol in (("raw icmp", socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
                                     ("raw6 tcp", socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)):
    try:
        socket.socket(family, kind, protocol)
        print(name, "socket -> made")
    except OSError as e:
        print(name, "socket -> errno", e.errno)
