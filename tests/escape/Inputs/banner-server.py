#!/usr/bin/env python3
"""usage: banner-server.py READY_FILE SECONDS PORT: a server on the host's loopback that speaks
first, as SSH, SMTP and MySQL servers do: it writes a banner line to each connection, then
closes it. Writes READY_FILE once it listens, and stops after SECONDS."""
import socket, sys, threading, time

ready, seconds, port = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)


def serve():
    while True:
        c, _ = s.accept()
        c.sendall(b"BANNER %d\r\n" % port)
        c.close()


threading.Thread(target=serve, daemon=True).start()
open(ready, "w").close()
time.sleep(seconds)
