#!/usr/bin/env python3
"""usage: https_client.py HOST PORT PATH SECONDS [--new] [--address A]: HTTPS GETs of PATH in a
loop for SECONDS, through $https_proxy when set (a CONNECT tunnel, as clients make them), else
to HOST (at address A if given); on one keep-alive connection, or a new connection (and TLS
handshake) for each with --new. Prints requests/s and the median latency in ms. Trusts
$SSL_CERT_FILE."""
import http.client, os, socket, ssl, statistics, sys, time
from urllib.parse import urlparse

host, port, path, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
new = "--new" in sys.argv
address = sys.argv[sys.argv.index("--address") + 1] if "--address" in sys.argv else host
context = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE"))
proxy = urlparse(os.environ["https_proxy"]) if os.environ.get("https_proxy") else None


class ToAddress(http.client.HTTPSConnection):
    def connect(self):  # the name for TLS, the address for TCP
        self.sock = context.wrap_socket(socket.create_connection((address, port)), server_hostname=host)


def connect():
    if proxy:
        c = http.client.HTTPSConnection(proxy.hostname, proxy.port, context=context)
        c.set_tunnel(host, port)
        return c
    return ToAddress(host, port, context=context)


latencies, connection, end = [], connect(), time.monotonic() + seconds
while time.monotonic() < end:
    start = time.perf_counter()
    if new:
        connection.close()
        connection = connect()
    connection.request("GET", path)
    answer = connection.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit("status %d" % answer.status)
    latencies.append(time.perf_counter() - start)
print("%.0f req/s   p50 %.3f ms" % (len(latencies) / seconds, statistics.median(latencies) * 1000))
