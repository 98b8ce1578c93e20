#!/usr/bin/env python3
"""Generates a valid policy with N rules spread over the layers, for scaling benchmarks.

usage: gen_policy.py N > big.policy
"""
import sys

SYSCALLS = ["read", "write", "openat", "mmap", "ioctl", "socket", "clone",
            "prctl", "fcntl", "lseek", "getdents64", "statx", "futex", "madvise"]


def main():
    n = int(sys.argv[1])
    per_layer = n // 4
    out = ["policy bench.generated", "", "filesystem {"]
    for i in range(per_layer):
        verb = "deny write" if i % 5 == 0 else "allow read, exec"
        out.append(f'  {verb} "/srv/data/d{i % 97}/f{i}"')
    out += ["}", "", "syscalls {", "  default allow"]
    for i in range(per_layer):
        name = SYSCALLS[i % len(SYSCALLS)]
        out.append(f"  deny {name}(arg0 == {i}, arg1 & 0x{1 << (i % 32):x} != 0) => errno(EPERM)")
    out += ["}", "", "network {"]
    for i in range(per_layer):
        out.append(f'  allow "h{i}.svc{i % 13}.example.com":{1 + i % 65535} by "/usr/bin/tool{i % 7}"')
    out += ["}", "", "inference {",
            "  provider local {", '    endpoint "http://127.0.0.1:8000/v1"', "    api openai", "  }"]
    for i in range(n - 3 * per_layer):
        out.append(f'  route "model-{i}-*" => local')
    out.append("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
