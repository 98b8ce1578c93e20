#!/usr/bin/env python3
"""Makes a minimal OCI bundle in DIR: runc's default spec, the host's binaries bound read-only
as the root's content, and PROFILE (an OCI seccomp profile) as its seccomp section. The
container runs perl, which makes raw system calls and prints what the kernel answered.

usage: oci-bundle.py DIR PROFILE
"""
import json
import os
import subprocess
import sys

bundle, profile = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(bundle, "rootfs"), exist_ok=True)
subprocess.run(["runc", "spec", "--bundle", bundle], check=True)
path = os.path.join(bundle, "config.json")
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = ["/usr/bin/perl", "-e", "; ".join([
    'print "getppid ", syscall(110), " $!\\n"',                        # denied by the profile
    'print "getpid ", (syscall(39) > 0 ? "ok" : "failed"), "\\n"',      # allowed
    'print "packet ", syscall(41, 17, 3, 0), " $!\\n"',                 # socket(AF_PACKET): denied
    'print "unix ", (syscall(41, 1, 1, 0) >= 0 ? "ok" : "failed"), "\\n"',  # socket(AF_UNIX): allowed
])]
for d in ["/usr", "/lib", "/lib64", "/bin", "/etc"]:
    if os.path.exists(d):
        config["mounts"].append({"destination": d, "type": "bind", "source": d, "options": ["rbind", "ro"]})
config["root"]["readonly"] = True
config["linux"]["seccomp"] = json.load(open(profile))
json.dump(config, open(path, "w"), indent=1)
