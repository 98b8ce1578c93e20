// A request's head as the proxy reads it from the sandbox: strict HTTP/1.1 (RFC 9112), where
// anything two servers could read two ways is refused rather than guessed: a bare LF, a
// folded line, whitespace before a colon, Content-Length with Transfer-Encoding, differing
// lengths, a transfer coding other than one `chunked`, oversized lines or heads, a Host that
// differs from the absolute form's authority, h2c upgrades and HTTP/2's preface.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shellrt::egress {

constexpr size_t kMaxHead = 64 * 1024;
constexpr size_t kMaxHeaderLine = 16 * 1024;
constexpr size_t kMaxHeaders = 128;

using Headers = std::vector<std::pair<std::string, std::string>>;  // as written, in order

// Whether `line` (without its CRLF) is a field line as a head's are read: a trailer's too.
bool isFieldLine(const std::string &line);

// The values of the fields named `name` (lower case; names compare case-blind), in order.
std::vector<std::string> valuesOf(const Headers &headers, const std::string &name);

struct RequestHead {
  std::string method, version;
  bool connect = false;
  // CONNECT host:port, or http://host[:port]/path?query in absolute form.
  std::string host;  // as written (host_name.h makes it canonical)
  uint16_t port = 0;
  std::string path, query;  // path canonical (canonicalPath), query as written
  Headers headers;
  enum class Body { None, Length, Chunked } body = Body::None;
  uint64_t length = 0;
  bool tunnelled = false;  // read inside an HTTPS tunnel the proxy ended (Tunnel below)
  uint16_t defaultPort = 80;  // what a Host without a port names
};

// Inside an HTTPS tunnel that the proxy ended (tls.h), a request names a path (origin form)
// and its Host is the tunnel's host and port (443 where it names none; 80 inside a captured
// connection that carries plain HTTP).
struct Tunnel {
  std::string host;  // as the CONNECT wrote it
  uint16_t port = 0;
  uint16_t defaultPort = 443;
};

// The head's text, up to and including its empty line. false with `status` (400, 501...) and
// `error` saying what is wrong, and a hint where there is one.
bool parseRequestHead(const std::string &text, RequestHead &out, int &status, std::string &error,
                      const Tunnel *inside = nullptr);

// A path with dot segments removed, empty segments collapsed, and %-escapes of unreserved
// characters decoded ("%2e" is "."); escapes that would change the structure ("%2F", "%5C",
// "%00") and path parameters (";") are refused: servers read them differently.
std::optional<std::string> canonicalPath(const std::string &path, std::string &error);

// The head to send upstream: origin form, the canonical path,
// no hop-by-hop or proxy headers. Each request is decided anew; its upstream connection is
// the previous request's when that went to the same address and port.
std::string upstreamHead(const RequestHead &head);

// Whether the client's connection may carry another request after this one (HTTP/1.1, no
// `Connection: close`).
bool clientKeepsAlive(const RequestHead &head);

// The upstream's answer, read as strictly: how its body is framed decides whether the
// client's connection can go on after it.
struct ResponseHead {
  std::string version, reason;
  int status = 0;
  Headers headers;
  enum class Body { None, Length, Chunked, UntilClose } body = Body::None;
  uint64_t length = 0;
  bool closes = false;  // the server ends the connection after it (Connection: close, HTTP/1.0)
};
// `toHead`: the request was HEAD (no body follows whatever the fields say).
bool parseResponseHead(const std::string &text, bool toHead, ResponseHead &out, std::string &error);
// The head for the client: hop-by-hop fields dropped; `Connection: close` when `closing`.
std::string clientResponseHead(const ResponseHead &head, bool closing);

}  // namespace shellrt::egress
