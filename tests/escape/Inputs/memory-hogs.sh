# usage: sh -s COUNT MIB < memory-hogs.sh: COUNT processes at once, each filling MIB MiB of
# memory of its own and holding it for 2 s; then the exit status of each (137: SIGKILL).
count=$1 mib=$2 pids= i=0
while [ $i -lt "$count" ]; do
  python3 -c "import time; b = bytes([1]) * ($mib << 20); time.sleep(2)" &
  pids="$pids $!"
  i=$((i + 1))
done
for pid in $pids; do
  wait "$pid"
  echo "hog exit $?"
done
