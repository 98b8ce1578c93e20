#!/usr/bin/env python3
"""usage: capture_client.py connect|proxy|lookup HOST PORT COUNT: inside a sandbox (bench/capture.sh),
COUNT times: a new connection to HOST:PORT and one small request on it, made directly (the
supervisor captures it) or through the explicit proxy (CONNECT, from http_proxy); or a name
looked up (getaddrinfo). Prints the median and 90th percentile in microseconds."""
import os, socket, sys, time

mode, host, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
# Connections are timed apart from lookups: the name is looked up once.
address = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
request = b"GET /small HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n" % (host.encode(), port)


def read_all(s):
    while s.recv(65536):
        pass


def once():
    if mode == "lookup":
        socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
        return
    if mode == "connect":
        s = socket.create_connection((address, port))
    else:
        proxy_host, proxy_port = os.environ["http_proxy"].rsplit("/", 1)[1].split(":")
        s = socket.create_connection((proxy_host, int(proxy_port)))
        s.sendall(b"CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host.encode(), port, host.encode(), port))
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(4096)  # the proxy answers the CONNECT alone: nothing of the upstream's yet
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(request)
    read_all(s)
    s.close()


for _ in range(min(50, count)):  # warm: the resolver's map, the proxy's threads
    once()
times = []
for _ in range(count):
    start = time.perf_counter()
    once()
    times.append((time.perf_counter() - start) * 1e6)
times.sort()
print("%s p50 %.0f us p90 %.0f us" % (mode, times[len(times) // 2], times[len(times) * 9 // 10]))
