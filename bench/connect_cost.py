#!/usr/bin/env python3
"""usage: connect_cost.py DIR [COUNT]: connects COUNT times to a Unix socket it listens on
in DIR, and to a TCP listener on loopback; prints microseconds per connect. Run it in a
sandbox and outside (bench/connect_cost.sh) to see what the supervisor's broker costs."""
import os, socket, sys, time

directory = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000


def per_connect(family, address, listener):
    start = time.perf_counter()
    for _ in range(count):
        c = socket.socket(family, socket.SOCK_STREAM)
        c.connect(address)
        listener.accept()[0].close()
        c.close()
    return (time.perf_counter() - start) / count * 1e6


path = os.path.join(directory, "bench-%d.sock" % os.getpid())
unix = socket.socket(socket.AF_UNIX)
unix.bind(path)
unix.listen(64)
tcp = socket.socket()
tcp.bind(("127.0.0.1", 0))
tcp.listen(64)
print("unix connect+accept: %.1f us" % per_connect(socket.AF_UNIX, path, unix))
print("tcp loopback connect+accept: %.1f us" % per_connect(socket.AF_INET, tcp.getsockname(), tcp))
os.unlink(path)
