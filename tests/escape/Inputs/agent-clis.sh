#!/bin/sh
# Run inside the sandbox by agent-clis.test: Claude Code (-p) and Codex CLI (exec), each with
# only what the sandbox gives it (the router's base URLs and placeholder keys), then a search
# for the providers' keys in what the agents left (their homes, logs, sessions) and in /proc.
agents=$PWD/agents/node_modules/.bin
echo "claude: $(timeout 120 "$agents/claude" -p 'say hi' --model fake-claude-sonnet 2>&1 | head -3)"
# Codex reads no OPENAI_BASE_URL: a provider entry names the router (docs/inference.md).
timeout 120 "$agents/codex" exec --skip-git-repo-check --color never -m fake-gpt-5 \
  -c model_provider=shellrt -c model_providers.shellrt.name=shellrt \
  -c "model_providers.shellrt.base_url=\"$OPENAI_BASE_URL\"" -c model_providers.shellrt.env_key=OPENAI_API_KEY \
  -c model_providers.shellrt.wire_api=responses 'say hi' > codex.out 2>&1
echo "codex: exit $? $(grep -m1 'POST /v1/responses' codex.out)"
# The keys, spelled so that this script's own command line does not hold them.
openai_key="fake-openai""-secret" anthropic_key="fake-anthropic""-secret"
found() { grep -ls -e "$openai_key" -e "$anthropic_key" "$@" | wc -l; }
echo "keys in the environment: $(env | grep -c -e "$openai_key" -e "$anthropic_key")"
echo "keys in /proc: $(found /proc/[0-9]*/environ /proc/[0-9]*/cmdline)"
echo "keys in files: $(grep -rls --exclude-dir=agents -e "$openai_key" -e "$anthropic_key" . "$HOME" /etc /tmp | wc -l)"
