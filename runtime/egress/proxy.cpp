#include "egress/proxy.h"

#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "descriptors.h"
#include "egress/h2.h"
#include "egress/host_name.h"
#include "egress/http_head.h"
#include "egress/tls.h"
#include "egress/tls_sni.h"
#include "egress/transfer.h"

namespace shellrt::egress {

namespace {

constexpr size_t kMaxConnections = 1024;
constexpr int kPipeBytes = 1 << 20;  // what one splice moves at most (an unprivileged pipe's limit)

// One direction's bytes from `from` to `to` through a pipe of its own, in the kernel (no copy
// through the proxy's memory): what `from` had, 0 at its end, -1 on an error.
struct Channel {
  int from, to;
  int pipe[2] = {-1, -1};
  uint64_t *count;
  bool open = true;
  ssize_t move() {
    ssize_t in = splice(from, nullptr, pipe[1], nullptr, kPipeBytes, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (in < 0 && (errno == EAGAIN || errno == EINTR)) return 1;  // a wakeup without data
    for (ssize_t left = in; left > 0;) {
      ssize_t out = splice(pipe[0], nullptr, to, nullptr, static_cast<size_t>(left), SPLICE_F_MOVE);
      if (out < 0 && errno == EINTR) continue;
      if (out <= 0) return -1;
      left -= out;
      *count += static_cast<uint64_t>(out);
    }
    return in;
  }
};

// Both directions until each has ended; an end in one is passed on as a half-close.
void relay(int a, int b, uint64_t &aToB, uint64_t &bToA) {
  Channel channels[2] = {{a, b, {-1, -1}, &aToB}, {b, a, {-1, -1}, &bToA}};
  bool piped = pipe2(channels[0].pipe, O_CLOEXEC) == 0 && pipe2(channels[1].pipe, O_CLOEXEC) == 0;
  for (Channel &c : channels)
    if (piped) fcntl(c.pipe[1], F_SETPIPE_SZ, kPipeBytes);  // fewer calls per megabyte; best effort
  while (piped && (channels[0].open || channels[1].open)) {
    pollfd p[2];
    for (int side = 0; side < 2; ++side) p[side] = {channels[side].from, static_cast<short>(channels[side].open ? POLLIN : 0), 0};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bool failed = false;
    for (int side = 0; side < 2 && !failed; ++side) {
      Channel &c = channels[side];
      if (!(p[side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t moved = c.move();
      if (moved == 0) {
        c.open = false;
        shutdown(c.to, SHUT_WR);
      }
      failed = moved < 0;  // an error, or the other end is gone
    }
    if (failed) break;
  }
  for (Channel &c : channels)
    for (int fd : c.pipe)
      if (fd >= 0) close(fd);
}

std::string rulesText(const std::vector<const EgressRule *> &rules) {
  std::string out;
  for (const EgressRule *r : rules) out += (out.empty() ? "" : ", ") + r->rule.display();
  return out;
}


}  // namespace

struct Proxy::Exchange {
  int client = -1, upstream = -1;
  int64_t startMs = nowMs();
  Stream in{{}, {}};
  RequestHead head;
  Request request;
  Decision decision;
  std::optional<Address> dialled;
  bool identified = false;
  // The upstream connection of the previous request on this client connection, if it may
  // carry another (same address and port): reused, not dialled again.
  int kept = -1;
  std::optional<Address> keptAddress;
  uint16_t keptPort = 0;
  bool reusable = false;  // this request's upstream may carry the next one
  int status = 0;
  std::string outcome = "deny", reason;
  uint64_t up = 0, down = 0;
  // The policy this exchange is decided by: the one in force when its head had come.
  std::shared_ptr<const Proxy::Policy> policy;
  // Inside a tunnel whose TLS the proxy ended: the sessions on each side (inspectTunnel).
  tls::Session *clientTls = nullptr, *upstreamTls = nullptr;
  bool inspect = false;  // the tunnel's requests are judged: its TLS is ended here
  bool captured = false;  // the supervisor connected it in the program's stead
  bool inner = false;     // a request inside a tunnel the proxy ended: answered in HTTP
  bool first = false;     // the connection's first request
  bool recorded = false;  // its audit event written (record())
  Endpoint toClient() const { return {client, clientTls}; }
  Endpoint toUpstream() const { return {upstream, upstreamTls}; }
};

void Proxy::serve(int listener, pid_t sandbox) {
  sandbox_ = sandbox;
  for (;;) {
    int client = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) continue;
      _exit(1);  // the socket is gone: the supervisor sees the proxy end and says so
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (active_ >= kMaxConnections) {
      close(client);  // the sandbox's program sees a reset; the next one may get through
      continue;
    }
    if (!startThread([this, client] { serveConnection(client); })) {
      close(client);
      continue;
    }
    ++active_;
  }
}

std::vector<std::string> Proxy::callerBinaries(int client, std::string &error) const {
  sockaddr_in peer{}, ours{};
  socklen_t size = sizeof peer, ourSize = sizeof ours;
  if (getpeername(client, reinterpret_cast<sockaddr *>(&peer), &size) != 0 ||
      getsockname(client, reinterpret_cast<sockaddr *>(&ours), &ourSize) != 0 || peer.sin_family != AF_INET)
    return error = "the program that opened this connection cannot be told", std::vector<std::string>();
  return identify_(ntohs(peer.sin_port), ntohs(ours.sin_port), error);
}

// Each request on the connection in turn, while the client keeps it open and each answer was
// framed so that the next request can be told from it.
void Proxy::serveConnection(int client) {
  int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  Stream in{{client, nullptr}, {}, kHeadTimeoutMs};
  int kept = -1;
  std::optional<Address> keptAddress;
  uint16_t keptPort = 0;
  // A connection has one program (docs/language.md §10): told at the first request that a
  // `by` rule could decide, it is the program of the requests after it, as inside a tunnel.
  bool identified = false;
  std::vector<std::string> binaries;
  for (bool again = true, first = true; again; first = false) {
    Exchange x;
    x.client = client;
    x.first = first;
    x.in = std::move(in);
    x.kept = kept;
    x.keptAddress = keptAddress;
    x.keptPort = keptPort;
    x.identified = identified;
    x.request.binaries = binaries;
    again = handle(x);
    in = std::move(x.in);
    identified = x.identified;
    binaries = x.request.binaries;
    if (x.kept >= 0 && x.kept != x.upstream) close(x.kept);  // not taken: another destination
    kept = again && x.reusable ? x.upstream : -1;
    if (kept < 0 && x.upstream >= 0) close(x.upstream);
    keptAddress = x.dialled;
    keptPort = x.request.port;
  }
  close(client);
  std::lock_guard<std::mutex> lock(mutex_);
  --active_;
}

bool Proxy::handle(Exchange &x) {
  std::string text, error;
  // The first head of a connection, which may be a capture's, is read to its end and no
  // further (what follows may be TLS that the proxy ends); the next ones as they come.
  bool read = x.first ? x.in.headOnly(kMaxHead, text) : x.in.until("\r\n\r\n", kMaxHead, text);
  if (!read) return false;  // nothing more asked, or too slowly
  // The policy in force once the head is in: a kept connection waits for its next request
  // across a live change, and that request is the new policy's.
  x.policy = current();
  int status = 0;
  if (!parseRequestHead(text, x.head, status, error)) return refuse(x, status, error), false;
  if (!takeCaptured(x)) return false;
  Host host;
  if (!canonicalHost(x.head.host, host, error)) return refuse(x, 400, error), false;
  x.request.host = host.name;
  x.request.address = host.address;
  x.request.port = x.head.port;
  x.request.http = !x.head.connect;
  x.request.method = x.head.method;
  x.request.path = x.head.path;
  if (!decide(x) || !resolveAndDial(x)) return false;
  bool again = false;
  if (x.inspect) inspectTunnel(x);
  else if (x.head.connect) tunnel(x);
  else again = forward(x);
  record(x);
  return again;
}

namespace {

// Whether the server speaks before the client (SSH, SMTP, MySQL: a TLS server never does),
// so that the tunnel passes its bytes at once rather than wait for a ClientHello.
bool serverSpeaksFirst(int client, int upstream) {
  pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  return poll(p, 2, kHeadTimeoutMs) > 0 && !p[0].revents && p[1].revents;
}

// Compared in time that does not depend on where they differ.
bool sameSecret(const std::string &a, const std::string &b) {
  unsigned char differ = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) differ |= static_cast<unsigned char>(a[i] ^ b[i]);
  return differ == 0;
}

}  // namespace

// A connection the supervisor captured (kCapturedField): a CONNECT to the address the program
// asked, or to the name the sandbox's resolver gave for that address, which is what is
// decided. A field with another secret is a forgery, refused; an address of the resolver's
// range that it did not give (or gave to another name since) names nothing, refused.
bool Proxy::takeCaptured(Exchange &x) {
  std::vector<std::string> secrets = valuesOf(x.head.headers, kCapturedField);
  if (secrets.empty()) return true;
  if (!x.head.connect || secrets.size() != 1 || captureSecret_.empty() || !sameSecret(secrets[0], captureSecret_))
    return refuse(x, 403, "a Shellrt-Captured field that the supervisor did not write"), false;
  x.captured = true;
  x.request.port = x.head.port;
  Host host;
  std::string error;
  if (!canonicalHost(x.head.host, host, error) || !host.address || !dns::Names::inRange(*host.address)) return true;
  std::optional<std::string> name = names_.nameOf(*host.address);
  if (!name) return refuse(x, 403, x.head.host + " is not an address the sandbox's resolver gave"), false;
  x.head.host = *name;
  return true;
}

// The resolver's reply to one query (empty: none is due), and its audit event.
std::string Proxy::answerName(const std::string &query) {
  dns::Outcome out;
  std::string reply = dns::answer(query, current()->table, names_, out);
  if (!reply.empty())
    audit_.event("dns", {{"decision", std::string(out.answer == "nxdomain" || out.answer == "formerr" || out.answer == "notimp"
                                                      ? "deny" : "allow")},
                         {"host", out.name},
                         {"type", out.type},
                         {"answer", out.answer}});
  return reply;
}

void Proxy::serveNames(int socket) {
  char query[4096];
  for (;;) {
    sockaddr_storage from{};
    socklen_t size = sizeof from;
    ssize_t n = recvfrom(socket, query, sizeof query, 0, reinterpret_cast<sockaddr *>(&from), &size);
    if (n < 0 && (errno == EINTR || errno == ENOMEM)) continue;
    if (n < 0) _exit(1);  // the socket is gone: the supervisor sees the proxy end and says so
    std::string reply = answerName(std::string(query, static_cast<size_t>(n)));
    if (!reply.empty()) sendto(socket, reply.data(), reply.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr *>(&from), size);
  }
}

void Proxy::serveNamesOverTcp(int listener) {
  constexpr int kMaxAsking = 64;  // connections at once; more wait in the backlog
  static std::atomic<int> asking{0};
  for (;;) {
    int client = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0 && (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)) continue;
    if (client < 0) _exit(1);
    if (asking >= kMaxAsking) {
      close(client);
      continue;
    }
    ++asking;
    bool started = startThread([this, client] {
      Stream in{{client, nullptr}, {}, 10000};  // a silent asker is let go after 10 s
      std::string length, query;
      while (in.exactly(2, length) && in.exactly((uint8_t(length[0]) << 8) | uint8_t(length[1]), query)) {
        std::string reply = answerName(query);
        if (reply.empty()) break;
        reply.insert(0, {char(reply.size() >> 8), char(reply.size() & 0xff)});
        if (!writeAll(client, reply)) break;
      }
      close(client);
      --asking;
    });
    if (!started) close(client), --asking;
  }
}

// The program that called, asked once per connection and only where a `by` rule could change
// the decision (the lookup reads the sandbox's /proc: about 0.3 ms).
bool Proxy::tellProgram(Exchange &x, const Request &r, std::string &error) {
  if (x.identified || !x.policy->table.binariesMatter(r)) return true;
  askProgram(x, error);
  return error.empty();
}

void Proxy::askProgram(Exchange &x, std::string &error) {
  x.request.binaries = callerBinaries(x.client, error);
  x.identified = true;
}

bool Proxy::identify(Exchange &x) { return identify(x, x.request); }
bool Proxy::identify(Exchange &x, const Request &r) {
  std::string error;
  return tellProgram(x, r, error) || (refuse(x, 403, error), false);
}

// A request inside a tunnel whose TLS the proxy ended: the tunnel's program, asked at most once
// for all its requests, and only once a rule could use it (a live change may bring one).
bool Proxy::tellProgramInside(Exchange &x, Exchange &tunnel, std::string &error) {
  x.identified = tunnel.identified;
  bool told = tellProgram(x, x.request, error);
  tunnel.identified = x.identified;
  tunnel.request.binaries = x.request.binaries;
  return told;
}

// Before any name is resolved: the program that called, and whether the name could be let
// through at all (a name no rule can allow is refused without a DNS query).
bool Proxy::decide(Exchange &x) {
  std::string error;
  if (!identify(x)) return false;
  if (x.request.address || x.policy->table.worthResolving(x.request)) return true;
  x.request.http = false;  // refused as a connection: no request on it is ever made
  x.decision = x.policy->table.decide(x.request);
  refuse(x, 403, "");
  return false;
}

// Each address is decided as the connection it would be; the first let through is dialled,
// exactly that one, so that no second lookup can move the connection elsewhere.
bool Proxy::resolveAndDial(Exchange &x) {
  std::vector<Address> candidates;
  std::string error;
  if (x.request.address) candidates.push_back(*x.request.address);
  for (const FixedName &f : fixed_)
    if (f.host == x.request.host) candidates.push_back(f.address);
  // Names fixed for tests stand for the whole of DNS: a test never sends a query.
  if (candidates.empty() && fixed_.empty()) candidates = resolveName(x.request.host, error);
  else if (candidates.empty()) error = "not among the names given by --resolve";
  if (candidates.empty()) return refuse(x, 502, "the name " + x.request.host + " does not resolve: " + error), false;
  std::optional<Decision> refusal;
  std::optional<Address> refused;
  std::string dialError, ownAddress;
  for (const Address &a : candidates) {
    Request r = x.request;
    r.address = a;
    // The authority exists wherever a rule judges requests (ProxyProcess::start).
    x.inspect = x.head.connect && x.policy->table.decidesRequests(r);
    if (!identify(x, r)) return false;
    r.binaries = x.request.binaries;
    Decision d = x.policy->table.decide(r);
    if (!d.allow && d.enforced) {
      if (!refusal) refusal = d, refused = a;
      continue;
    }
    if (own_.contains(a) && !x.policy->table.namesAddressExactly(r)) {
      ownAddress = addressText(a);
      continue;
    }
    x.decision = d;
    x.dialled = a;
    x.upstream = reuse(x, a) ? x.kept : dial(a, x.request.port, dialError);
    if (x.upstream >= 0) return x.outcome = d.allow ? "allow" : "audit", true;
  }
  if (!dialError.empty())
    return refuse(x, 502, "cannot connect to " + x.head.host + ":" + std::to_string(x.request.port) + ": " + dialError), false;
  if (!refusal) return refuseOwnAddress(x, ownAddress), false;
  x.decision = *refusal;
  x.request.address = x.dialled = refused;
  return refuse(x, 403, ""), false;
}

// A connection to this machine's own address (own_addresses.h), where no other address of the
// name was let through: refused as loopback is, with the rule that would reach it.
void Proxy::refuseOwnAddress(Exchange &x, const std::string &address) {
  std::string port = std::to_string(x.request.port);
  x.request.address = x.dialled = parseAddress(address);
  refuse(x, 403, address + " is an address of this machine: its own services are refused as loopback's are",
         "network { allow " + address + ":" + port + " }");
}

// The previous request's upstream connection, when it goes where this one was decided to go
// and the server has not closed it (nothing is waiting to be read on it).
bool Proxy::reuse(const Exchange &x, const Address &a) const {
  if (x.kept < 0 || x.head.connect || x.keptAddress != a || x.keptPort != x.request.port) return false;
  pollfd p{x.kept, POLLIN, 0};
  return poll(&p, 1, 0) == 0;
}

void Proxy::tunnel(Exchange &x) {
  if (!x.captured && !writeAll(x.client, "HTTP/1.1 200 Connection established\r\n\r\n")) return;
  x.status = 200;
  std::string name;
  Hello hello = firstBytes(x, name);
  if (hello == Hello::Incomplete && x.in.buffered.empty()) return;  // nothing sent, nothing to pass
  Host asked;
  std::string error;
  bool fronted = hello == Hello::ServerName && !x.request.host.empty() &&
                 (!canonicalHost(name, asked, error) || asked.name != x.request.host);
  if (hello == Hello::Malformed || hello == Hello::Incomplete || fronted) {
    x.outcome = "deny";
    x.reason = hello == Hello::Malformed    ? "a malformed TLS ClientHello in the tunnel"
               : hello == Hello::Incomplete ? "a TLS ClientHello cut short (its end did not come in time, or not in one record)"
                                            : "the TLS server name " + name + " is not the CONNECT host " + x.request.host;
    return;
  }
  if (!writeAll(x.upstream, x.in.buffered)) return;
  x.up += x.in.buffered.size();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (x.policy != policy_ && !(x.reason = endedBy(policy_->table, x)).empty()) return;
    tunnels_.insert(&x);
  }
  relay(x.client, x.upstream, x.up, x.down);
  std::lock_guard<std::mutex> lock(mutex_);
  tunnels_.erase(&x);
}

// A tunnel's first bytes, until they are a whole TLS ClientHello (whose server name must be
// the CONNECT host) or plainly another protocol. A hello still incomplete when the client
// stops, or stays silent, is returned so: its rest, which could name any host, never passes
// unchecked. A server that speaks first (SSH, SMTP) is no TLS server: its client's bytes pass.
Hello Proxy::firstBytes(Exchange &x, std::string &name) {
  Hello hello;
  while ((hello = serverName(x.in.buffered, name)) == Hello::Incomplete && x.in.buffered.size() < 16384 + 5) {
    if (x.in.buffered.empty() && serverSpeaksFirst(x.client, x.upstream)) return Hello::NotTls;
    if (!x.in.fill(kHeadTimeoutMs)) break;
  }
  return hello;
}

// Why a tunnel decided under an older policy cannot go on under `table`, or "".
std::string Proxy::endedBy(const Table &table, const Exchange &x) {
  Request r = x.request;
  r.address = x.dialled;
  if (table.decidesRequests(r)) return "closed when the policy changed: its requests are now judged by method or path";
  Decision d = table.decide(r);
  return d.allow || !d.enforced ? "" : "closed when the policy changed: the new policy does not allow it";
}

std::shared_ptr<const Proxy::Policy> Proxy::current() {
  std::lock_guard<std::mutex> lock(mutex_);
  return policy_;
}

// Tunnels pass bytes the proxy does not read: each is decided again as the connection it is,
// and one the new table would refuse, or would look inside, is ended now (both sockets shut,
// which ends its relay). Requests on other connections are decided by the new table as they
// come.
size_t Proxy::replace(const Egress &egress) {
  auto fresh = std::make_shared<const Policy>(egress);
  std::lock_guard<std::mutex> lock(mutex_);
  policy_ = fresh;
  size_t closed = 0;
  for (Exchange *x : tunnels_) {
    if ((x->reason = endedBy(fresh->table, *x)).empty()) continue;
    shutdown(x->client, SHUT_RDWR);
    shutdown(x->upstream, SHUT_RDWR);
    ++closed;
  }
  return closed;
}

// The upstream side of an inspected tunnel: the checked address's socket and the TLS on it
// (none where a captured connection carries plain HTTP).
struct InsideTunnel {
  int fd;
  std::string host;  // what the upstream's certificate must name
  std::unique_ptr<tls::Session> session;
  bool closed;  // the server ended the last exchange: the next is dialled anew, to the same address
  bool plain;
  // `offerH2`: h2 offered by ALPN (session->protocol() says what the server chose).
  bool open(const Address &address, uint16_t port, std::string &error, bool offerH2 = false) {
    if (session || (plain && fd >= 0 && !closed)) return true;
    if (closed || fd < 0) {
      if (fd >= 0) close(fd);
      closed = false;
      std::string why;
      if ((fd = dial(address, port, why)) < 0) return error = "cannot connect to " + host + ": " + why, false;
    }
    if (plain) return true;
    ssl_ctx_st *verifying = tls::verifyingContext(error);
    session = std::make_unique<tls::Session>();
    if (verifying && session->connect(fd, verifying, host, error, offerH2)) return true;
    session.reset();
    closed = true;
    return false;
  }
};

// A tunnel whose requests the policy judges by method or path: its TLS ends here, with a
// certificate for the CONNECT host that the sandbox's authority signed; each request inside
// is decided as a plain one would be, then sent on over TLS that the proxy opened to the
// checked address and verified against the host's trust store.
namespace {

// Whether a captured connection's first byte opens a TLS handshake (a record of type 22);
// false when it is something else, or nothing comes in time.
bool startsWithTls(int fd) {
  pollfd p{fd, POLLIN, 0};
  unsigned char first = 0;
  return poll(&p, 1, kHeadTimeoutMs) == 1 && recv(fd, &first, 1, MSG_PEEK) == 1 && first == 0x16;
}

}  // namespace

// The client's TLS, ended here with a certificate for `host` that the sandbox's authority
// signed; the server name it asks must be the CONNECT host.
bool Proxy::endClientTls(Exchange &c, const std::string &host, tls::Session &client, bool offerH2) {
  std::string error, asked;
  // None where the session started without a rule that judges requests; a live change that
  // adds one is refused (bundle/live_change.h), and this holds should one come anyway.
  if (!authority_) return c.reason = "no authority to end TLS with: the session started without an `http` rule", false;
  std::shared_ptr<ssl_ctx_st> certificate = authority_->serverFor(host, error, offerH2);
  if (!certificate || !client.accept(c.client, certificate.get(), asked, error)) return c.reason = error, false;
  Host named;
  if (!asked.empty() && (!canonicalHost(asked, named, error) || named.name != c.request.host)) {
    c.outcome = "deny";
    c.reason = "the TLS server name " + asked + " is not the CONNECT host " + host;
    return false;
  }
  return true;
}

void Proxy::inspectTunnel(Exchange &c) {
  // A captured connection's head was read to its end and no further (Stream::headOnly).
  if (!c.in.buffered.empty()) return void(c.reason = "bytes sent into the tunnel before it was open");
  if (!c.captured && !writeAll(c.client, "HTTP/1.1 200 Connection established\r\n\r\n")) return;
  c.status = 200;
  std::string host = c.request.host.empty() ? addressText(*c.dialled) : c.request.host;
  // A captured connection may carry plain HTTP (port 80): its requests are judged as they are.
  bool tlsInside = !c.captured || startsWithTls(c.client);
  InsideTunnel upstream{c.upstream, host, nullptr, false, !tlsInside};
  // h2 is offered to the program only where the upstream chose it: its TLS opens first (if
  // it fails, the program's first request gets the 502 that says why).
  std::string error;
  bool upstreamH2 = tlsInside && h2::load(error) && upstream.open(*c.dialled, c.request.port, error, true) &&
                    upstream.session->protocol() == "h2";
  tls::Session client;
  if (tlsInside && !endClientTls(c, host, client, upstreamH2)) return;
  if (upstreamH2 && client.protocol() == "h2") relayH2(c, client, upstream);
  else inspectHttp1(c, tlsInside ? &client : nullptr, upstream);
  upstream.session.reset();  // its close_notify before the socket closes
  c.upstream = upstream.fd;
}

// Each HTTP/1.1 request inside, in turn. An upstream session that chose h2 for a program that
// did not is ended: the first request opens one of HTTP/1.1.
void Proxy::inspectHttp1(Exchange &c, tls::Session *client, InsideTunnel &upstream) {
  if (upstream.session && upstream.session->protocol() == "h2") upstream.session.reset(), upstream.closed = true;
  Stream in{{c.client, client}, {}, kHeadTimeoutMs};
  for (bool again = true; again;) {
    Exchange x;
    x.client = c.client;
    x.clientTls = client;
    x.captured = c.captured;
    x.inner = true;
    x.in = std::move(in);
    x.request = c.request;
    x.request.address = x.dialled = c.dialled;  // a CIDR rule judges the requests inside too
    x.head.host = c.head.host;  // shown in refusals until the request's own head is read
    again = handleInside(x, c, upstream);
    in = std::move(x.in);
    c.up += x.up, c.down += x.down;
  }
}

// HTTP/2 on both sides (h2.h): each stream decided as a request inside would be, answered by
// the same refusal, and recorded when it ends.
void Proxy::relayH2(Exchange &c, tls::Session &client, InsideTunnel &upstream) {
  h2::Judge judge;
  judge.decide = [&](h2::StreamRequest &r, h2::Refusal &refusal) {
    auto x = std::make_shared<Exchange>();
    x->policy = current();
    x->client = c.client;
    x->captured = c.captured;
    x->inner = true;
    x->request = c.request;
    x->request.address = c.dialled;  // a CIDR rule judges each stream too
    x->request.http = true;
    x->request.method = x->head.method = r.method;
    x->request.path = x->head.path = r.path;
    x->head.host = c.head.host;
    x->dialled = c.dialled;
    r.note = x;
    refusal.status = r.malformed.empty() ? 403 : 400;
    std::string why = r.malformed;
    if (why.empty() && tellProgramInside(*x, c, why)) x->decision = x->policy->table.decide(x->request);
    if (why.empty() && (x->decision.allow || !x->decision.enforced)) return x->outcome = x->decision.allow ? "allow" : "audit", true;
    refusal.body = refusalBody(*x, refusal.status, why, "");
    refusal.reason = x->reason;
    return false;
  };
  judge.ended = [&](const h2::StreamRequest &r, const h2::StreamEnd &end) {
    auto *x = static_cast<Exchange *>(r.note.get());
    if (!x) return;
    if (x->status == 0) x->status = end.status;
    if (x->reason.empty()) x->reason = end.reason;
    x->up = end.up, x->down = end.down;
    c.up += end.up, c.down += end.down;
    record(*x);
  };
  h2::relay({c.client, &client}, {upstream.fd, upstream.session.get()}, c.request.host.empty() ? addressText(*c.dialled) : c.request.host,
            c.request.port, judge);
}

// One request inside an inspected tunnel; the upstream's TLS opened at the first, and again
// where the server ended the last. true: the connection can go on.
bool Proxy::handleInside(Exchange &x, Exchange &c, InsideTunnel &upstream) {
  std::string text, error;
  if (!x.in.until("\r\n\r\n", kMaxHead, text)) return false;
  x.policy = current();  // as in handle(): the policy in force once the head is in
  int status = 0;
  Tunnel tunnel{c.head.host, c.request.port, static_cast<uint16_t>(upstream.plain ? 80 : 443)};
  if (!parseRequestHead(text, x.head, status, error, &tunnel)) return refuse(x, status, error), false;
  x.request.http = true;
  x.request.method = x.head.method;
  x.request.path = x.head.path;
  if (!tellProgramInside(x, c, error)) return refuse(x, 403, error), false;
  x.decision = x.policy->table.decide(x.request);
  if (!x.decision.allow && x.decision.enforced) return refuse(x, 403, ""), false;
  x.outcome = x.decision.allow ? "allow" : "audit";
  if (!upstream.open(*c.dialled, c.request.port, error)) return refuse(x, 502, error), false;
  x.upstream = upstream.fd;
  x.upstreamTls = upstream.session.get();
  bool again = forward(x);
  if (!x.reusable) upstream.session.reset(), upstream.closed = true;
  record(x);
  return again;
}


// One request: its head in origin form, its body exactly as framed, then the answer, whose
// framing says where it ends. Nothing the client sends after its request is read until then:
// the next request is decided as this one was. true: the connection can go on.
bool Proxy::forward(Exchange &x) {
  Stream answer{x.toUpstream(), {}, kUpstreamSilenceMs};
  if (!sendRequest(x, answer)) return false;
  for (;;) {  // interim answers (1xx), then the final one
    std::string text, error;
    ResponseHead head;
    if (!answer.until("\r\n\r\n", kMaxHead, text)) return x.reason = "the upstream did not answer", false;
    if (!parseResponseHead(text, x.head.method == "HEAD", head, error))
      return refuse(x, 502, "the upstream's answer: " + error), false;
    x.status = head.status;
    bool interim = head.status / 100 == 1 && head.status != 101;
    bool closing = !clientKeepsAlive(x.head) || head.body == ResponseHead::Body::UntilClose || head.status == 101;
    std::string out = clientResponseHead(head, closing && !interim);
    if (interim) {
      if (!x.toClient().write(out)) return false;
      continue;
    }
    // What of a sized body is in hand goes out with the head, in one write: a small answer
    // wakes the client once.
    size_t inHand = head.body == ResponseHead::Body::Length ? static_cast<size_t>(std::min<uint64_t>(head.length, answer.buffered.size())) : 0;
    out.append(answer.buffered, 0, inHand);
    answer.buffered.erase(0, inHand);
    x.down += inHand;
    if (!x.toClient().write(out)) return false;
    bool whole = head.body == ResponseHead::Body::Length    ? copyExactly(answer, x.toClient(), head.length - inHand, x.down)
                 : head.body == ResponseHead::Body::Chunked ? copyChunked(answer, x.toClient(), x.down)
                 : head.body == ResponseHead::Body::None    ? true
                                                            : copyUntilEnd(answer, x.toClient(), x.down);
    x.reusable = whole && !head.closes && answer.buffered.empty();
    return whole && !closing;
  }
}

// The request's head and body, and the first bytes of the answer in `answer`. A kept
// upstream connection the server closed meanwhile (it said nothing at all) is replaced by a
// new one to the same address, once, for a request without a body.
bool Proxy::sendRequest(Exchange &x, Stream &answer) {
  bool reused = x.upstream == x.kept;
  if (!x.toUpstream().write(upstreamHead(x.head))) return false;
  bool bodySent = x.head.body == RequestHead::Body::Length    ? copyExactly(x.in, x.toUpstream(), x.head.length, x.up)
                  : x.head.body == RequestHead::Body::Chunked ? copyChunked(x.in, x.toUpstream(), x.up)
                                                              : true;
  // The upstream has the head and part of a body: it is closed (not kept), and the program
  // told why; what it sent is not passed on past where its framing broke.
  if (!bodySent) return refuse(x, 400, "the request's body ended early or was not framed as its head said"), false;
  if (answer.fill(kUpstreamSilenceMs)) return true;
  if (!reused || x.head.body != RequestHead::Body::None) return x.reason = "the upstream did not answer", false;
  std::string error;
  close(x.upstream);
  x.kept = -1;
  x.upstream = dial(*x.dialled, x.request.port, error);
  answer = Stream{{x.upstream, nullptr}, {}, kUpstreamSilenceMs};
  return x.upstream >= 0 && writeAll(x.upstream, upstreamHead(x.head)) && answer.fill(kUpstreamSilenceMs);
}

namespace {

std::string reasonOf(const Decision &d, const Request &r, const std::string &shown) {
  std::string target = shown + ":" + std::to_string(r.port);
  if (d.reserved)
    return target + (r.address ? " (" + addressText(*r.address) + ")" : "") + " is in the " + d.reserved->why +
           " range, which the policy does not open (an allow naming a CIDR inside it would)";
  if (!d.deciding.empty()) return (r.http ? r.method + " " + r.path + " on " : "") + target + " is denied by " + rulesText(d.deciding);
  return "no rule allows " + (r.http ? r.method + " " + r.path + " on " : "") + target + " (the network's default is deny)";
}

std::string hintFor(const Request &r, const std::string &shown) {
  std::string endpoint = (r.host.empty() ? shown : "\"" + r.host + "\"") + ":" + std::to_string(r.port);
  if (r.http) return "network { allow http " + endpoint + " methods " + r.method + " paths \"" + r.path + "\" }";
  return "network { allow " + endpoint + " }";
}

}  // namespace

// The program that opened the connection, where the proxy asked ("" where it did not).
std::string Proxy::programOf(const Exchange &x) { return x.request.binaries.empty() ? std::string() : x.request.binaries.front(); }

// What a refusal says (JSON: what was refused, why, by which program, and the line that would
// allow it), the exchange marked refused. The program is asked for each refusal by the policy
// that no `by` rule had it asked for: refusals are rare, the lookup costs about 0.3 ms, and it
// tells the user what wanted out.
std::string Proxy::refusalBody(Exchange &x, int status, const std::string &reason, const std::string &hint) {
  std::string unknown;  // then named as ""
  if (status == 403 && !x.identified) askProgram(x, unknown);
  x.status = status;
  x.outcome = "deny";
  std::string shown = x.head.host.empty() ? "?" : x.head.host;
  bool byPolicy = reason.empty();
  x.reason = byPolicy ? reasonOf(x.decision, x.request, shown) : reason;
  std::string suggestion = !hint.empty() ? hint : byPolicy && !x.decision.reserved && x.decision.deciding.empty() ? hintFor(x.request, shown) : "";
  std::string body = "{\"error\":" + jsonString(status == 403 ? "refused by the sandbox's policy" : "refused by the sandbox's proxy") +
                     ",\"reason\":" + jsonString(x.reason) + ",\"rule\":" + jsonString(rulesText(x.decision.deciding)) +
                     ",\"host\":" + jsonString(x.request.host) + ",\"port\":" + std::to_string(x.request.port) +
                     ",\"method\":" + jsonString(x.head.method) + ",\"path\":" + jsonString(x.head.path) +
                     ",\"program\":" + jsonString(programOf(x)) +
                     (suggestion.empty() ? "" : ",\"add_to_policy\":" + jsonString(suggestion)) + "}\n";
  return body;
}

// An answer in HTTP with a JSON body that says what was refused, why, and the line that
// would allow it; and the audit event.
void Proxy::refuse(Exchange &x, int status, const std::string &reason, const std::string &hint) {
  std::string body = refusalBody(x, status, reason, hint);
  const char *phrase = status == 403 ? "Forbidden" : status == 502 ? "Bad Gateway" : status == 431 ? "Request Header Fields Too Large"
                     : status == 501 ? "Not Implemented" : status == 505 ? "HTTP Version Not Supported" : "Bad Request";
  // A captured connection's program speaks its own protocol: it sees the connection reset.
  linger reset{1, 0};
  if (x.captured && !x.inner) setsockopt(x.client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  else
    x.toClient().write("HTTP/1.1 " + std::to_string(status) + " " + phrase + "\r\nContent-Type: application/json\r\n"
                     "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  // What the client sent past the head (a body) and nobody read: a socket closed on unread
  // bytes is reset, and the client could lose the answer.
  char unread[16384];
  while (!x.captured && !x.clientTls && recv(x.client, unread, sizeof unread, MSG_DONTWAIT) > 0) {
  }
  record(x);
}

// Once per exchange: a refusal records it where it happens, and the path it ends may come to
// record it again.
void Proxy::record(Exchange &x) {
  if (x.recorded) return;
  x.recorded = true;
  audit_.event("egress", {{"decision", x.outcome},
                          {"host", x.request.host.empty() && x.dialled ? addressText(*x.dialled) : x.request.host},
                          {"address", x.dialled ? addressText(*x.dialled) : std::string()},
                          {"port", int64_t(x.request.port)},
                          {"method", x.head.method},
                          {"path", x.head.connect ? std::string() : x.head.path},
                          {"program", programOf(x)},
                          {"rule", rulesText(x.decision.deciding)},
                          {"status", int64_t(x.status)},
                          {"bytes_up", int64_t(x.up)},
                          {"bytes_down", int64_t(x.down)},
                          {"ms", int64_t(nowMs() - x.startMs)},
                          {"reason", x.reason},
                          {"via", std::string(x.captured ? "capture" : "proxy")}});
}

}  // namespace shellrt::egress
