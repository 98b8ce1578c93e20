// The egress proxy's readers and decision (runtime/egress/): its decision against the
// compiler's (ir::evaluateNetwork) on random policies and requests, through the bundle the
// compiler writes; its globs against the compiler's; host names, request heads and TLS
// server names as the proxy reads them.
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "bundle/bundle.h"
#include "bundle/live_change.h"
#include "egress/decision.h"
#include "egress/glob.h"
#include "egress/host_name.h"
#include "egress/http_head.h"
#include "egress/own_addresses.h"
#include "egress/tls.h"
#include "egress/tls_sni.h"
#include "frontend/values.h"
#include "ir/evaluate.h"
#include "ir/glob.h"
#include "test_support.h"

namespace {

using namespace shellrt::egress;

std::string randomRule(std::mt19937 &rng) {
  static const std::vector<std::string> hosts = {
      "\"api.example.com\"", "\"*.example.com\"", "\"**.example.com\"", "\"example.com\"", "10.0.0.0/8",
      "10.1.2.0/24",         "127.0.0.1",         "192.168.1.0/24",    "\"::1\"",         "\"fd00::/8\"", "93.184.0.0/16"};
  static const std::vector<std::string> ports = {"443", "80", "*", "[80, 443]", "8000-8100"};
  bool allow = rng() % 3 != 0, http = rng() % 3 == 0;
  std::string rule = std::string("  ") + (allow ? "allow" : "deny") + (http ? " http " : " ");
  int count = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < count; ++i) rule += (i ? ", " : "") + hosts[rng() % hosts.size()] + ":" + ports[rng() % ports.size()];
  if (rng() % 4 == 0) rule += rng() % 2 ? " by \"/usr/bin/git\"" : " by \"/usr/**\"";
  if (http && rng() % 2) rule += rng() % 2 ? " methods GET" : " methods GET, POST";
  if (http && rng() % 2) rule += rng() % 2 ? " paths \"/simple/**\"" : " paths \"/a/[0-9]*\"";
  if (rng() % 5 == 0) rule += " audit";
  return rule + "\n";
}

shellc::ir::NetworkRequest randomRequest(std::mt19937 &rng) {
  static const std::vector<std::string> names = {"", "api.example.com", "a.b.example.com", "example.com", "other.org"};
  static const std::vector<std::string> addresses = {"10.1.2.3", "10.9.9.9", "127.0.0.1", "192.168.1.5", "::1",
                                                     "fd00::5", "93.184.216.34", "169.254.169.254", "100.64.0.1"};
  static const std::vector<std::string> binaries = {"/usr/bin/git", "/usr/bin/curl", "/opt/tool"};
  static const std::vector<std::string> paths = {"/simple/pip/", "/a/1x", "/a/x", "/"};
  shellc::ir::NetworkRequest r;
  r.host = names[rng() % names.size()];
  if (r.host.empty() || rng() % 2) r.address = *parseAddress(addresses[rng() % addresses.size()]);
  static const uint16_t portChoices[] = {443, 80, 8050, 22};
  r.port = portChoices[rng() % 4];
  if (rng() % 2) r.binaries = {binaries[rng() % binaries.size()]};
  if (rng() % 2) {
    r.protocol = shellc::ir::Protocol::Http;
    r.method = rng() % 2 ? "GET" : "POST";
    r.path = paths[rng() % paths.size()];
  }
  return r;
}

std::vector<std::string> lines(const std::vector<const shellc::ir::NetworkRule *> &rules) {
  std::vector<std::string> out;
  for (const auto *r : rules) out.push_back(std::to_string(r->id.line));
  return out;
}
std::vector<std::string> lines(const std::vector<const shellrt::EgressRule *> &rules) {
  std::vector<std::string> out;
  for (const auto *r : rules) out.push_back(std::to_string(r->rule.line));
  return out;
}

// The sandbox's resolver answers a name exactly when, at some port, some program could be
// let through to it: at every port of a rule's bounds (the decision changes nowhere else).
void expectResolverAgrees(const Table &table, const std::string &host, const std::string &what) {
  bool somePort = false;
  for (uint32_t port : {1u, 22u, 79u, 80u, 81u, 442u, 443u, 444u, 7999u, 8000u, 8050u, 8100u, 8101u, 65535u}) {
    Request any;
    any.host = host;
    any.port = static_cast<uint16_t>(port);
    any.anyProgram = true;
    somePort = somePort || table.worthResolving(any);
  }
  ASSERT_EQ(table.answersName(host), somePort) << what;
}

TEST(Egress, DecidesAsTheCompilerDoes) {
  std::mt19937 rng(12);
  int compared = 0;
  for (int round = 0; round < 60; ++round) {
    std::string text = "policy random\nnetwork {\n";
    if (rng() % 3 == 0) text += "  default allow\n";
    if (rng() % 4 == 0) text += "  enforcement audit\n";
    for (int i = 0; i < 5; ++i) text += randomRule(rng);
    text += "}\n";
    auto checked = shellc::testing::checkText(text);
    if (!checked->output.ok) continue;  // a random rule the checker refuses (e.g. an allow inside a deny's range)
    ++compared;
    shellrt::Bundle bundle;
    std::string error;
    ASSERT_TRUE(shellrt::parseBundle(shellc::testing::bundleJson(*checked), bundle, error)) << error;
    Table table(bundle.egress);
    for (int i = 0; i < 300; ++i) {
      shellc::ir::NetworkRequest r = randomRequest(rng);
      shellc::ir::NetworkDecision expected = shellc::ir::evaluateNetwork(checked->output.policy.network, r);
      Request ours{r.host, r.address, r.port, r.protocol == shellc::ir::Protocol::Http, r.method, r.path, r.binaries};
      Decision got = table.decide(ours);
      std::string what = text + "host " + r.host + " address " + (r.address ? addressText(*r.address) : "-") + " port " +
                         std::to_string(r.port) + " " + r.method + " " + r.path;
      ASSERT_EQ(got.allow, expected.allow) << what;
      ASSERT_EQ(got.enforced, expected.enforced) << what;
      ASSERT_EQ(got.logged, expected.logged) << what;
      ASSERT_EQ(got.reserved != nullptr, expected.reserved != nullptr) << what;
      ASSERT_EQ(lines(got.deciding), lines(expected.deciding)) << what;
      // A name is resolved whenever some address of it could be let through.
      if (!r.host.empty() && got.allow && !ours.http) {
        Request byName = ours;
        byName.address.reset();
        ASSERT_TRUE(table.worthResolving(byName)) << what;
      }
      if (!r.host.empty()) expectResolverAgrees(table, r.host, what);
    }
  }
  EXPECT_GT(compared, 40);  // most random policies check clean: the comparison is not empty
}

TEST(Egress, GlobsMatchAsTheCompilersDo) {
  std::mt19937 rng(13);
  const std::string globAlphabet = "ab/*?[]!-0", textAlphabet = "ab/0-]!";
  for (int i = 0; i < 20000; ++i) {
    std::string glob = "/", text = "/";
    for (size_t n = rng() % 8; n > 0; --n) glob += globAlphabet[rng() % globAlphabet.size()];
    for (size_t n = rng() % 8; n > 0; --n) text += textAlphabet[rng() % textAlphabet.size()];
    ASSERT_EQ(matchBinary(glob, text), shellc::ir::matchBinaryGlob(glob, text)) << glob << " " << text;
    ASSERT_EQ(matchHttpPath(glob, text), shellc::ir::matchHttpPathGlob(glob, text)) << glob << " " << text;
  }
}

TEST(Egress, CidrsContainAsTheCompilersDo) {
  std::mt19937 rng(14);
  for (int i = 0; i < 20000; ++i) {
    Address base{}, address{};
    for (size_t b = 0; b < 16; ++b) base[b] = static_cast<uint8_t>(rng());
    address = base;
    // Near the base: a few bits flipped, so that both answers are common.
    for (size_t n = rng() % 3; n > 0; --n) address[rng() % 16] ^= static_cast<uint8_t>(1u << (rng() % 8));
    unsigned prefix = static_cast<unsigned>(rng() % 129);
    shellc::ir::HostPattern pattern;
    pattern.kind = shellc::ir::HostPattern::Kind::Cidr;
    pattern.address = base;
    pattern.prefix = prefix;
    ASSERT_EQ(contains(Cidr{base, prefix}, address), shellc::ir::cidrContains(pattern, address)) << prefix;
  }
}

TEST(Egress, HostNamesAreCanonicalOrRefused) {
  auto name = [](const std::string &text) {
    Host h;
    std::string error;
    if (!canonicalHost(text, h, error)) return "refused: " + error;
    return h.address ? "address " + addressText(*h.address) : h.name;
  };
  EXPECT_EQ(name("API.Example.COM."), "api.example.com");
  EXPECT_EQ(name("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(name("例え.テスト"), "xn--r8jz45g.xn--zckzah");
  EXPECT_EQ(name("127.1"), "address 127.0.0.1");
  EXPECT_EQ(name("0x7f.0.0.1"), "address 127.0.0.1");
  EXPECT_EQ(name("2130706433"), "address 127.0.0.1");
  EXPECT_EQ(name("[::ffff:10.0.0.1]"), "address 10.0.0.1");
  EXPECT_EQ(name("[::1]"), "address ::1");
  EXPECT_NE(name("user@api.example.com").find("refused: user information"), std::string::npos);
  EXPECT_NE(name("api%2eexample.com").find("refused: a %-escaped"), std::string::npos);
  EXPECT_NE(name("a..b").find("refused"), std::string::npos);
  EXPECT_NE(name("a b.com").find("refused"), std::string::npos);
  EXPECT_NE(name("\xff.com").find("refused: the host name is not valid UTF-8"), std::string::npos);
  EXPECT_NE(name("[::1").find("refused"), std::string::npos);
}

// The runtime stands apart from the compiler, so each has its own RFC 3492 encoder: the one
// the proxy matches with and the one the checker's hints write must agree.
TEST(Egress, PunycodeAsTheCompilerWritesIt) {
  std::mt19937 rng(14);
  const std::vector<std::string> pieces = {"a", "b", "z", "0", "-", "\xc3\xbc", "\xc3\xa9", "\xe4\xbe\x8b",
                                           "\xe3\x81\x88", "\xd0\xb4", "\xf0\x9f\x98\x80", "\xce\xb1"};
  for (int i = 0; i < 5000; ++i) {
    std::string label;
    for (size_t n = 1 + rng() % 8; n > 0; --n) label += pieces[rng() % pieces.size()];
    std::string ours;
    ASSERT_TRUE(punycode(label, ours)) << label;
    ASSERT_EQ("xn--" + ours, shellc::punycodeLabel(label)) << label;
  }
}

std::string head(const std::string &text) {
  RequestHead h;
  int status = 0;
  std::string error;
  if (!parseRequestHead(text, h, status, error)) return std::to_string(status) + " " + error;
  return (h.connect ? "CONNECT " : h.method + " ") + h.host + ":" + std::to_string(h.port) + h.path +
         (h.query.empty() ? "" : "?" + h.query);
}

TEST(Egress, RequestHeadsAreStrict) {
  EXPECT_EQ(head("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n"), "CONNECT api.example.com:443");
  EXPECT_EQ(head("GET http://x.org/a/../b//c?q=1 HTTP/1.1\r\nHost: x.org\r\n\r\n"), "GET x.org:80/b/c?q=1");
  EXPECT_EQ(head("GET http://x.org:8080/%61/%2e%2E/x HTTP/1.1\r\nHost: x.org:8080\r\n\r\n"), "GET x.org:8080/x");
  EXPECT_EQ(head("GET http://x.org/a%20b/%7e HTTP/1.1\r\nHost: x.org\r\n\r\n"), "GET x.org:80/a%20b/~");
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"GET http://x.org/ HTTP/1.1\nHost: x.org\n\n", "400 a bare LF"},
      {"GET http://x.org/ HTTP/1.1\r\nHost: x.org\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400 both"},
      {"GET http://x.org/ HTTP/1.1\r\nHost: x.org\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "400 a Content-Length"},
      {"GET http://x.org/ HTTP/1.1\r\nHost: x.org\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "501 a transfer coding"},
      {"GET http://x.org/ HTTP/1.1\r\nHost: x.org\r\nX: a\r\n b\r\n\r\n", "400 a folded"},
      {"GET http://x.org/ HTTP/1.1\r\nHost : x.org\r\n\r\n", "400 whitespace before"},
      {"GET http://x.org/ HTTP/1.1\r\nHost: y.org\r\n\r\n", "400 the Host field"},
      {"GET http://x.org/ HTTP/1.1\r\nHost: x.org\r\nHost: x.org\r\n\r\n", "400 more than one Host"},
      {"GET http://x.org/ HTTP/1.1\r\nHost: x.org\r\nUpgrade: h2c\r\n\r\n", "400 an h2c upgrade"},
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "400 HTTP/2's preface"},
      {"GET https://x.org/ HTTP/1.1\r\nHost: x.org\r\n\r\n", "400 an https:// URL"},
      {"GET /index.html HTTP/1.1\r\nHost: x.org\r\n\r\n", "400 this is a proxy"},
      {"GET http://x.org/a%2Fb HTTP/1.1\r\nHost: x.org\r\n\r\n", "400 an escaped /"},
      {"GET http://x.org/a;jsessionid=1 HTTP/1.1\r\nHost: x.org\r\n\r\n", "400 path parameters"},
      {"GET  http://x.org/ HTTP/1.1\r\nHost: x.org\r\n\r\n", "400 the request line"},
      {"GET http://x.org/ HTTP/2\r\nHost: x.org\r\n\r\n", "505 HTTP/1.1"},
      {"CONNECT x.org HTTP/1.1\r\n\r\n", "400 CONNECT names host:port"},
      {"CONNECT x.org:443 HTTP/1.1\r\nContent-Length: 3\r\n\r\n", "400 a CONNECT with a body"},
      // A body framed by a field the proxy would drop on the way (it drops what Connection names).
      {"POST http://x.org/ HTTP/1.1\r\nHost: x.org\r\nConnection: keep-alive, Content-Length\r\nContent-Length: 3\r\n\r\n",
       "400 a Connection field that names content-length"},
      {"POST http://x.org/ HTTP/1.1\r\nHost: x.org\r\nConnection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n\r\n",
       "400 a Connection field that names transfer-encoding"},
      {"GET http://x.org/ HTTP/1.1\r\nHost: x.org\r\nConnection: host\r\n\r\n", "400 a Connection field that names host"},
      {"GET http:///x HTTP/1.1\r\nHost: x.org\r\n\r\n", "400"},
  };
  for (const auto &[text, expected] : refused) EXPECT_EQ(head(text).substr(0, expected.size()), expected) << text;
}

std::string inside(const std::string &text, uint16_t port = 8443) {
  RequestHead h;
  int status = 0;
  std::string error;
  Tunnel tunnel{"api.example.com", port};
  if (!parseRequestHead(text, h, status, error, &tunnel)) return std::to_string(status) + " " + error;
  return h.method + " " + h.host + ":" + std::to_string(h.port) + h.path + (h.query.empty() ? "" : "?" + h.query);
}

TEST(Egress, RequestsInsideATunnelNameAPath) {
  EXPECT_EQ(inside("GET /v1/../models?x=1 HTTP/1.1\r\nHost: api.example.com:8443\r\n\r\n"), "GET api.example.com:8443/models?x=1");
  EXPECT_EQ(inside("GET / HTTP/1.1\r\nHost: API.example.com\r\n\r\n", 443), "GET api.example.com:443/");
  EXPECT_EQ(inside("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n").substr(0, 30), "400 the Host field (api.exampl");
  EXPECT_EQ(inside("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 443).substr(0, 18), "400 the Host field");
  EXPECT_EQ(inside("GET http://api.example.com/ HTTP/1.1\r\nHost: api.example.com\r\n\r\n").substr(0, 33),
            "400 inside an HTTPS tunnel, a req");
  EXPECT_EQ(inside("CONNECT api.example.com:443 HTTP/1.1\r\n\r\n").substr(0, 3), "400");
  EXPECT_EQ(inside("GET /a%2Fb HTTP/1.1\r\nHost: api.example.com:8443\r\n\r\n").substr(0, 16), "400 an escaped /");
  RequestHead h;
  int status;
  std::string error;
  Tunnel tunnel{"api.example.com", 443};
  ASSERT_TRUE(parseRequestHead("GET /a HTTP/1.0\r\n\r\n", h, status, error, &tunnel));
  EXPECT_EQ(upstreamHead(h), "GET /a HTTP/1.1\r\nHost: api.example.com\r\n\r\n");  // 443 is implied
}

TEST(Egress, UpstreamHeadIsOriginFormWithoutHopByHop) {
  RequestHead h;
  int status;
  std::string error;
  ASSERT_TRUE(parseRequestHead("GET http://x.org/a?b HTTP/1.1\r\nHost: x.org\r\nProxy-Authorization: Basic x\r\n"
                               "Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nAccept: */*\r\n\r\n", h, status, error));
  EXPECT_EQ(upstreamHead(h), "GET /a?b HTTP/1.1\r\nHost: x.org\r\nAccept: */*\r\n\r\n");
}

std::string answer(const std::string &text, bool toHead = false) {
  ResponseHead h;
  std::string error;
  if (!parseResponseHead(text, toHead, h, error)) return "refused: " + error;
  static const char *bodies[] = {"none", "length", "chunked", "until-close"};
  return std::to_string(h.status) + " " + bodies[static_cast<int>(h.body)] +
         (h.body == ResponseHead::Body::Length ? " " + std::to_string(h.length) : "");
}

TEST(Egress, AnHttp10ServerKeepsOnlyWhatItSays) {
  ResponseHead h;
  std::string error;
  ASSERT_TRUE(parseResponseHead("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", false, h, error));
  EXPECT_TRUE(h.closes);
  ASSERT_TRUE(parseResponseHead("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n", false, h, error));
  EXPECT_FALSE(h.closes);
  ASSERT_TRUE(parseResponseHead("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", false, h, error));
  EXPECT_FALSE(h.closes);
  ASSERT_TRUE(parseResponseHead("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n", false, h, error));
  EXPECT_TRUE(h.closes);
}

TEST(Egress, AnswersAreFramedOrRefused) {
  EXPECT_EQ(answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), "200 length 5");
  EXPECT_EQ(answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), "200 chunked");
  EXPECT_EQ(answer("HTTP/1.0 200 OK\r\n\r\n"), "200 until-close");
  EXPECT_EQ(answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), "200 until-close");
  EXPECT_EQ(answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true), "200 none");
  EXPECT_EQ(answer("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"), "304 none");
  EXPECT_EQ(answer("HTTP/1.1 100 Continue\r\n\r\n"), "100 none");
  EXPECT_EQ(answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), "refused: both Content-Length and Transfer-Encoding");
  EXPECT_EQ(answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), "refused: a Content-Length that is not one decimal number");
  EXPECT_EQ(answer("HTTP/1.1 200 OK\nContent-Length: 5\n\n").substr(0, 17), "refused: a bare L");
  EXPECT_EQ(answer("ICY 200 OK\r\n\r\n"), "refused: the status line is not HTTP/1.x NNN");
  EXPECT_EQ(answer("HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\n"),
            "refused: a Connection field that names content-length");
  ResponseHead h;
  std::string error;
  ASSERT_TRUE(parseResponseHead("HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nContent-Length: 0\r\n\r\n", false, h, error));
  EXPECT_EQ(clientResponseHead(h, false), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(clientResponseHead(h, true), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

// A ClientHello with one server_name extension, as TLS clients send it.
std::string clientHello(const std::string &name) {
  auto u16 = [](size_t v) { return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; };
  std::string sni = u16(name.size() + 3) + std::string(1, '\0') + u16(name.size()) + name;
  std::string extensions = u16(0) + u16(sni.size()) + sni;
  std::string body = std::string("\x03\x03", 2) + std::string(32, 'r') + std::string(1, '\0') + u16(2) +
                     std::string("\x13\x01", 2) + std::string("\x01\x00", 2) + u16(extensions.size()) + extensions;
  std::string handshake = std::string(1, '\x01') + std::string(1, '\0') + u16(body.size()) + body;
  return std::string("\x16\x03\x01", 3) + u16(handshake.size()) + handshake;
}

TEST(Egress, TlsServerNameIsRead) {
  std::string name;
  std::string hello = clientHello("api.example.com");
  EXPECT_EQ(serverName(hello, name), Hello::ServerName);
  EXPECT_EQ(name, "api.example.com");
  EXPECT_EQ(serverName(hello.substr(0, 20), name), Hello::Incomplete);
  EXPECT_EQ(serverName("SSH-2.0-OpenSSH\r\n", name), Hello::NotTls);
  std::string broken = hello;
  broken[7] = '\x7f';  // the hello claims more than the record holds
  EXPECT_EQ(serverName(broken, name), Hello::Malformed);
}

// A client that trusts only `authority`'s certificate, checking the name or the address.
SSL_CTX *trusting(const std::string &authorityPem) {
  SSL_CTX *context = SSL_CTX_new(TLS_client_method());
  BIO *pem = BIO_new_mem_buf(authorityPem.data(), static_cast<int>(authorityPem.size()));
  X509 *certificate = PEM_read_bio_X509(pem, nullptr, nullptr, nullptr);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(context), certificate);
  X509_free(certificate);
  BIO_free(pem);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  return context;
}

// A handshake over a socket pair: the proxy's side presents `presented`'s certificate; the
// client asks for `asked`. The client's error, or "ok" and the name the proxy's side heard.
std::string handshake(tls::Authority &authority, const std::string &presented, const std::string &asked) {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0) return "no socket pair";
  std::string heard, serverError, clientError;
  std::thread server([&] {
    tls::Session session;
    std::string error;
    std::shared_ptr<ssl_ctx_st> context = authority.serverFor(presented, error);
    char byte;
    if (context && session.accept(ends[0], context.get(), heard, serverError)) session.read(&byte, 1);
    close(ends[0]);
  });
  SSL_CTX *context = trusting(authority.certificatePem());
  bool ok;
  {
    tls::Session client;
    ok = client.connect(ends[1], context, asked, clientError) && client.write("x", 1);
  }
  close(ends[1]);
  server.join();
  SSL_CTX_free(context);
  return ok ? "ok " + heard : clientError;
}

TEST(Egress, TheSandboxAuthoritySignsWhatClientsVerify) {
  signal(SIGPIPE, SIG_IGN);  // as in the proxy: a peer that hung up is an error, not an end
  tls::Authority authority;
  std::string error;
  ASSERT_TRUE(authority.create(error)) << error;
  EXPECT_NE(authority.certificatePem().find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(authority.certificatePem().find("PRIVATE"), std::string::npos);
  EXPECT_EQ(handshake(authority, "api.example.com", "api.example.com"), "ok api.example.com");
  EXPECT_EQ(handshake(authority, "127.0.0.1", "127.0.0.1"), "ok ");  // an address: no SNI, an IP name
  EXPECT_NE(handshake(authority, "api.example.com", "other.example.com").find("does not verify"), std::string::npos);
  EXPECT_EQ(authority.serverFor("api.example.com", error), authority.serverFor("api.example.com", error));  // made once
  // Held while the cache lets go of it (past 4,096 hosts): still whole, still presented.
  std::shared_ptr<ssl_ctx_st> held = authority.serverFor("held.example.com", error);
  for (int i = 0; i < 4100; ++i) ASSERT_TRUE(authority.serverFor("h" + std::to_string(i) + ".example.com", error)) << error;
  EXPECT_NE(authority.serverFor("held.example.com", error), held);  // made again: the cache had let go
  EXPECT_EQ(held.use_count(), 1);
  SSL *usingHeld = SSL_new(held.get());
  EXPECT_NE(usingHeld, nullptr);
  SSL_free(usingHeld);
  // Another sandbox's authority is another: its certificates do not pass for this one's.
  tls::Authority other;
  ASSERT_TRUE(other.create(error)) << error;
  EXPECT_NE(other.certificatePem(), authority.certificatePem());
}

std::string bundleOf(const std::string &policy) {
  auto checked = shellc::testing::checkText(policy);
  EXPECT_TRUE(checked->output.ok) << policy;
  return shellc::testing::bundleJson(*checked);
}

TEST(Egress, OnlyTheNetworkChangesLive) {
  const std::string files = "filesystem {\n  @tmp allow read, write \"/tmp\"\n}\n";
  const std::string running = bundleOf("policy p\n" + files + "network {\n  allow \"a.example\":443\n}\n");
  // Another network, and the filesystem rule moved down a line: the same static layers.
  EXPECT_EQ(shellrt::changedStaticLayer(running, bundleOf("policy p\n\n" + files + "network {\n  allow \"b.example\":443\n}\n")), "");
  EXPECT_EQ(shellrt::changedStaticLayer(running, bundleOf("policy p\nfilesystem {\n  @tmp allow read \"/tmp\"\n}\n")), "landlock");
  EXPECT_EQ(shellrt::changedStaticLayer(running, bundleOf("policy p\n" + files + "syscalls {\n  default allow\n  deny ptrace\n}\n")),
            "seccomp");
  EXPECT_EQ(shellrt::changedStaticLayer(running, bundleOf("policy p\n" + files + "process {\n  env set \"FOO\" = \"1\"\n}\n")), "process");
}

shellrt::Bundle readBundle(const std::string &policy) {
  shellrt::Bundle bundle;
  std::string error;
  EXPECT_TRUE(shellrt::parseBundle(bundleOf(policy), bundle, error)) << error;
  return bundle;
}

// What a start makes only where its bundle asks for it cannot come with a live change: the
// authority that ends TLS, the inference router, a provider's key. What can, does.
TEST(Egress, WhatOnlyAStartMakesNeedsANewSession) {
  const std::string inspected = "network {\n  allow http \"a.example\":443 methods GET paths \"/x/**\"\n}\n";
  auto provider = [](const std::string &name, const std::string &variable) {
    return "  provider " + name + " {\n    endpoint \"http://127.0.0.1:18461/v1\"\n    api openai\n    key env \"" + variable + "\"\n  }\n";
  };
  const std::string routed = "inference {\n" + provider("p", "KEY_P") + "  route \"m-*\" => p\n}\n";
  shellrt::Bundle plain = readBundle("policy p\nnetwork {\n  allow \"a.example\":443\n}\n");
  shellrt::Bundle withHttp = readBundle("policy p\n" + inspected);
  shellrt::Bundle withRoutes = readBundle("policy p\n" + routed);
  EXPECT_NE(shellrt::needsNewSession(plain, withHttp).find("judges requests"), std::string::npos);
  EXPECT_EQ(shellrt::needsNewSession(withHttp, plain), "");
  EXPECT_EQ(shellrt::needsNewSession(withHttp, readBundle("policy p\n" + inspected)), "");
  EXPECT_NE(shellrt::needsNewSession(plain, withRoutes).find("inference router"), std::string::npos);
  EXPECT_EQ(shellrt::needsNewSession(withRoutes, readBundle("policy p\ninference {\n" + provider("p", "KEY_P") +
                                                                "  route \"n-*\" => p\n}\n")), "");
  EXPECT_NE(shellrt::needsNewSession(withRoutes, readBundle("policy p\ninference {\n" + provider("p", "OTHER") +
                                                                "  route \"m-*\" => p\n}\n")).find("`p`"), std::string::npos);
  EXPECT_NE(shellrt::needsNewSession(withRoutes, readBundle("policy p\ninference {\n" + provider("p", "KEY_P") + provider("q", "KEY_Q") +
                                                                "  route \"m-*\" => q\n}\n")).find("`q`"), std::string::npos);
}

// This machine's addresses are known (loopback's at least; an address of a documentation range
// is none of them), and only a rule naming the address itself reopens one.
TEST(Egress, OwnAddressesAreReopenedOnlyByName) {
  OwnAddresses own;
  EXPECT_TRUE(own.contains(*parseAddress("127.0.0.1")));
  EXPECT_FALSE(own.contains(*parseAddress("198.51.100.7")));
  shellrt::Bundle bundle;
  std::string error;
  ASSERT_TRUE(shellrt::parseBundle(bundleOf("policy p\nnetwork {\n  allow 10.0.0.0/8:22\n  allow 10.1.2.3:22, \"::1\":22\n  deny 10.9.9.9:22\n}\n"),
                                   bundle, error)) << error;
  Table table(bundle.egress);
  auto namedExactly = [&](const std::string &address) {
    Request r;
    r.address = parseAddress(address);
    r.port = 22;
    r.http = true;  // a request on the connection: the connection's rules count
    r.method = "GET";
    return table.namesAddressExactly(r);
  };
  EXPECT_FALSE(namedExactly("10.1.2.4"));  // only the range holds it
  EXPECT_TRUE(namedExactly("10.1.2.3"));
  EXPECT_TRUE(namedExactly("::1"));
  EXPECT_FALSE(namedExactly("10.9.9.9"));  // named by a deny, held by the range
}

}  // namespace
