#!/bin/sh
# usage: live-reload.sh DIR SHELLC SHELLRT EXAMPLES: runs a sandbox under DIR/a.policy and,
# while it runs, rebuilds its bundle and asks the supervisor to reload it: to b.policy (the
# network changed: taken), then to c.policy (the filesystem changed: refused), to d.policy
# (a provider whose key only a start reads: refused) and to a file
# that is no bundle (refused). Writes the session's output to DIR/session.out and what
# `shellrt --reload` said to DIR/reload.out.
set -u
dir=$1 shellc=$2 shellrt=$3
wait_for() {  # FILE [PATTERN]
  for i in $(seq 400); do
    if [ -n "${2:-}" ]; then grep -q "$2" "$1" 2> /dev/null && return 0; else [ -e "$1" ] && return 0; fi
    sleep 0.05
  done
  echo "timed out waiting for $1 ${2:-}" >&2
  exit 1
}
build() { "$shellc" build "$dir/$1.policy" -o "$dir/live.bundle" 2> /dev/null && chmod 644 "$dir/live.bundle"; }
build a
rm -f "$dir/ws/tunnel-open" "$dir/ws/reloaded" "$dir/ws/checked" "$dir/ws/refused"
setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$dir/home" PATH=/usr/bin:/bin SSL_CERT_FILE="$dir/ca.pem" \
  "$shellrt" "$dir/live.bundle" --workspace "$dir/ws" --audit-log "$dir/live.jsonl" --resolve up.test:127.0.0.1 \
  --resolve other.test:127.0.0.1 --resolve api.test:127.0.0.1 \
  -- /bin/sh live-reload-agent.sh > "$dir/session.out" 2>&1 &
session=$!
trap 'kill -KILL $session 2> /dev/null' EXIT
wait_for "$dir/ws/tunnel-open"
build b
"$shellrt" --reload $session 2>> "$dir/reload.out"
wait_for "$dir/session.out" "reloaded"
touch "$dir/ws/reloaded"
wait_for "$dir/ws/checked"
build c
"$shellrt" --reload $session 2>> "$dir/reload.out"
wait_for "$dir/session.out" "reload refused"
build d
"$shellrt" --reload $session 2>> "$dir/reload.out"
wait_for "$dir/session.out" "cannot be taken live"
echo '{"format": "not a bundle"' > "$dir/live.bundle"
"$shellrt" --reload $session 2>> "$dir/reload.out"
for i in $(seq 400); do [ "$(grep -c 'reload refused' "$dir/session.out")" -ge 3 ] && break; sleep 0.05; done
touch "$dir/ws/refused"
"$shellrt" --reload $$ 2>> "$dir/reload.out"
echo "not a supervisor: $?" >> "$dir/reload.out"
wait $session
echo "session: $?" >> "$dir/reload.out"
