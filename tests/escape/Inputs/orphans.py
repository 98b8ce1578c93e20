#!/usr/bin/env python3
"""Leaves an orphan (a grandchild whose parent exits first), then counts the zombies in the
sandbox's process table: an init reaps the orphan when it ends; a command that is PID 1
itself does not."""
import os, time

child = os.fork()
if child == 0:
    if os.fork() == 0:
        time.sleep(0.2)
        os._exit(0)
    os._exit(0)
os.waitpid(child, 0)
time.sleep(1)
zombies = 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    with open("/proc/%s/stat" % pid) as f:
        zombies += f.read().rsplit(")", 1)[1].split()[0] == "Z"
print("zombies", zombies)
