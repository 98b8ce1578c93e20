#!/bin/sh
# Run inside the sandbox by inference-router.test: model calls through the inference router,
# as SDKs and agent CLIs make them (their variables), and searches for the providers' keys.
echo "vars: $OPENAI_BASE_URL $ANTHROPIC_BASE_URL $OPENAI_API_KEY $ANTHROPIC_API_KEY"
openai() {  # PATH BODY: the caller's own credentials and a cookie, which the router drops
  curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -H 'Authorization: Bearer sandbox-token' \
    -H 'Cookie: session=1' "$OPENAI_BASE_URL$1" -d "$2"
}
anthropic() {
  curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -H 'x-api-key: sandbox-token' \
    -H 'anthropic-version: 2023-06-01' "$ANTHROPIC_BASE_URL$1" -d "$2"
}
echo "openai: $(openai /chat/completions '{"model":"fake-gpt-4o","messages":[]}')"
# The router keeps its connection to the provider: which call on its connection each was.
call() { openai /chat/completions "{\"model\":\"$1\",\"messages\":[]}" | grep -o '"connection_call": [0-9]*' | grep -o '[0-9]*$'; }
a=$(call fake-gpt-4o) b=$(call fake-gpt-4o) c=$(call fake-gpt-4o)
[ "$b" -eq $((a + 1)) ] && [ "$c" -eq $((b + 1)) ] && echo "kept: one connection, three calls" || echo "kept: no ($a $b $c)"
echo "ended after its answer: call $(call fake-gpt-bye), then call $(call fake-gpt-4o) of a new one"
echo "ended as the call went out: call $(call fake-gpt-drop) of a new one"
echo "rewrite: $(openai /chat/completions '{"model":"fast","messages":[]}' | grep -o '"model": "[^"]*"')"
echo "denied: $(openai /chat/completions '{"model":"fake-gpt-denied-1","messages":[]}')"
echo "unrouted: $(openai /chat/completions '{"model":"llama-3","messages":[]}')"
echo "wrong-api: $(openai /chat/completions '{"model":"fake-claude-3","messages":[]}')"
echo "no-model: $(openai /chat/completions '{"messages":[]}')"
echo "not-served: $(openai /files '{}')"
echo "models: $(curl -s "$OPENAI_BASE_URL/models")"
echo "anthropic: $(anthropic '/v1/messages?beta=true' '{"model":"fake-claude-3","max_tokens":5,"messages":[]}')"
echo "count-tokens: $(anthropic /v1/messages/count_tokens '{"model":"fake-claude-3","messages":[]}')"
echo "anthropic-refused: $(anthropic /v1/messages '{"model":"gpt-unknown-x","max_tokens":5,"messages":[]}')"
/usr/bin/python3 - <<'PY'
import json, os, time, urllib.request
def stream(model, pause):
    request = urllib.request.Request(os.environ["OPENAI_BASE_URL"] + "/chat/completions", method="POST",
        data=json.dumps({"model": model, "stream": True, "pause": pause, "messages": []}).encode(),
        headers={"Content-Type": "application/json"})
    times, lines = [], []
    with urllib.request.urlopen(request) as answer:
        for line in answer:
            if line.strip():
                times.append(time.monotonic())
                lines.append(line.decode().strip())
    return times, lines
times, lines = stream("fake-gpt-4o", 0.4)
# Each event arrives as it is sent: the first long before the last.
print("stream: %d events, %s" % (len(lines), "as they came" if times[-1] - times[0] > 0.8 else "buffered"))
times, lines = stream("fake-gpt-cut", 0.1)
print("cut: %s" % " | ".join(l for l in lines if not l.startswith("data: {\"model\"")))
# A caller that gives up: its call to the provider is cancelled (the audit log says so).
try:
    urllib.request.urlopen(urllib.request.Request(os.environ["OPENAI_BASE_URL"] + "/chat/completions", method="POST",
        data=b'{"model":"fake-gpt-slow","messages":[]}', headers={"Content-Type": "application/json"}), timeout=0.5)
except Exception as e:
    print("gave up:", type(e).__name__)
PY
# The keys' text, made here so that this script does not hold it.
openai_key="fake-openai""-secret" anthropic_key="fake-anthropic""-secret"
found() { grep -ls -e "$openai_key" -e "$anthropic_key" "$@" | wc -l; }
echo "keys in the environment: $(env | grep -c -e "$openai_key" -e "$anthropic_key")"
echo "keys in /proc: $(found /proc/[0-9]*/environ /proc/[0-9]*/cmdline)"
echo "keys in files: $(grep -rls -e "$openai_key" -e "$anthropic_key" . "$HOME" /etc /tmp | wc -l)"
