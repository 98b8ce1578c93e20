#!/usr/bin/env python3
"""usage: upstream.py READY_FILE SECONDS PORT [PORT...] [--tls PORT CERT KEY]: servers on the
host's loopback that the sandbox reaches through the egress proxy. Each plain port answers
every request with "upstream PORT METHOD PATH" (and the body's length), in HTTP/1.1 with the
connection kept, naming the connection's port in X-Peer-Port; a TLS port (a
self-signed certificate) answers the same after the handshake. Writes READY_FILE once all
listen, and stops after SECONDS."""
import http.server, socketserver, ssl, sys, threading, time


class Answer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections: the proxy may reuse them

    def reply(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        text = "upstream %d %s %s body=%d\n" % (self.server.server_address[1], self.command, self.path, len(body))
        self.send_response(200)
        self.send_header("Content-Length", str(len(text)))
        self.send_header("X-Peer-Port", str(self.client_address[1]))  # which connection carried it
        self.end_headers()
        self.wfile.write(text.encode())

    do_GET = do_POST = do_PUT = do_DELETE = reply

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


args = sys.argv[1:]
ready, seconds, servers = args[0], float(args[1]), []
rest = args[2:]
while rest:
    if rest[0] == "--tls":
        server = Server(("127.0.0.1", int(rest[1])), Answer)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(rest[2], rest[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        rest = rest[4:]
    else:
        server = Server(("127.0.0.1", int(rest[0])), Answer)
        rest = rest[1:]
    servers.append(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
open(ready, "w").close()
time.sleep(seconds)
