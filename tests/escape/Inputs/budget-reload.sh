#!/bin/sh
# usage: budget-reload.sh DIR SHELLC SHELLRT: a session under DIR/reload.policy spends its two
# calls to Anthropic; then its bundle is rebuilt with a cap of 3 and reloaded. The call after
# the reload passes and the next is refused with 3 used: what was spent stayed. Writes the
# session's output to DIR/reload-session.out.
set -u
dir=$1 shellc=$2 shellrt=$3
wait_for() {
  for i in $(seq 400); do [ -e "$1" ] && return 0; sleep 0.05; done
  echo "timed out waiting for $1" >&2
  exit 1
}
sed 's/limit requests 2/limit requests 3/' "$dir/budgets.policy" > "$dir/raised.policy"
cp "$dir/budgets.bundle" "$dir/reload.bundle"
rm -f "$dir/ws/spent" "$dir/ws/reloaded"
call='curl -s -w " %{http_code}\n" -H "anthropic-version: 2023-06-01" "$ANTHROPIC_BASE_URL/v1/messages" -d "{\"model\":\"fake-claude-3\",\"max_tokens\":5}"'
agent="for n in 1 2 3; do $call | grep -o ' [0-9]*\$\|(.* used)'; done; touch spent
for i in \$(seq 400); do [ -e reloaded ] && break; sleep 0.05; done
for n in 4 5; do $call | grep -o ' [0-9]*\$\|(.* used)'; done"
setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$dir/home" PATH=/usr/bin:/bin \
  FAKE_OPENAI_KEY=fake-openai-secret-1234 FAKE_ANTHROPIC_KEY=fake-anthropic-secret-5678 "$shellrt" "$dir/reload.bundle" \
  --workspace "$dir/ws" -- /bin/sh -c "$agent" > "$dir/reload-session.out" 2>&1 &
session=$!
trap 'kill -KILL $session 2> /dev/null' EXIT
wait_for "$dir/ws/spent"
"$shellc" build "$dir/raised.policy" -o "$dir/reload.bundle" 2> /dev/null && chmod 644 "$dir/reload.bundle"
"$shellrt" --reload $session 2> /dev/null
for i in $(seq 400); do grep -q reloaded "$dir/reload-session.out" && break; sleep 0.05; done
touch "$dir/ws/reloaded"
wait $session
