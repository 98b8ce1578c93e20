#!/usr/bin/env python3
"""usage: summary.py AUDIT_LOG: what a session's audit log says, in short: what ran, what was
allowed and what was refused, by which rule (docs/audit.md has every field)."""
import json, sys

allowed, refused = [], []
for line in open(sys.argv[1]):
    e = json.loads(line)
    kind = e["event"]
    if kind == "start":
        print("session: %s in %s, under %s" % (" ".join(e["argv"]), e["workspace"], e["bundle"]))
    elif kind == "egress":
        what = "%s %s:%s%s" % (e["method"], e["host"], e["port"], e["path"])
        (allowed if e["decision"] == "allow" else refused).append(("network", what, e["rule"] or e["reason"]))
    elif kind == "inference":
        what = "model %s -> %s" % (e["model"], e["provider"] or "nowhere")
        (allowed if e["decision"] == "allow" else refused).append(("inference", what, e["rule"] or e["reason"]))
    elif kind == "kernel_audit":
        refused.append(("kernel", "%s %s" % (e.get("denied", e.get("syscall_nr", "")), e.get("path", "")), e["mechanism"]))
    elif kind == "seccomp_denied" and e.get("times") == 1:
        refused.append(("syscall", e["syscall"], e["rule"]))
    elif kind in ("unix_socket", "seccomp_notify") and e.get("decision") == "deny":
        refused.append((kind, e.get("path", e.get("syscall", "")), e.get("why", e.get("rule", ""))))
    elif kind == "git_quarantine":
        refused.append(("git guard", e["path"], e["reason"]))
    elif kind == "exit":
        print("exit: status %s" % e["status"])
for title, rows in (("allowed", allowed), ("refused", refused)):
    print("%s:" % title)
    for layer, what, why in rows or [("", "nothing", "")]:
        print("  %-10s %-48s %s" % (layer, what, why))
if not any(layer == "kernel" for layer, _, _ in refused):
    print("(the files the kernel kept from the agent, ~/.ssh and the hook, are recorded only when shellrt\n"
          " starts as root and can read the kernel's audit: docs/audit.md)")
