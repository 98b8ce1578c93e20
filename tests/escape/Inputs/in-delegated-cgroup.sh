#!/bin/sh
# Runs "$@" as uid 65534 inside memory and pids cgroups delegated to that user, as an admin
# (or systemd's Delegate=yes) gives an unprivileged user: a directory of each controller's
# hierarchy, below the caller's own, owned by the user. cgroup v1, as this machine has it.
# Afterwards it moves back and removes them; exits with the command's status.
set -u
name=shellc-delegated-$$
made=""
for controller in memory pids; do
  own=$(awk -F: -v c="$controller" '$2 == c { print $3 }' /proc/self/cgroup)
  dir=/sys/fs/cgroup/$controller${own%/}/$name
  mkdir "$dir" && chown -R 65534:65534 "$dir" && echo $$ > "$dir/cgroup.procs" || exit 99
  made="$made $controller:$dir"
done
setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin "$@"
status=$?
for entry in $made; do
  dir=${entry#*:}
  echo $$ > "$(dirname "$dir")/cgroup.procs"
  rmdir "$dir"
done
exit $status
