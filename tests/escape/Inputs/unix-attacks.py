#!/usr/bin/env python3
"""usage: unix-attacks.py WS: run inside the sandbox. Tries each way to a Unix socket whose
listener is outside the sandbox (prepared by the test in WS), and each control (a listener
the sandbox made itself); prints one line per case: NAME and what happened."""
import array, errno, os, socket, sys, time

ws = sys.argv[1]


def outcome(fn):
    try:
        return "ok " + str(fn())
    except OSError as e:
        return "refused " + errno.errorcode.get(e.errno, str(e.errno))


def stream_to(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return "connected"


def datagram_to(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    return s.sendto(b"escape", path)


def sendmsg_to(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    return s.sendmsg([b"escape"], [], 0, path)


def dgram_pair_named(path):
    # A socket pair's datagram end can name another destination: the kernel sends there.
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    return a.sendto(b"escape", path)


print("host-stream", outcome(lambda: stream_to(ws + "/host-stream.sock")))
print("host-symlink", outcome(lambda: stream_to(ws + "/symlink.sock")))
print("host-hardlink", outcome(lambda: stream_to(ws + "/hardlink.sock")))
print("host-proc-root", outcome(lambda: stream_to("/proc/self/root" + ws + "/host-stream.sock")))
print("host-relative", outcome(lambda: (os.chdir(ws), stream_to("host-stream.sock"))[1]))
print("host-datagram", outcome(lambda: datagram_to(ws + "/host-dgram.sock")))
print("host-sendmsg", outcome(lambda: sendmsg_to(ws + "/host-dgram.sock")))
print("host-pair-named", outcome(lambda: dgram_pair_named(ws + "/host-dgram.sock")))

# Controls: listeners the sandbox made.
own = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
own.bind(ws + "/own-stream.sock")
own.listen()
print("own-stream", outcome(lambda: stream_to(ws + "/own-stream.sock")))
os.symlink(ws + "/own-stream.sock", ws + "/own-symlink.sock")
print("own-symlink", outcome(lambda: stream_to(ws + "/own-symlink.sock")))
os.chdir(ws)
print("own-relative", outcome(lambda: stream_to("own-stream.sock")))
dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dgram.bind(ws + "/own-dgram.sock")
print("own-datagram", outcome(lambda: datagram_to(ws + "/own-dgram.sock")), dgram.recv(16))
print("own-sendmsg", outcome(lambda: sendmsg_to(ws + "/own-dgram.sock")), dgram.recv(16))
# Descriptors passed over a socket (multiprocessing, language servers): SCM_RIGHTS.
a, b = socket.socketpair()
r, w = os.pipe()
socket.send_fds(a, [b"fd"], [r])
msg, fds, _, _ = socket.recv_fds(b, 16, 1)
os.write(w, b"through")
print("own-pass-fd", msg, os.read(fds[0], 16))
for name in ("own-stream.sock", "own-symlink.sock", "own-dgram.sock"):
    os.unlink(ws + "/" + name)
