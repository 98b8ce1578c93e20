#!/bin/sh
# The README's first command runs the product: scripts/demo.sh checks and builds the default
# policy, then runs a session under it. Checks what the session's agent saw and what the
# audit log says. Usage: demo_test.sh SOURCE_DIR BUILD_DIR
cd "$1" || exit 1
out=$(BUILD_DIR="$2" bash scripts/demo.sh 2>&1)
status=0
for expected in \
  '^OK$' \
  'The request came with no key' \
  'calc: add$' \
  "my OPENAI_API_KEY is 'shellrt-router-placeholder'" \
  'id_ed25519: No such file or directory' \
  'CONNECT tunnel failed, response 403' \
  'pre-commit: Read-only file system' \
  'exit: status 0' \
  'inference  model demo-reviewer -> local  *@demo_models' \
  'network    CONNECT exfil.example:443  *no rule allows exfil.example:443'; do
  if ! printf '%s\n' "$out" | grep -q -- "$expected"; then
    echo "demo_test: missing: $expected"
    status=1
  fi
done
[ $status -eq 0 ] || printf '%s\n' "$out"
session=$(printf '%s\n' "$out" | grep -o '/tmp/shellc-demo\.[A-Za-z0-9]*' | head -1)
[ -n "$session" ] && rm -rf "$session"
exit $status
