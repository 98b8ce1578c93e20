#!/usr/bin/env python3
"""usage: mutate-bundle.py IN OUT CASE: writes the bundle IN with one of the malformations
found by hand (issue "Every reader strict") applied; the text is edited where JSON cannot say
it (duplicate keys, bad escapes, huge numbers)."""
import base64, json, struct, sys

src, dst, case = sys.argv[1:4]
text = open(src).read()
b = json.loads(text)


def dump(obj):
    return json.dumps(obj, indent=2, sort_keys=True)


def arch():
    return b["seccomp"]["arches"]["x86_64"]


out = None
if case == "enabled-string":
    b["landlock"]["enabled"] = "true"
elif case == "kind-unknown":
    b["mounts"]["entries"][0]["kind"] = "Mask"
elif case == "kind-number":
    b["mounts"]["entries"][0]["kind"] = 1
elif case == "root-unknown":
    b["mounts"]["entries"][0]["path"]["root"] = "Workspace"
elif case == "mounts-string":
    b["mounts"] = "x"
elif case == "process-array":
    b["process"] = []
elif case == "limits-array":
    b["process"]["limits"] = [1, 2, 3]
elif case == "rel-dotdot":
    b["mounts"]["entries"][0]["path"]["rel"] = "../../etc"
elif case == "rel-absolute":
    b["landlock"]["rules"][0]["path"]["rel"] = "/etc"
elif case == "rel-nul":
    out = dump(b).replace('"rel": "' + b["mounts"]["entries"][0]["path"]["rel"] + '"',
                          '"rel": "' + b["mounts"]["entries"][0]["path"]["rel"] + '\\u0000x"', 1)
elif case == "duplicate-version":
    version = '"format_version": %d' % b["format_version"]
    out = dump(b).replace(version, version + ", " + version, 1)
elif case == "duplicate-env":
    out = dump(b).replace('"env_pass": [', '"env_pass": ["SECRET_TOKEN"], "env_pass": [', 1)
elif case == "uid-negative":
    b["process"]["uid"] = -65534
elif case == "uid-wide":
    b["process"]["uid"] = 2**32 + 65534
elif case == "memory-negative":
    b["process"]["limits"]["memory_bytes"] = -8 * 2**30
elif case == "wall-time-huge":
    b["process"]["limits"]["wall_time_ms"] = 2**32 * 1000 * 1000
elif case == "env-name-equals":
    b["process"]["env_set"]["A=B"] = "x"
elif case == "env-name-empty":
    b["process"]["env_set"][""] = "x"
elif case == "bad-escape":
    out = dump(b).replace('"policy": "', '"policy": "\\uZZZZ', 1)
elif case == "allow-all-program":
    arch()["program"] = base64.b64encode(struct.pack("<HBBI", 0x06, 0, 0, 0x7FFF0000)).decode()
    arch()["instructions"] = 1
elif case == "long-program":
    ret_kill = struct.pack("<HBBI", 0x06, 0, 0, 0x80000000)
    arch()["program"] = base64.b64encode(ret_kill * 65643).decode()
    arch()["instructions"] = 65643
elif case == "many-env":
    for i in range(100000):
        b["process"]["env_set"]["V%d" % i] = "x"
elif case == "big":
    b["policy"] = "x" * (33 << 20)
elif case == "unknown-key":
    b["process"]["privileged"] = True
elif case == "missing-seccomp":
    del b["seccomp"]
else:
    sys.exit("unknown case " + case)
open(dst, "w").write(out if out is not None else dump(b))
