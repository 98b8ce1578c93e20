#!/usr/bin/env python3
"""Reads or switches the kernel's audit (AUDIT_GET / AUDIT_SET over netlink), so that a
test can see Landlock's denial records and put the setting back afterwards.

usage: kernel-audit.py get        prints 0 or 1
       kernel-audit.py set 0|1
"""
import socket
import struct
import sys

NETLINK_AUDIT, AUDIT_GET, AUDIT_SET, AUDIT_STATUS_ENABLED = 9, 1000, 1001, 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4


def request(kind, payload, flags):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
    s.bind((0, 0))
    s.send(struct.pack("=IHHII", 16 + len(payload), kind, flags, 1, 0) + payload)
    return s.recv(8192)


def main():
    if sys.argv[1] == "get":
        reply = request(AUDIT_GET, b"", NLM_F_REQUEST)
        # The status follows the 16-byte header: mask, enabled, ...
        print(struct.unpack_from("=II", reply, 16)[1])
    else:
        status = struct.pack("=8I", AUDIT_STATUS_ENABLED, int(sys.argv[2]), 0, 0, 0, 0, 0, 0)
        reply = request(AUDIT_SET, status, NLM_F_REQUEST | NLM_F_ACK)
        error = struct.unpack_from("=i", reply, 16)[0]  # the acknowledgement's error
        if error:
            sys.exit(f"AUDIT_SET: error {error}")


if __name__ == "__main__":
    main()
