#!/usr/bin/env python3
"""usage: host-listeners.py WS SECONDS: listeners outside the sandbox, in the workspace it
shares: a stream socket (reached directly, by symlink, by hard link) and a datagram socket.
Prints what reached them when it ends."""
import os, select, socket, sys, time

ws, seconds = sys.argv[1], float(sys.argv[2])
stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
stream.bind(ws + "/host-stream.sock")
stream.listen()
os.symlink(ws + "/host-stream.sock", ws + "/symlink.sock")
os.link(ws + "/host-stream.sock", ws + "/hardlink.sock")
dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dgram.bind(ws + "/host-dgram.sock")
open(ws + "/listening", "w").close()
reached = 0
end = time.time() + seconds
while time.time() < end:
    ready, _, _ = select.select([stream, dgram], [], [], 0.1)
    for s in ready:
        reached += 1
        if s is stream:
            s.accept()
        else:
            s.recv(64)
print("host listeners reached", reached)
