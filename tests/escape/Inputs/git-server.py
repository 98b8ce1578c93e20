#!/usr/bin/env python3
"""usage: git-server.py ROOT PORT READY_FILE SECONDS [--tls CERT KEY]: git's smart HTTP protocol
on the host's loopback (git http-backend as CGI under /cgi-bin/git/), serving the repositories
in ROOT, pushes included; over TLS with --tls. Writes READY_FILE once it listens; stops after
SECONDS."""
import http.server, os, ssl, sys, threading, time, warnings

warnings.simplefilter("ignore", DeprecationWarning)
root, port, ready, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
os.makedirs(root + "/cgi-bin", exist_ok=True)
with open(root + "/cgi-bin/git", "w") as f:
    f.write("#!/bin/sh\nGIT_PROJECT_ROOT=%s GIT_HTTP_EXPORT_ALL=1 exec /usr/lib/git-core/git-http-backend\n" % root)
os.chmod(root + "/cgi-bin/git", 0o755)
os.chdir(root)


class Handler(http.server.CGIHTTPRequestHandler):
    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
if sys.argv[5:6] == ["--tls"]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[6], sys.argv[7])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    Handler.have_fork = False  # a forked CGI would write to the raw socket, past TLS
threading.Thread(target=server.serve_forever, daemon=True).start()
open(ready, "w").close()
time.sleep(seconds)
