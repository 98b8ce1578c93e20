#!/bin/sh
# Starts a sandboxed loop that touches a file every 0.1 s, kills the supervisor with SIGKILL,
# and checks that the loop stops: nothing of the sandbox outlives its supervisor. Nor do the
# placeholders it made in the user's directories (.git/hooks, which does not exist here).
set -u
dir=$1
shellrt=$2
rm -rf "$dir/ws/.git/hooks"
rm -f "$dir/ws/beat"
# Its output goes to a file, and it is killed whatever happens below: a sandbox left running
# with the test's pipes would hold the test runner forever.
setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$dir/home" PATH=/usr/bin:/bin \
  "$shellrt" "$dir/agent.bundle" --workspace "$dir/ws" -- /bin/sh -c 'while :; do date +%s.%N > beat; sleep 0.1; done' \
  > "$dir/fail-closed.out" 2>&1 &
supervisor=$!
trap 'kill -KILL $supervisor 2>/dev/null' EXIT
# Seen once, not checked again: each beat truncates the file before it writes it, and a
# second look could fall between the two (which is how this test once failed).
started=no
for i in $(seq 600); do [ -s "$dir/ws/beat" ] && started=yes && break; sleep 0.1; done  # a loaded machine starts slowly
if [ "$started" = no ]; then
  echo "the sandbox did not start within 60 s"; cat "$dir/fail-closed.out"
  for pid in $supervisor $(pgrep -P "$supervisor"); do
    echo "$pid $(cat /proc/$pid/comm 2>/dev/null) $(cat /proc/$pid/wchan 2>/dev/null) $(sed -n 's/^State:\t//p' /proc/$pid/status 2>/dev/null)"
  done
  exit 1
fi
[ -d "$dir/ws/.git/hooks" ] || { echo "no placeholder for .git/hooks"; exit 1; }
kill -KILL "$supervisor"
sleep 0.5
before=$(cat "$dir/ws/beat")
sleep 1
after=$(cat "$dir/ws/beat")
if [ "$before" != "$after" ]; then
  echo "FAIL: the sandbox kept running after its supervisor died"
  exit 1
fi
if [ -e "$dir/ws/.git/hooks" ]; then
  echo "FAIL: the placeholder for .git/hooks outlived the supervisor"
  exit 1
fi
echo "fail-closed: ok"
