#!/usr/bin/env bash
# Sets up, then runs the main job on the bundled default policy: check it, show what it
# contains, and prove the formatter agrees with its layout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
policy=examples/coding-agent.policy
echo "== shellc check -v $policy"
build/bin/shellc check -v "$policy"
echo "== shellc fmt --check $policy"
build/bin/shellc fmt --check "$policy" && echo "canonical"
echo "== shellc test $policy"
build/bin/shellc test "$policy"
echo "== shellc build $policy -o build/demo/agent.bundle"
mkdir -p build/demo
build/bin/shellc build -v "$policy" -o build/demo/agent.bundle --emit seccomp-asm,oci-seccomp,nft
echo "== shellc explain: may the agent plant a git hook?"
build/bin/shellc explain "$policy" 'write workspace / ".git/hooks/pre-commit"' 
