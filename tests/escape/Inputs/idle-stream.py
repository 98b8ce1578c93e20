# Run inside the sandbox by router-idle-stream.test: one streamed call through the router
# whose provider is silent for 33 s after the first event; prints the events' count, the
# longest silence between two of them, and the last.
import json, os, time, urllib.request
request = urllib.request.Request(os.environ["OPENAI_BASE_URL"] + "/chat/completions", method="POST",
    data=json.dumps({"model": "fake-gpt-4o", "stream": True, "gap": 33, "pause": 0, "messages": []}).encode(),
    headers={"Content-Type": "application/json"})
times, lines = [], []
with urllib.request.urlopen(request, timeout=120) as answer:
    for line in answer:
        if line.startswith(b"data:"):
            times.append(time.monotonic())
            lines.append(line.decode().strip())
gaps = [b - a for a, b in zip(times, times[1:])]
print("events: %d, the longest silence %d s" % (len(lines), max(gaps)))
print("ended with:", lines[-1])
