#!/usr/bin/env python3
"""usage: make-index.py DIR URL: package indexes under DIR, served at URL, for tests that install
from them through the sandbox's proxy: for pip (PEP 503: DIR/simple/agentpkg/, with one
wheel made here in DIR/packages/) and for npm (a registry at DIR/npm/: the document
DIR/npm/agentpkg, its tarball made here in DIR/npm-files/)."""
import base64, hashlib, io, json, os, sys, tarfile, zipfile

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

# npm: a package's document names its tarball by URL, with the tarball's digests.
url = sys.argv[2].rstrip("/")
os.makedirs(root + "/npm", exist_ok=True)
os.makedirs(root + "/npm-files", exist_ok=True)
tarball = io.BytesIO()
with tarfile.open(fileobj=tarball, mode="w:gz") as tar:
    for name, text in (("package/package.json", '{"name":"agentpkg","version":"1.0.0","main":"index.js"}\n'),
                       ("package/index.js", "module.exports = 'installed through the proxy';\n")):
        data = text.encode()
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o644
        tar.addfile(info, io.BytesIO(data))
data = tarball.getvalue()
with open(root + "/npm-files/agentpkg-1.0.0.tgz", "wb") as f:
    f.write(data)
version = {"name": "agentpkg", "version": "1.0.0", "main": "index.js",
           "dist": {"tarball": url + "/npm-files/agentpkg-1.0.0.tgz", "shasum": hashlib.sha1(data).hexdigest(),
                    "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()}}
with open(root + "/npm/agentpkg", "w") as f:
    json.dump({"name": "agentpkg", "dist-tags": {"latest": "1.0.0"}, "versions": {"1.0.0": version}}, f)
