#include "egress/http_head.h"

#include <algorithm>
#include <cctype>

namespace shellrt::egress {

namespace {

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// HTTP's names are ASCII: folded without the locale (std::tolower asks it for each character).
char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string s) {
  for (char &c : s) c = lowerAscii(c);
  return s;
}

// `name` is `lowered` in any case; no copy is made (it is asked of every field, often).
bool sameName(const std::string &name, const std::string &lowered) {
  if (name.size() != lowered.size()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (lowerAscii(name[i]) != lowered[i]) return false;
  return true;
}

bool fail(int &status, std::string &error, int code, const std::string &why) {
  status = code;
  error = why;
  return false;
}

// The lines of the head, each ended by CRLF; a lone CR or LF anywhere is refused.
bool splitLines(const std::string &text, std::vector<std::string> &lines, int &status, std::string &error) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))
      return fail(status, error, 400, "a bare CR in the request head");
    if (text[i] != '\n') continue;
    if (i == 0 || text[i - 1] != '\r') return fail(status, error, 400, "a bare LF in the request head (lines end with CRLF)");
    if (i - 1 - start > kMaxHeaderLine) return fail(status, error, 431, "a line of the request head is too long");
    lines.push_back(text.substr(start, i - 1 - start));
    start = i + 1;
  }
  if (lines.empty() || !lines.back().empty()) return fail(status, error, 400, "the request head does not end with an empty line");
  lines.pop_back();
  return true;
}

bool parsePort(const std::string &digits, uint16_t &port) {
  if (digits.empty() || digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return false;
  unsigned long value = std::stoul(digits);
  if (value < 1 || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

// host[:port] or [v6][:port]; `defaultPort` 0: the port is required.
bool parseAuthority(const std::string &a, uint16_t defaultPort, std::string &host, uint16_t &port) {
  if (a.empty()) return false;  // `http:///x`, `CONNECT :443`
  size_t hostEnd = a.front() == '[' ? a.find(']') : a.rfind(':');
  if (a.front() == '[') {
    if (hostEnd == std::string::npos) return false;
    ++hostEnd;
  }
  if (hostEnd == std::string::npos || hostEnd >= a.size()) {
    host = a;
    port = defaultPort;
    return defaultPort != 0 && !host.empty();
  }
  if (a[hostEnd] != ':') return false;
  host = a.substr(0, hostEnd);
  return !host.empty() && parsePort(a.substr(hostEnd + 1), port);
}

// One field line (without its CRLF): a token, a colon right after it, a value without
// control characters (its surrounding whitespace dropped); false with why.
bool readField(const std::string &line, std::pair<std::string, std::string> &field, std::string &error) {
  if (line.empty() || line[0] == ' ' || line[0] == '\t') return error = "a folded header line (obs-fold)", false;
  size_t colon = line.find(':');
  if (colon == std::string::npos || colon == 0) return error = "a header line without a name", false;
  std::string name = line.substr(0, colon);
  if (name.back() == ' ' || name.back() == '\t') return error = "whitespace before a header's colon", false;
  if (!std::all_of(name.begin(), name.end(), isTokenChar)) return error = "a header name with a character it cannot have", false;
  size_t first = line.find_first_not_of(" \t", colon + 1), last = line.find_last_not_of(" \t");
  std::string value = first == std::string::npos ? "" : line.substr(first, last - first + 1);
  if (std::any_of(value.begin(), value.end(), [](char c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f; }))
    return error = "a control character in the value of " + name, false;
  field = {name, value};
  return true;
}

bool readHeaders(const std::vector<std::string> &lines, Headers &out, int &status, std::string &error) {
  if (lines.size() - 1 > kMaxHeaders) return fail(status, error, 431, "too many header fields");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<std::string, std::string> field;
    if (!readField(lines[i], field, error)) return fail(status, error, 400, error);
    out.push_back(std::move(field));
  }
  return true;
}


// The options of the Connection fields (`close`, `keep-alive`, the names of fields for this
// hop only), lower case.
std::vector<std::string> connectionOptions(const Headers &headers) {
  std::vector<std::string> out;
  for (const std::string &listed : valuesOf(headers, "connection")) {
    for (size_t start = 0; start < listed.size();) {
      size_t comma = std::min(listed.find(',', start), listed.size());
      std::string token = listed.substr(start, comma - start);
      token.erase(0, token.find_first_not_of(" \t"));
      token.erase(token.find_last_not_of(" \t") + 1);
      out.push_back(lower(token));
      start = comma + 1;
    }
  }
  return out;
}

// The fields that frame a body, in a request or an answer: one of Content-Length (one decimal
// number, however often written) and Transfer-Encoding, never both. `codings` as written.
// A Connection field may not name them, nor Host: the proxy drops what Connection names before
// it sends the message on, and would send a body framed by a field the next hop never sees
// (the body then read there as a request of its own, decided by no one).
bool framingFields(const Headers &headers, std::optional<uint64_t> &length, std::vector<std::string> &codings,
                   std::string &error) {
  for (const std::string &option : connectionOptions(headers))
    if (option == "content-length" || option == "transfer-encoding" || option == "host")
      return error = "a Connection field that names " + option, false;
  std::vector<std::string> lengths = valuesOf(headers, "content-length");
  codings = valuesOf(headers, "transfer-encoding");
  if (!lengths.empty() && !codings.empty()) return error = "both Content-Length and Transfer-Encoding", false;
  for (const std::string &l : lengths)
    if (l.empty() || l.size() > 18 || !std::all_of(l.begin(), l.end(), ::isdigit) || l != lengths.front())
      return error = "a Content-Length that is not one decimal number", false;
  if (!lengths.empty()) length = std::stoull(lengths.front());
  return true;
}

bool readFraming(RequestHead &out, int &status, std::string &error) {
  std::optional<uint64_t> length;
  std::vector<std::string> codings;
  if (!framingFields(out.headers, length, codings, error)) return fail(status, error, 400, error);
  if (codings.size() > 1 || (codings.size() == 1 && lower(codings[0]) != "chunked"))
    return fail(status, error, 501, "a transfer coding other than one `chunked`");
  for (const std::string &u : valuesOf(out.headers, "upgrade"))
    if (lower(u).find("h2c") != std::string::npos) return fail(status, error, 400, "an h2c upgrade");
  if (!valuesOf(out.headers, "http2-settings").empty()) return fail(status, error, 400, "an HTTP2-Settings header");
  out.body = !codings.empty() ? RequestHead::Body::Chunked : length ? RequestHead::Body::Length : RequestHead::Body::None;
  out.length = length.value_or(0);
  if (out.connect && out.body != RequestHead::Body::None) return fail(status, error, 400, "a CONNECT with a body");
  return true;
}

bool readPath(const std::string &target, RequestHead &out, int &status, std::string &error) {
  if (target.find('#') != std::string::npos) return fail(status, error, 400, "a fragment (#) in the request target");
  size_t q = target.find('?');
  if (q != std::string::npos) out.query = target.substr(q + 1);
  std::string path = q == std::string::npos ? target : target.substr(0, q);
  std::optional<std::string> canonical = canonicalPath(path.empty() ? "/" : path, error);
  if (!canonical) return fail(status, error, 400, error);
  out.path = *canonical;
  return true;
}

bool readTarget(const std::string &target, RequestHead &out, int &status, std::string &error, const Tunnel *inside) {
  if (inside) {
    if (out.connect || target.empty() || target[0] != '/')
      return fail(status, error, 400, "inside an HTTPS tunnel, a request names a path (origin form)");
    out.host = inside->host;
    out.port = inside->port;
    out.tunnelled = true;
    out.defaultPort = inside->defaultPort;
    return readPath(target, out, status, error);
  }
  if (out.connect) {
    if (!parseAuthority(target, 0, out.host, out.port))
      return fail(status, error, 400, "CONNECT names host:port (\"" + target + "\" is not)");
    return true;
  }
  std::string scheme = lower(target.substr(0, std::min(target.find("://"), target.size())));
  if (scheme == "https")
    return fail(status, error, 400, "an https:// URL in absolute form: HTTPS goes through CONNECT (set https_proxy, "
                                   "or curl --proxytunnel)");
  if (scheme != "http" || target.find("://") == std::string::npos)
    return fail(status, error, 400, "this is a proxy: the request names an absolute http:// URL, or is a CONNECT");
  std::string rest = target.substr(7);
  size_t pathStart = std::min(rest.find_first_of("/?#"), rest.size());
  if (!parseAuthority(rest.substr(0, pathStart), 80, out.host, out.port))
    return fail(status, error, 400, "the URL's authority is not host[:port]");
  return readPath(rest.substr(pathStart), out, status, error);
}

// The Host field names the authority the URL does (RFC 9112 §3.2.2): one Host, the same.
bool hostAgrees(const RequestHead &out, int &status, std::string &error) {
  if (out.connect) return true;
  std::vector<std::string> hosts = valuesOf(out.headers, "host");
  if (hosts.size() > 1) return fail(status, error, 400, "more than one Host field");
  if (hosts.empty()) return out.version == "HTTP/1.0" || fail(status, error, 400, "no Host field");
  std::string host;
  uint16_t port = 0;
  if (hosts[0].empty() || !parseAuthority(hosts[0], out.defaultPort, host, port) || lower(host) != lower(out.host) ||
      port != out.port)
    return fail(status, error, 400, "the Host field (" + hosts[0] + ") is not the " + (out.tunnelled ? "tunnel's host" : "URL's authority"));
  return true;
}

}  // namespace

bool parseRequestHead(const std::string &text, RequestHead &out, int &status, std::string &error, const Tunnel *inside) {
  out = {};
  if (text.size() > kMaxHead) return fail(status, error, 431, "the request head is too large");
  std::vector<std::string> lines;
  if (!splitLines(text, lines, status, error)) return false;
  if (lines.empty()) return fail(status, error, 400, "an empty request");
  const std::string &line = lines[0];
  if (line == "PRI * HTTP/2.0") return fail(status, error, 400, "HTTP/2's preface on a plain connection");
  size_t a = line.find(' '), b = a == std::string::npos ? a : line.find(' ', a + 1);
  if (b == std::string::npos || line.find(' ', b + 1) != std::string::npos || a == 0 || b == a + 1)
    return fail(status, error, 400, "the request line is not METHOD TARGET VERSION, one space apart");
  out.method = line.substr(0, a);
  out.version = line.substr(b + 1);
  if (!std::all_of(out.method.begin(), out.method.end(), isTokenChar)) return fail(status, error, 400, "a method with a character it cannot have");
  if (out.version != "HTTP/1.1" && out.version != "HTTP/1.0") return fail(status, error, 505, "HTTP/1.1 or HTTP/1.0 only");
  out.connect = out.method == "CONNECT";
  std::string target = line.substr(a + 1, b - a - 1);
  if (std::any_of(target.begin(), target.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return fail(status, error, 400, "a control character in the request target");
  return readTarget(target, out, status, error, inside) && readHeaders(lines, out.headers, status, error) &&
         readFraming(out, status, error) && hostAgrees(out, status, error);
}

std::optional<std::string> canonicalPath(const std::string &path, std::string &error) {
  if (path.empty() || path[0] != '/') return error = "the path does not start with /", std::nullopt;
  std::string decoded;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == ';') return error = "path parameters (;) are refused: servers read them differently", std::nullopt;
    if (c == '\\') return error = "a backslash in the path is refused: servers read it as / or not", std::nullopt;
    if (c != '%') {
      decoded += c;
      continue;
    }
    if (i + 2 >= path.size() || !std::isxdigit(static_cast<unsigned char>(path[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(path[i + 2])))
      return error = "a % in the path that is not an escape", std::nullopt;
    int byte = std::stoi(path.substr(i + 1, 2), nullptr, 16);
    if (byte == '/' || byte == '\\' || byte < 0x20 || byte == 0x7f || byte == ';')
      return error = "an escaped /, \\, ; or control character in the path is refused", std::nullopt;
    bool unreserved = std::isalnum(byte) || byte == '-' || byte == '.' || byte == '_' || byte == '~';
    if (unreserved) decoded += static_cast<char>(byte);
    else decoded += "%" + std::string(1, static_cast<char>(std::toupper(path[i + 1]))) +
                    static_cast<char>(std::toupper(path[i + 2]));
    i += 2;
  }
  std::vector<std::string> segments;
  bool directory = false;
  for (size_t start = 1; start <= decoded.size();) {
    size_t slash = std::min(decoded.find('/', start), decoded.size());
    std::string segment = decoded.substr(start, slash - start);
    directory = segment.empty() || segment == "." || segment == "..";
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string &s : segments) out += "/" + s;
  if (out.empty() || directory) out += "/";
  return out;
}

namespace {

// The fields that concern one hop only (RFC 9110 §7.6.1), and those the Connection field names.
std::vector<std::string> hopByHop(const Headers &headers) {
  std::vector<std::string> out = {"connection", "proxy-connection", "keep-alive", "proxy-authorization",
                                  "proxy-authenticate", "te", "trailer", "upgrade"};
  for (const std::string &option : connectionOptions(headers)) out.push_back(option);
  return out;
}

std::string endToEnd(const Headers &headers) {
  std::vector<std::string> drop = hopByHop(headers);
  std::string out;
  for (const auto &field : headers)  // not a structured binding: clang 14's lambdas cannot capture one
    if (std::none_of(drop.begin(), drop.end(), [&](const std::string &d) { return sameName(field.first, d); }))
      out += field.first + ": " + field.second + "\r\n";
  return out;
}

}  // namespace

std::string upstreamHead(const RequestHead &head) {
  std::string out = head.method + " " + head.path + (head.query.empty() ? "" : "?" + head.query) + " HTTP/1.1\r\n";
  out += endToEnd(head.headers);
  if (valuesOf(head.headers, "host").empty())
    out += "Host: " + head.host + (head.port == head.defaultPort ? "" : ":" + std::to_string(head.port)) + "\r\n";
  return out + "\r\n";
}

bool clientKeepsAlive(const RequestHead &head) {
  if (head.version != "HTTP/1.1") return false;
  std::vector<std::string> options = connectionOptions(head.headers);
  return std::find(options.begin(), options.end(), "close") == options.end();
}

bool parseResponseHead(const std::string &text, bool toHead, ResponseHead &out, std::string &error) {
  out = {};
  int status = 0;
  std::vector<std::string> lines;
  if (text.size() > kMaxHead || !splitLines(text, lines, status, error) || lines.empty())
    return error = error.empty() ? "the response head is too large" : error, false;
  const std::string &line = lines[0];
  if (line.size() < 12 || (line.compare(0, 9, "HTTP/1.1 ") != 0 && line.compare(0, 9, "HTTP/1.0 ") != 0) ||
      !std::all_of(line.begin() + 9, line.begin() + 12, ::isdigit) || (line.size() > 12 && line[12] != ' '))
    return error = "the status line is not HTTP/1.x NNN", false;
  out.version = line.substr(0, 8);
  out.status = std::stoi(line.substr(9, 3));
  out.reason = line.size() > 13 ? line.substr(13) : "";
  if (!readHeaders(lines, out.headers, status, error)) return false;
  std::optional<uint64_t> length;
  std::vector<std::string> codings;
  if (!framingFields(out.headers, length, codings, error)) return false;
  bool noBody = toHead || out.status / 100 == 1 || out.status == 204 || out.status == 304;
  bool chunked = codings.size() == 1 && lower(codings[0]) == "chunked";
  out.body = noBody ? ResponseHead::Body::None
             : chunked ? ResponseHead::Body::Chunked
             : !codings.empty() || !length ? ResponseHead::Body::UntilClose
                                           : ResponseHead::Body::Length;
  if (out.body == ResponseHead::Body::Length) out.length = *length;
  // An HTTP/1.0 server keeps the connection only where it says so (RFC 9112 §9.3).
  std::vector<std::string> options = connectionOptions(out.headers);
  bool keepAlive = std::find(options.begin(), options.end(), "keep-alive") != options.end();
  out.closes = std::find(options.begin(), options.end(), "close") != options.end() || (out.version == "HTTP/1.0" && !keepAlive);
  return true;
}

std::string clientResponseHead(const ResponseHead &head, bool closing) {
  std::string out = "HTTP/1.1 " + std::to_string(head.status) + " " + head.reason + "\r\n" + endToEnd(head.headers);
  return out + (closing ? "Connection: close\r\n\r\n" : "\r\n");
}

bool isFieldLine(const std::string &line) {
  std::pair<std::string, std::string> field;
  std::string error;
  return readField(line, field, error);
}

std::vector<std::string> valuesOf(const Headers &headers, const std::string &name) {
  std::vector<std::string> out;
  for (const auto &[n, v] : headers)
    if (sameName(n, name)) out.push_back(v);
  return out;
}

}  // namespace shellrt::egress
