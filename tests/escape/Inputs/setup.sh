#!/bin/sh
# usage: setup.sh DIR: a workspace with a git repository, a home with secrets, the bundle.
set -eu
dir=$1
here=$(dirname "$0")
rm -rf "$dir"
mkdir -p "$dir/ws/.git/hooks" "$dir/home/.ssh" "$dir/home/.aws"
echo "ref: refs/heads/main" > "$dir/ws/.git/HEAD"
echo "[core]" > "$dir/ws/.git/config"
echo "print('hello')" > "$dir/ws/main.py"
echo "PRIVATE KEY" > "$dir/home/.ssh/id_ed25519"
echo "aws_secret_access_key = x" > "$dir/home/.aws/credentials"
chown -R 65534:65534 "$dir"
"${SHELLC:-$here/../../../build/bin/shellc}" build "$here/../../../examples/coding-agent.policy" -o "$dir/agent.bundle" 2>/dev/null ||
  shellc build "$here/../../../examples/coding-agent.policy" -o "$dir/agent.bundle"
chmod 644 "$dir/agent.bundle"
