#!/usr/bin/env bash
# What the git guard (runtime/git/guard.h) costs a session: its live check watches every
# directory of the workspace from the start (git/live_check.h), its end-of-session check walks
# the workspace for repositories. Measured as the time of `shellrt -- true` in a workspace
# like a JavaScript project's (a repository, node_modules of 20,000 directories and 100,000
# files, five nested repositories) against the same in an empty repository; the peer is
# `find WS -name .git` over the same tree (what any walk of it costs). Then git's own work
# inside (50 `git status`, and a commit of 2,000 new files, which the live check sees) against
# the same outside; how long a config that would run a command stays in place in a nested
# repository before the live check moves it aside; and what a rename costs while the
# repository's config is held (each goes to the supervisor, git/config_broker.h) against one
# in a workspace without a repository.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench/git-guard
rm -rf "$out" && mkdir -p "$out/small" "$out/big"
as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin"
python3 - "$out/big" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(20000):
    path = os.path.join(root, "node_modules", "pkg%d" % (d // 100), "lib%d" % (d % 100))
    os.makedirs(path, exist_ok=True)
    for f in range(5):
        open(os.path.join(path, "f%d.js" % f), "w").close()
PY
for ws in small big; do (cd "$out/$ws" && git init -q && git commit -q --allow-empty -m x -c user.name=b 2>/dev/null ||
  git -c user.name=b -c user.email=b@x commit -q --allow-empty -m x); done
for n in 1 2 3 4 5; do git init -q "$out/big/node_modules/pkg$n/lib0"; done
chown -R 65534:65534 "$out"
build/bin/shellc build examples/coding-agent.policy -o "$out/agent.bundle" 2>/dev/null
chmod 644 "$out/agent.bundle"
median() {  # median of 7 runs, in ms, of the command given
  for i in 1 2 3 4 5 6 7; do
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000))
  done | sort -n | sed -n 4p
}
small=$(median $as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/small)" -- true)
big=$(median $as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/big)" -- true)
walk=$(median find "$out/big" -name .git)
echo "session, empty repository:      ${small} ms"
echo "session, 100,000-file workspace: ${big} ms (the check: $((big - small)) ms)"
echo "find -name .git, same tree:      ${walk} ms (ratio check/find: $(python3 -c "print(round(($big-$small)/max($walk,1),2))"))"
inside=$(median $as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/big)" -- sh -c 'for i in $(seq 50); do git status -s >/dev/null; done')
# Once the live check watches every directory (its walk shares the two cores at the start):
settled=$($as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/big)" -- sh -c 'sleep 3
  s=$(date +%s%N); for i in $(seq 50); do git status -s >/dev/null; done; e=$(date +%s%N); echo $(((e - s) / 1000000))' 2>/dev/null)
outside=$(median $as_nobody sh -c "cd $out/big && for i in \$(seq 50); do git status -s >/dev/null; done")
echo "50 git status, 100,000 files: inside ${inside} ms from the start, ${settled} ms once watched; outside ${outside} ms"
commit='for i in $(seq 2000); do echo $i > "src/f$i"; done; git add -A && git -c user.name=b -c user.email=b@x commit -qm many; git rm -rq src && git -c user.name=b -c user.email=b@x commit -qm gone'
mkdir -p "$out/big/src" && chown 65534:65534 "$out/big/src"
inside=$(median $as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/big)" -- sh -c "mkdir -p src; $commit")
outside=$(median $as_nobody sh -c "cd $out/big && mkdir -p src && $commit")
echo "a commit of 2,000 files and its removal: inside ${inside} ms, outside ${outside} ms"
# The time from a config written in a nested repository to its quarantine, seen from inside:
# one write in each of 15 repositories (a sandbox that wrote one path three times, or twenty
# in all, would be ended).
window=$($as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/big)" -- python3 -c '
import os, subprocess, time
for i in range(15):
    subprocess.run(["git", "init", "-q", "nested%d" % i], check=True)
time.sleep(2)  # the live check has walked the workspace
times = []
for i in range(15):
    config = "nested%d/.git/config" % i
    start = time.monotonic()
    with open(config, "w") as f:
        f.write("[core]\n\tfsmonitor = x\n")
    while os.path.exists(config):
        pass
    times.append((time.monotonic() - start) * 1e6)
times.sort()
print("%.0f" % times[len(times) // 2])' 2>/dev/null)
rm -rf "$out"/big/nested*
echo "a config that would run a command, from its write to its quarantine: ${window} µs (median of 15)"
renames='
import os, time
open("renamed", "w").close()
n = 20000
s = time.perf_counter()
for i in range(n):
    os.rename("renamed", "renamed2"); os.rename("renamed2", "renamed")
os.remove("renamed")
print("%.1f" % ((time.perf_counter() - s) / (2 * n) * 1e6))'
held=$($as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/small)" -- python3 -c "$renames" 2>/dev/null)
mkdir -p "$out/plain" && chown 65534:65534 "$out/plain"
plain=$($as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/plain)" -- python3 -c "$renames" 2>/dev/null)
echo "a rename inside: ${held} µs with the repository's config held, ${plain} µs without a repository"
# Every write in the workspace is an event for the live check: a write-heavy tool's cost.
writes='s=$(date +%s%N); dd if=/dev/zero of=written bs=4k count=100000 2>/dev/null; e=$(date +%s%N); rm written; echo $(((e - s) / 1000000))'
inside=$($as_nobody build/bin/shellrt "$out/agent.bundle" --workspace "$(realpath $out/plain)" -- sh -c "sleep 1; $writes" 2>/dev/null)
outside=$($as_nobody sh -c "cd $out/plain && $writes")
echo "100,000 writes of 4 KiB into the workspace: inside ${inside} ms, outside ${outside} ms"
