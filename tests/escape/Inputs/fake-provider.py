#!/usr/bin/env python3
"""usage: fake-provider.py READY SECONDS OPENAI_PORT OPENAI_KEY ANTHROPIC_PORT ANTHROPIC_KEY:
stand-ins for an OpenAI-compatible and an Anthropic-compatible provider on the host's
loopback, for the inference router's tests. Each checks the key it receives in its API's
header (401 otherwise) and answers with what it received: the model, and the request's
header names (so that a test sees what the router sent on and what it dropped). OpenAI's
`"stream": true` answers in server-sent events, with a pause between them; the model
"fake-gpt-cut" stops its stream half-way, without its end; `"gap": S` is a silence of S
seconds after a stream's first event; "fake-gpt-slow" answers after 3 s;
"fake-gpt-quiet" says nothing of its usage; "fake-gpt-bye" ends the connection after its
answer (without saying so), "fake-gpt-drop" ends it unanswered unless it is the connection's
first call (a provider ending a kept connection as a call goes out). Each answer says which
call on its connection it was ("connection_call"). As OpenAI, a stream ends with its usage only when
`stream_options.include_usage` asks for it. Writes READY once both listen; stops after SECONDS."""
import http.server, json, socketserver, sys, threading, time


class Provider(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        # The head and the body in one write: two small writes on a kept connection wait for
        # the client's delayed acknowledgement (Nagle), 40 ms a call.
        self._headers_buffer.append(b"\r\n" + data)
        self.flush_headers()

    def chunk(self, text):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def events(self, events):
        """Server-sent events, each (type, data) or data alone, in a chunked body."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in events:
            kind, data = event if isinstance(event, tuple) else (None, event)
            self.chunk(("event: %s\n" % kind if kind else "") + "data: %s\n\n" % json.dumps(data))
        self.wfile.write(b"0\r\n\r\n")

    def anthropic_stream(self, model, text):
        """A Messages API stream, as Claude Code reads it: one text block."""
        message = {"id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": [],
                   "stop_reason": None, "usage": {"input_tokens": 3, "output_tokens": 1}}
        self.events([("message_start", {"type": "message_start", "message": message}),
                     ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
                     ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
                     ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                     ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                        "usage": {"output_tokens": 5}}),
                     ("message_stop", {"type": "message_stop"})])

    def responses_stream(self, model, text):
        """A Responses API stream, as Codex CLI reads it: one message."""
        done = {"type": "message", "id": "msg_fake", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}]}
        response = {"id": "resp_fake", "object": "response", "model": model, "status": "in_progress", "output": []}
        where = {"item_id": "msg_fake", "output_index": 0, "content_index": 0}
        events = [{"type": "response.created", "response": response},
                  {"type": "response.output_item.added", "output_index": 0, "item": dict(done, status="in_progress", content=[])},
                  dict(where, type="response.content_part.added", part={"type": "output_text", "text": "", "annotations": []}),
                  dict(where, type="response.output_text.delta", delta=text),
                  dict(where, type="response.output_text.done", text=text),
                  dict(where, type="response.content_part.done", part=done["content"][0]),
                  {"type": "response.output_item.done", "output_index": 0, "item": done},
                  {"type": "response.completed", "response": dict(response, status="completed", output=[done],
                                                                  usage={"input_tokens": 3, "output_tokens": 5, "total_tokens": 8})}]
        self.events([(e["type"], e) for e in events])

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self.calls = getattr(self, "calls", 0) + 1  # the handler lives as long as its connection
        if body.get("model") == "fake-gpt-drop" and self.calls > 1:
            self.close_connection = True
            return
        openai = self.server.server_address[1] == int(sys.argv[3])
        key = sys.argv[4] if openai else sys.argv[6]
        given = (self.headers.get("Authorization") or "").removeprefix("Bearer ") if openai else self.headers.get("x-api-key")
        if given != key:
            return self.answer(401, {"error": {"message": "wrong key: %r" % given}})
        seen = "%s %s key ok; headers: %s" % (self.command, self.path, ",".join(sorted(h.lower() for h in self.headers.keys())))
        if not openai:
            if self.path.endswith("/count_tokens"):
                return self.answer(200, {"input_tokens": 3})
            if body.get("stream"):
                return self.anthropic_stream(body.get("model"), seen)
            return self.answer(200, {"type": "message", "model": body.get("model"), "content": [{"type": "text", "text": seen}],
                                     "usage": {"input_tokens": 3, "output_tokens": 5}})
        if self.path.endswith("/responses") and body.get("stream"):
            return self.responses_stream(body.get("model"), seen)
        if body.get("model") == "fake-gpt-slow":
            time.sleep(3)  # a model that thinks: the caller gives up first
        usage = {"prompt_tokens": 3, "completion_tokens": 5}
        if not body.get("stream"):
            answer = {"object": "chat.completion", "model": body.get("model"),
                      "choices": [{"message": {"role": "assistant", "content": seen}}], "usage": usage,
                      "connection_call": self.calls}
            self.close_connection = body.get("model") == "fake-gpt-bye"
            if body.get("model") == "fake-gpt-quiet":
                del answer["usage"]
            return self.answer(200, answer)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(3):
            self.chunk("data: %s\n\n" % json.dumps({"model": body.get("model"), "choices": [{"delta": {"content": "part%d " % i}}]}))
            if body.get("model") == "fake-gpt-cut" and i == 1:
                self.connection.shutdown(2)  # cut: no more events, no end of the chunked body
                return
            time.sleep(float(body.get("gap", 0)) if i == 0 else 0)  # one long silence, after the first
            time.sleep(float(body.get("pause", 0.2)))
        if (body.get("stream_options") or {}).get("include_usage"):
            self.chunk("data: %s\n\n" % json.dumps({"model": body.get("model"), "choices": [], "usage": usage}))
        self.chunk("data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


for port in (int(sys.argv[3]), int(sys.argv[5])):
    server = Server(("127.0.0.1", port), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
open(sys.argv[1], "w").close()
time.sleep(float(sys.argv[2]))
