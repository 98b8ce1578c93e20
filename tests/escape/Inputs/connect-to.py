#!/usr/bin/env python3
"""usage: connect-to.py PATH...: connects to each Unix socket, prints PATH: ok or the error."""
import socket, sys

for path in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        print(path + ": ok")
    except OSError as e:
        print(path + ": " + type(e).__name__)
    s.close()
