#!/usr/bin/env bash
# Installs what shellc needs (Debian 12 packages) if missing, then configures and builds.
# Usage: scripts/setup.sh [BUILD_DIR]   (default: build)
#        scripts/setup.sh --packages-only   (for builds configured elsewhere: scripts/fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

packages=(
  build-essential cmake ninja-build python3
  python3-psutil                         # lit stops a hung test (tests/escape/lit.cfg.py)
  antlr4 libantlr4-runtime-dev           # the grammar: tool 4.7.2 + runtime 4.9
  llvm-14-dev llvm-14-tools clang        # LLVM Support (static), lit + FileCheck, libFuzzer
  zlib1g-dev libtinfo-dev                # what static LLVM Support links against
  libc6-dev-arm64-cross linux-libc-dev-arm64-cross   # aarch64 values of header constants
  libz3-dev libyaml-cpp-dev libseccomp-dev libcli11-dev
  libssl-dev openssl                     # Ed25519 bundle signatures (shellc build --sign; tests)
  libgtest-dev libbenchmark-dev hyperfine
  nftables                               # `nft -c` validates the emitted ruleset in tests
  bubblewrap                             # the start-up benchmark compares shellrt with bwrap
  runc                                   # runs the emitted OCI seccomp profile for real in tests
  nodejs python3-pip                     # real clients through the egress proxy in tests (tls-inspection.test)
  openssh-server                         # an sshd that git clones from over ssh, captured (capture.test)
  python3-grpcio                         # gRPC over HTTP/2 through the proxy, decided by path (capture.test)
  golang-go bind9-dnsutils               # a Go program and dig, captured and answered by the sandbox's resolver (capture.test)
  libnghttp2-dev                         # HTTP/2 inside inspected connections (egress/h2.h; loaded by dlopen)
  "linux-headers-$(dpkg --print-architecture)"  # syscall prototypes: tests/syscall_widths_test.sh
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$build" = --packages-only ] && exit 0

# The official model SDKs, which the escape suite runs inside sandboxes against fake
# providers (tests/escape/inference-router.test): pinned, from npm, once per build directory.
sdks=(openai@6.49.0 @anthropic-ai/sdk@1.14.0)
# Node trusts its own roots only: the system's are added (a network that inspects TLS has its
# authority there), and a registry out of reach fails within minutes, saying so.
if [ ! -d "$build/npm/node_modules/@anthropic-ai/sdk" ]; then
  mkdir -p "$build/npm"
  roots=/etc/ssl/certs/ca-certificates.crt
  if ! NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS:-$roots} npm install --no-audit --no-fund --no-update-notifier \
      --fetch-retries=2 --fetch-timeout=60000 --loglevel=error --prefix "$build/npm" "${sdks[@]}" > /dev/null; then
    echo "setup: cannot install ${sdks[*]} from the npm registry (the escape suite runs them)" >&2
    exit 1
  fi
fi

# The agent CLIs, which tests/escape/agent-clis.test runs inside a sandbox against fake
# providers through the inference router: pinned, apart from the SDKs (the SDKs' test copies
# its node_modules; these are 660 MB, mostly two native binaries).
agents=(@anthropic-ai/claude-code@2.1.197 @openai/codex@0.171.0)
if [ ! -x "$build/npm-agents/node_modules/.bin/codex" ] || [ ! -x "$build/npm-agents/node_modules/.bin/claude" ]; then
  mkdir -p "$build/npm-agents"
  if ! NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt} npm install --no-audit --no-fund \
      --no-update-notifier --fetch-retries=2 --fetch-timeout=120000 --loglevel=error --prefix "$build/npm-agents" \
      "${agents[@]}" > /dev/null; then
    echo "setup: cannot install ${agents[*]} from the npm registry (the escape suite runs them)" >&2
    exit 1
  fi
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
# Two cores: more jobs only thrash.
cmake --build "$build" -j 2
