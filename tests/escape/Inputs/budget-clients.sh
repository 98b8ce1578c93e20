#!/bin/sh
# Run inside the sandbox by inference-budgets.test: model calls through the inference router
# until each budget is spent, printing what the caller sees.
openai() {  # BODY
  curl -s -D headers -w ' %{http_code}' -H 'Content-Type: application/json' "$OPENAI_BASE_URL/chat/completions" -d "$1"
}
anthropic() {  # PATH BODY
  curl -s -D headers -w ' %{http_code}' -H 'Content-Type: application/json' -H 'anthropic-version: 2023-06-01' \
    "$ANTHROPIC_BASE_URL$1" -d "$2"
}
# The provider's own token budget (20): 8 tokens, then a stream (8 more, which the caller did
# not ask to be told of, and is), then an answer that says nothing (counted from its bytes).
echo "first: $(openai '{"model":"fake-gpt-4o","messages":[]}' | grep -o ' [0-9]*$')"
echo "stream: $(openai '{"model":"fake-gpt-4o","stream":true,"pause":0,"messages":[]}' | grep -c '"usage"') usage event"
echo "quiet: $(openai '{"model":"fake-gpt-quiet","messages":[]}' | grep -o ' [0-9]*$')"
echo "spent: $(openai '{"model":"fake-gpt-4o","messages":[]}')"
echo "retry: $(tr -d '\r' < headers | grep -i '^x-should-retry')"
# The provider's call budget (2): count_tokens spends nothing.
echo "count-tokens: $(anthropic /v1/messages/count_tokens '{"model":"fake-claude-3","messages":[]}')"
for n in 1 2 3; do echo "claude $n: $(anthropic /v1/messages '{"model":"fake-claude-3","max_tokens":5,"messages":[]}' | grep -o ' [0-9]*$\|{"type":"error".*')"; done
# The session's call budget (6): five calls so far, one more, then none.
echo "spare 1: $(openai '{"model":"spare-1","messages":[]}' | grep -o ' [0-9]*$')"
echo "spare 2: $(openai '{"model":"spare-2","messages":[]}')"
