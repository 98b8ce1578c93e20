#!/usr/bin/env python3
"""The bwrap arguments that give a bundle's filesystem view: the paths its Landlock rules
allow, bound read-only or read-write, and its mount plan (masks, read-only re-binds), for
paths that exist. What bwrap cannot do is left out and printed on stderr: Landlock itself,
placeholders for protected paths that do not exist, noexec re-binds.

usage: bwrap_args.py BUNDLE HOME WORKSPACE
"""
import json
import os
import sys

WRITE_RIGHTS = 0x7FF2  # Landlock's write_file and the make_/remove_ rights (bundle.md)


def resolve(path, home, workspace):
    base = {"absolute": "/", "home": home, "workspace": workspace}[path["root"]]
    return os.path.normpath(os.path.join(base, path["rel"])) if path["rel"] else base


def main():
    bundle_file, home, workspace = sys.argv[1:4]
    with open(bundle_file) as f:
        bundle = json.load(f)
    binds = {}
    for rule in bundle["landlock"]["rules"]:
        path = resolve(rule["path"], home, workspace)
        binds[path] = binds.get(path, False) or bool(rule["access"] & WRITE_RIGHTS)
    # Scratch directories are empty tmpfs of the sandbox's own: bwrap's --tmpfs (those in /dev
    # are already in --dev's tmpfs); shellrt binds nothing of the host beneath them.
    scratch = [resolve(e["path"], home, workspace) for e in bundle["mounts"]["entries"] if e["kind"] == "scratch"]
    args, skipped = [], 0
    for path in sorted(set(binds) | set(scratch), key=len):
        if path in scratch:
            if not path.startswith("/dev/"):
                args += ["--tmpfs", path]
            continue
        if any(path.startswith(s + "/") for s in scratch) and path != workspace and path != home:
            continue
        if not os.path.exists(path) or path in ("/proc", "/dev") or path.startswith("/dev/"):
            continue  # /proc and /dev come from --proc and --dev
        args += ["--bind" if binds[path] else "--ro-bind", path, path]
    def visible(path):  # shellrt's view: the bound paths and its own /proc (its /dev has no others, no /sys)
        roots = [p for p in binds if os.path.exists(p)] + ["/proc"]
        return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)

    for entry in bundle["mounts"]["entries"]:
        path = resolve(entry["path"], home, workspace)
        if entry["kind"] == "scratch" or any(path.startswith(s + "/") for s in scratch):
            continue
        if not visible(path) or not os.path.lexists(path) or entry["kind"] == "noexec":
            skipped += 1
            continue
        if entry["kind"] == "readonly":
            args += ["--ro-bind", path, path]
        elif os.path.isdir(path):
            args += ["--tmpfs", path, "--remount-ro", path]
        else:
            args += ["--ro-bind", "/dev/null", path]
    print(" ".join(args))
    print(f"bwrap_args: {skipped} mount plan entries without a bwrap equivalent here", file=sys.stderr)


if __name__ == "__main__":
    main()
