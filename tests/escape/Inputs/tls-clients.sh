#!/bin/sh
# Run inside the sandbox by tls-inspection.test: real clients through the egress proxy, to
# upstreams whose requests the policy judges inside HTTPS. One line per case.
echo "vars: $SSL_CERT_FILE $REQUESTS_CA_BUNDLE $CURL_CA_BUNDLE $GIT_SSL_CAINFO $PIP_CERT $NODE_EXTRA_CA_CERTS $CODEX_CA_CERTIFICATE $GRPC_DEFAULT_SSL_ROOTS_FILE_PATH $CARGO_HTTP_CAINFO"
last=$(awk '/BEGIN CERTIFICATE/{c=""} {c=c $0 "\n"} END{printf "%s", c}' "$SSL_CERT_FILE" | openssl x509 -noout -subject)
echo "store: $(grep -c 'PRIVATE KEY' "$SSL_CERT_FILE") keys, the last $last"
echo "allowed: $(curl -sS https://api.test:18441/ok/a)"
echo "path-denied: $(curl -sS -w ' %{http_code}' https://api.test:18441/secret)"
echo "method-denied: $(curl -sS -o /dev/null -w '%{http_code}' -X DELETE https://api.test:18441/ok/a)"
echo "address-rule: $(curl -s -w '%{http_code} ' -o /dev/null https://api.test:18441/ok/private/x)$(curl -s https://api.test:18441/ok/private/x | sed -n 's/.*"rule":"\(@[a-z_]*\).*/\1/p')"
echo "dotdot: $(curl -sS -o /dev/null -w '%{http_code}' --path-as-is https://api.test:18441/ok/../secret)"
echo "escaped: $(curl -sS -o /dev/null -w '%{http_code}' https://api.test:18441/ok/%2e%2e/secret)"
echo "post: $(curl -sS -d 'twelve bytes' https://api.test:18441/ok/upload)"
echo "keep-alive: $(curl -sv https://api.test:18441/ok/1 https://api.test:18441/ok/2 2>&1 | grep -ciE 're-?using existing connection') $(curl -s -w '%{http_code} ' -o /dev/null https://api.test:18441/ok/1 -o /dev/null https://api.test:18441/secret -o /dev/null https://api.test:18441/ok/3)"
echo "python: $(/usr/bin/python3 -c "import urllib.request; print(urllib.request.urlopen('https://api.test:18441/ok/py').read().decode().strip())")"
# Node 20's fetch ignores proxy variables (issue 14); an agent, as npm's https-proxy-agent
# does, opens the tunnel itself and trusts NODE_EXTRA_CA_CERTS.
echo "node: $(node -e "
const proxy = new URL(process.env.https_proxy);
require('http').request({host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: 'api.test:18441'})
  .on('connect', (answer, socket) => require('https').get({host: 'api.test', port: 18441, path: '/ok/node',
      createConnection: () => require('tls').connect({socket, servername: 'api.test'})},
    r => { let body = ''; r.on('data', d => body += d); r.on('end', () => console.log(body.trim())); })
    .on('error', e => console.log('error', e.code)))
  .end();")"
# Node's own fetch and https, which go straight to the server: captured (the sandbox's
# resolver names api.test), inspected alike, the store trusted through NODE_EXTRA_CA_CERTS.
echo "node-fetch: $(node -e "fetch('https://api.test:18441/ok/fetch').then(r => r.text())
  .then(t => console.log(t.trim()), e => console.log('error', e.cause && e.cause.code))")"
echo "node-https: $(node -e "require('https').get('https://api.test:18441/ok/https',
  r => { let body = ''; r.on('data', d => body += d); r.on('end', () => console.log(body.trim())); })
  .on('error', e => console.log('error', e.code))")"
echo "rogue-upstream: $(curl -sS https://rogue.test:18443/x)"
echo "untrusted-client: $(curl -s -o /dev/null -w '%{http_code} %{exitcode}' --cacert /usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt https://api.test:18441/ok/a)"
echo "plain-in-tunnel: $(curl -s -o /dev/null -w '%{http_connect} %{exitcode}' --proxytunnel http://api.test:18441/ok/a)"
/usr/bin/python3 - <<'PY'
import os, socket, ssl
port = int(os.environ["https_proxy"].rsplit(":", 1)[1])
def inside(server_name, request):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"CONNECT api.test:18441 HTTP/1.1\r\nHost: api.test:18441\r\n\r\n")
    s.recv(100)
    context = ssl.create_default_context()
    context.check_hostname = False
    try:
        t = context.wrap_socket(s, server_hostname=server_name)
        t.sendall(request)
        return t.recv(4096).decode(errors="replace").split("\r\n")[0] or "closed"
    except (ssl.SSLError, OSError) as e:
        return "closed"
print("fronted:", inside("evil.test", b"GET /ok/a HTTP/1.1\r\nHost: api.test:18441\r\n\r\n"))
print("host-elsewhere:", inside("api.test", b"GET /ok/a HTTP/1.1\r\nHost: evil.test\r\n\r\n"))
print("absolute-inside:", inside("api.test", b"GET http://evil.test/ok/a HTTP/1.1\r\nHost: api.test:18441\r\n\r\n"))
print("smuggled:", inside("api.test", b"POST /ok/upload HTTP/1.1\r\nHost: api.test:18441\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
PY
rm -rf clone
git clone -q https://git.test:18442/cgi-bin/git/repo.git clone 2>&1 | grep -v 'cloned an empty repository'
cd clone && echo agent > file && git add file && git -c user.name=u -c user.email=u@x commit -qm agent && git push -q origin HEAD:main 2>&1
echo "git-push: $?"
cd ..
rm -rf site
/usr/bin/python3 -m pip install -q --disable-pip-version-check --no-cache-dir --index-url https://git.test:18442/simple/ --target site agentpkg 2>&1
echo "pip: $(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "site"); import agentpkg; print(agentpkg.VALUE)')"
rm -rf npmsite
npm install --silent --no-audit --no-fund --no-update-notifier --cache /tmp/npm-cache-$$ --registry https://git.test:18442/npm/ --prefix ./npmsite agentpkg 2>&1 | tail -3
echo "npm: $(node -e "console.log(require('./npmsite/node_modules/agentpkg'))" 2>&1)"
rm -rf /tmp/npm-cache-$$
