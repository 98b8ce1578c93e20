#!/usr/bin/env python3
"""usage: provider.py PORT_FILE SECONDS: a local stand-in for a model provider (OpenAI's API)
for scripts/demo.sh: it listens on a free port of the host's loopback, writes the port to
PORT_FILE, answers every chat completion with a short review, and says whether a key came
with the request (the demo's provider needs none). Stops after SECONDS."""
import http.server, json, socketserver, sys, threading, time


class Provider(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        text = ("(the local stand-in model %s) calc.add looks right; consider a test for negative numbers. "
                "The request came with %s." % (request.get("model"), "a key" if self.headers.get("Authorization") else "no key"))
        body = json.dumps({"object": "chat.completion", "model": request.get("model"),
                           "choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Provider)
threading.Thread(target=server.serve_forever, daemon=True).start()
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
time.sleep(float(sys.argv[2]))
