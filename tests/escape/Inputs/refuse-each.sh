#!/bin/sh
# usage: refuse-each.sh SHELLRT DIR MUTATOR: runs each malformed bundle; prints
# "CASE STATUS MESSAGE". A case that starts the sandbox leaves DIR/ws/ran behind.
shellrt=$1 dir=$2 mutate=$3
for case in enabled-string kind-unknown kind-number root-unknown mounts-string process-array limits-array \
  rel-dotdot rel-absolute rel-nul duplicate-version duplicate-env uid-negative uid-wide memory-negative \
  wall-time-huge env-name-equals env-name-empty bad-escape allow-all-program long-program many-env big \
  unknown-key missing-seccomp; do
  "$mutate" "$dir/good.bundle" "$dir/$case.bundle" "$case"
  message=$(timeout 20 "$shellrt" "$dir/$case.bundle" --workspace "$dir/ws" -- /bin/sh -c "touch $dir/ws/ran" 2>&1)
  echo "$case $? $message"
done
