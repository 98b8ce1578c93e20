#!/usr/bin/env python3
"""usage: hold_connections.py N URL: N keep-alive connections through $http_proxy, one request
answered on each, all held open; writes `held` in the working directory once they are, and
lets go when a file `release` appears there. Prints how many were answered."""
import os, socket, sys, time
from urllib.parse import urlparse

n, url = int(sys.argv[1]), urlparse(sys.argv[2])
proxy = int(os.environ["http_proxy"].rsplit(":", 1)[1])
request = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (sys.argv[2], url.netloc)).encode()
held, answered = [], 0
for i in range(n):
    s = socket.create_connection(("127.0.0.1", proxy))
    s.sendall(request)
    answered += b" 200 " in s.recv(4096)
    held.append(s)
print("%d connections open, %d answered" % (len(held), answered), flush=True)
open("held", "w").close()
while not os.path.exists("release"):
    time.sleep(0.1)
