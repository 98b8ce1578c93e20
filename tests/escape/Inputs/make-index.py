#!/usr/bin/env python3
"""usage: make-index.py DIR: a package index for pip under DIR (PEP 503: DIR/simple/agentpkg/)
with one wheel, made here (DIR/packages/agentpkg-1.0-py3-none-any.whl), for tests that
install from it through the sandbox's proxy."""
import base64, hashlib, os, sys, zipfile

root = sys.argv[1]
files = {
    "agentpkg/__init__.py": b"VALUE = 'installed through the proxy'\n",
    "agentpkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: agentpkg\nVersion: 1.0\n",
    "agentpkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: make-index\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
digest = lambda data: base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
record = "".join("%s,sha256=%s,%d\n" % (name, digest(data), len(data)) for name, data in files.items())
files["agentpkg-1.0.dist-info/RECORD"] = (record + "agentpkg-1.0.dist-info/RECORD,,\n").encode()
os.makedirs(root + "/packages", exist_ok=True)
os.makedirs(root + "/simple/agentpkg", exist_ok=True)
wheel = root + "/packages/agentpkg-1.0-py3-none-any.whl"
with zipfile.ZipFile(wheel, "w") as z:
    for name, data in files.items():
        z.writestr(name, data)
with open(wheel, "rb") as f:
    sha = hashlib.sha256(f.read()).hexdigest()
with open(root + "/simple/agentpkg/index.html", "w") as f:
    f.write('<html><body><a href="../../packages/agentpkg-1.0-py3-none-any.whl#sha256=%s">agentpkg-1.0-py3-none-any.whl</a></body></html>\n' % sha)
