#!/usr/bin/env python3
"""usage: router_client.py BASE_URL N [--streams K]: N chat completions, one after another on
one keep-alive connection, to BASE_URL (an OpenAI-compatible base, …/v1); prints the time to
the answer's first byte, p50 and p99, in ms. With --streams K: K streaming calls at once
(each a slow stream), held until a file `release` appears; writes `held` once all have begun."""
import http.client, json, os, statistics, sys, threading, time
from urllib.parse import urlparse

base = urlparse(sys.argv[1])
n = int(sys.argv[2])
key = os.environ.get("OPENAI_API_KEY", "bench-key")  # the provider's key direct; the router drops the placeholder


def call(connection, body):
    connection.request("POST", base.path + "/chat/completions", body=json.dumps(body),
                       headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    return connection.getresponse()


if "--streams" in sys.argv:
    k, begun = int(sys.argv[sys.argv.index("--streams") + 1]), []
    def stream():
        answer = call(http.client.HTTPConnection(base.hostname, base.port),
                      {"model": "fake-gpt-4o", "stream": True, "pause": 5, "messages": []})
        answer.readline()  # the first event: the stream is open
        begun.append(1)
        answer.read()
    threads = [threading.Thread(target=stream, daemon=True) for _ in range(k)]
    for t in threads:
        t.start()
    deadline = time.time() + 60
    while len(begun) < k and time.time() < deadline:
        time.sleep(0.05)
    print("%d of %d streams open" % (len(begun), k), flush=True)
    open("held", "w").close()
    while not os.path.exists("release"):
        time.sleep(0.1)
    sys.exit(0)

connection, firsts = http.client.HTTPConnection(base.hostname, base.port), []
for _ in range(n):
    start = time.perf_counter()
    answer = call(connection, {"model": "fake-gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    firsts.append((time.perf_counter() - start) * 1000)  # the head is read: the first byte came
    answer.read()
firsts.sort()
print("first byte p50 %.3f ms, p99 %.3f ms" % (statistics.median(firsts), firsts[int(len(firsts) * 0.99) - 1]))
