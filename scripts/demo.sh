#!/usr/bin/env bash
# Sets up, then runs the main job on the bundled default policy: check it, show what it
# contains, prove the formatter agrees with its layout, build it, and run a session under it
# (a scripted agent, a local stand-in model provider; the session's files stay in /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
scripts/setup.sh "$build" >/dev/null
policy=examples/coding-agent.policy
echo "== shellc check -v $policy"
"$build"/bin/shellc check -v "$policy"
echo "== shellc fmt --check $policy"
"$build"/bin/shellc fmt --check "$policy" && echo "canonical"
echo "== shellc test $policy"
"$build"/bin/shellc test "$policy"
echo "== shellc build $policy -o "$build"/demo/agent.bundle"
mkdir -p "$build"/demo
"$build"/bin/shellc build -v "$policy" -o "$build"/demo/agent.bundle --emit seccomp-asm,oci-seccomp,nft
echo "== shellc explain: may the agent plant a git hook?"
"$build"/bin/shellc explain "$policy" 'write workspace / ".git/hooks/pre-commit"' 

# A session under the policy, as a user runs one: a scripted agent works in a throwaway
# workspace (a git repository), calls a model through the inference router (a local
# stand-in provider: no key, no internet), then tries what a compromised agent would. It
# needs no network: the host it tries to reach is refused before any lookup.
echo
echo "== a session: shellrt runs a scripted agent under $policy"
session=$(mktemp -d /tmp/shellc-demo.XXXXXX)
trap 'pkill -f "scripts/demo/provider.py $session" 2>/dev/null || true' EXIT
mkdir -p "$session/ws" "$session/home/.ssh"
echo "-----BEGIN OPENSSH PRIVATE KEY----- (a stand-in: your real key stays where it is)" > "$session/home/.ssh/id_ed25519"
git -C "$session/ws" init -q
python3 scripts/demo/provider.py "$session/provider.port" 300 > /dev/null 2>&1 &
for i in $(seq 50); do [ -s "$session/provider.port" ] && break; sleep 0.1; done
as_user=()
if [ "$(id -u)" -eq 0 ]; then  # the sandbox never runs as root: as nobody, with the demo's home
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  chown -R 65534:65534 "$session/ws" "$session/home"
  chmod 1777 "$session"  # the audit log is written by the supervisor, as nobody
fi
printf 'use "%s"\ninference {\n  provider local {\n    endpoint "http://127.0.0.1:%s/v1"\n    api openai\n  }\n  @demo_models route "demo-*" => local\n}\n' \
  "$PWD/$policy" "$(cat "$session/provider.port")" > "$session/session.policy"
"$build"/bin/shellc build "$session/session.policy" -o "$session/session.bundle" 2> /dev/null
cp scripts/demo/agent.sh "$session/ws/"
chmod 644 "$session/session.bundle"
HOME="$session/home" PATH=/usr/local/bin:/usr/bin:/bin "${as_user[@]}" "$build"/bin/shellrt "$session/session.bundle" --workspace "$session/ws" \
  --audit-log "$session/audit.jsonl" -- /bin/sh agent.sh 2>&1 | grep -v 'warning: limit memory' || true
echo
echo "== what the audit log says ($session/audit.jsonl, one JSON event a line: docs/audit.md)"
python3 scripts/demo/summary.py "$session/audit.jsonl"
