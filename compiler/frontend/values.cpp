#include "frontend/values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>

#include "ir/glob.h"

namespace shellc {
namespace {

std::vector<std::string_view> splitPath(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) slash = s.size();
    parts.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

std::string normalise(std::string_view s) {
  std::string out;
  for (std::string_view part : splitPath(s)) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      size_t slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
      continue;
    }
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

// The rest of a path after its root: relative, no empty, '.' or '..' parts.
bool checkRest(std::string_view rest, std::string_view whole, std::string_view root,
               ValueError &error) {
  if (rest.empty()) return true;
  for (std::string_view part : splitPath(rest)) {
    if (part == "..") {
      error = {"'..' is not allowed in a path",
               "write the path it means; `..` would make rules depend on symlinks and order"};
      return false;
    }
    if (part.empty() || part == ".") {
      std::string fixed = std::string(root) + normalise(rest);
      error = {"path is not normalised", "write \"" + fixed + "\""};
      return false;
    }
  }
  if (whole.size() > 4096) {
    error = {"path is longer than 4096 bytes (PATH_MAX)", ""};
    return false;
  }
  if (rest.find('\0') != std::string_view::npos) {
    error = {"path contains a NUL byte", ""};
    return false;
  }
  return true;
}

bool isLdh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool hasNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string punycodeHost(std::string_view host) {
  std::string out;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == std::string_view::npos) dot = host.size();
    std::string_view label = host.substr(start, dot - start);
    if (!out.empty() || start > 0) out += '.';
    out += hasNonAscii(label) ? punycodeLabel(label) : lower(label);
    start = dot + 1;
  }
  return out;
}

}  // namespace

bool parsePath(std::string_view text, ir::Path &out, ValueError &error) {
  if (text.empty()) {
    error = {"empty path", "write an absolute path such as \"/usr\""};
    return false;
  }
  if (text[0] == '~') {
    if (text.size() > 1 && text[1] != '/') {
      error = {"'~user' is not supported", "`~` is the home of the user who starts the sandbox; "
                                           "write another user's home as an absolute path"};
      return false;
    }
    std::string_view rest = text.size() > 2 ? text.substr(2) : std::string_view();
    if (text.size() == 2) {
      error = {"path is not normalised", "write \"~\""};
      return false;
    }
    if (!checkRest(rest, text, "~/", error)) return false;
    out = {ir::PathRoot::Home, std::string(rest)};
    return true;
  }
  if (text[0] != '/') {
    std::string fixed = normalise(text);
    error = {"path must be absolute", fixed.empty() ? "" : "write \"/" + fixed + "\""};
    return false;
  }
  std::string_view rest = text.substr(1);
  if (!rest.empty() && rest.back() == '/') {
    error = {"path is not normalised", "write \"/" + normalise(rest) + "\""};
    return false;
  }
  if (!checkRest(rest, text, "/", error)) return false;
  out = {ir::PathRoot::Absolute, std::string(rest)};
  return true;
}

bool checkRelativePart(std::string_view text, ValueError &error) {
  if (text.empty()) {
    error = {"empty path part", ""};
    return false;
  }
  if (text[0] == '/' || text[0] == '~') {
    error = {"a joined path part must be relative", "write \"" + normalise(text.substr(1)) + "\""};
    return false;
  }
  if (text.back() == '/') {
    error = {"path is not normalised", "write \"" + normalise(text) + "\""};
    return false;
  }
  return checkRest(text, text, "", error);
}

void joinPath(ir::Path &path, std::string_view part) {
  if (!path.rel.empty()) path.rel += '/';
  path.rel += part;
}

bool parseCidr(std::string_view text, ir::HostPattern &out, ValueError &error) {
  std::string addr(text);
  unsigned prefix = 0;
  bool hasPrefix = false;
  size_t slash = addr.find('/');
  if (slash != std::string::npos) {
    std::string_view p = std::string_view(addr).substr(slash + 1);
    uint64_t value;
    if (p.empty() || !parseUnsigned(p, value, error) || value > 128) {
      error = {"invalid prefix length '" + std::string(p) + "'", ""};
      return false;
    }
    prefix = static_cast<unsigned>(value);
    hasPrefix = true;
    addr.resize(slash);
  }
  out = {};
  out.kind = ir::HostPattern::Kind::Cidr;
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, addr.c_str(), &v4) == 1) {
    if (!hasPrefix) prefix = 32;
    if (prefix > 32) {
      error = {"an IPv4 prefix is at most /32", ""};
      return false;
    }
    out.ipv4 = true;
    out.address[10] = out.address[11] = 0xff;
    std::memcpy(&out.address[12], &v4, 4);
    out.prefix = prefix + 96;
  } else if (inet_pton(AF_INET6, addr.c_str(), &v6) == 1) {
    if (!hasPrefix) prefix = 128;
    std::memcpy(out.address.data(), &v6, 16);
    out.prefix = prefix;
  } else {
    error = {"'" + std::string(text) + "' is not an IP address or CIDR", ""};
    return false;
  }
  for (unsigned bit = out.prefix; bit < 128; ++bit) {
    if (out.address[bit / 8] & (0x80 >> (bit % 8))) {
      ir::HostPattern fixed = out;
      for (unsigned b = out.prefix; b < 128; ++b) fixed.address[b / 8] &= ~(0x80 >> (b % 8));
      error = {"CIDR has host bits set", "write \"" + fixed.display() + "\""};
      return false;
    }
  }
  return true;
}

bool parseHostPattern(std::string_view text, ir::HostPattern &out, ValueError &error) {
  if (text.empty()) {
    error = {"empty host", ""};
    return false;
  }
  bool looksNumeric = text.find(':') != std::string_view::npos ||
                      std::all_of(text.begin(), text.end(), [](char c) {
                        return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '/';
                      });
  if (looksNumeric) return parseCidr(text, out, error);
  if (text == "*" || text == "**") {
    error = {"a bare wildcard matches every host", "name the hosts; to allow everything write `default allow`"};
    return false;
  }
  if (hasNonAscii(text)) {
    error = {"host names are written in ASCII", "write \"" + punycodeHost(text) + "\" (punycode)"};
    return false;
  }
  if (text.back() == '.') {
    error = {"host has a trailing dot", "write \"" + std::string(text.substr(0, text.size() - 1)) + "\""};
    return false;
  }
  if (lower(text) != text) {
    error = {"host names are lowercase", "write \"" + lower(text) + "\""};
    return false;
  }
  out = {};
  std::string_view name = text;
  if (name.substr(0, 3) == "**.") {
    out.kind = ir::HostPattern::Kind::AnyLabels;
    name.remove_prefix(3);
  } else if (name.substr(0, 2) == "*.") {
    out.kind = ir::HostPattern::Kind::OneLabel;
    name.remove_prefix(2);
  }
  if (name.find('*') != std::string_view::npos) {
    error = {"a wildcard may only be the whole first label", "write \"*.example.com\" or \"**.example.com\""};
    return false;
  }
  if (out.kind != ir::HostPattern::Kind::Exact && name.find('.') == std::string_view::npos) {
    error = {"a wildcard over a top-level domain matches too much",
             "name at least the registered domain, e.g. \"*.example.com\""};
    return false;
  }
  if (name.size() > 253) {
    error = {"host name is longer than 253 characters", ""};
    return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), isLdh)) {
      error = {"invalid label '" + std::string(label) + "' in host name",
               "labels are 1-63 of a-z, 0-9 and '-', not starting or ending with '-'"};
      return false;
    }
    start = dot + 1;
  }
  out.name = std::string(name);
  return true;
}

bool parseUnsigned(std::string_view text, uint64_t &out, ValueError &error) {
  int base = 10;
  std::string_view digits = text;
  if (text.size() > 2 && text[0] == '0') {
    char p = text[1];
    if (p == 'x') base = 16;
    else if (p == 'o') base = 8;
    else if (p == 'b') base = 2;
    if (base != 10) digits.remove_prefix(2);
  }
  if (digits.empty()) {
    error = {"invalid number '" + std::string(text) + "'", ""};
    return false;
  }
  uint64_t value = 0;
  for (char c : digits) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10 : 99;
    if (d >= base) {
      error = {"invalid number '" + std::string(text) + "'", ""};
      return false;
    }
    if (value > (~0ull - d) / base) {
      error = {"number '" + std::string(text) + "' does not fit in 64 bits", ""};
      return false;
    }
    value = value * base + d;
  }
  out = value;
  return true;
}

bool parsePort(std::string_view text, uint16_t &out, ValueError &error) {
  uint64_t value;
  if (!parseUnsigned(text, value, error)) return false;
  if (value < 1 || value > 65535) {
    error = {"port " + std::string(text) + " is out of range", "ports are 1-65535"};
    return false;
  }
  out = static_cast<uint16_t>(value);
  return true;
}

namespace {
struct Unit {
  std::string_view name;
  uint64_t factor;
};

bool parseQuantity(std::string_view text, const std::vector<Unit> &units, std::string_view what,
                   std::string_view example, uint64_t &out, ValueError &error) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string_view number = text.substr(0, digits), unit = text.substr(digits);
  uint64_t value;
  if (digits == 0 || !parseUnsigned(number, value, error)) {
    error = {"invalid " + std::string(what) + " '" + std::string(text) + "'", "write e.g. " + std::string(example)};
    return false;
  }
  std::vector<std::string_view> names;
  for (const Unit &u : units) {
    names.push_back(u.name);
    if (u.name == unit) {
      if (u.factor && value > ~0ull / u.factor) {
        error = {std::string(what) + " '" + std::string(text) + "' is too large", ""};
        return false;
      }
      out = value * u.factor;
      return true;
    }
  }
  std::string list;
  for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
  error = {unit.empty() ? std::string(what) + " '" + std::string(text) + "' needs a unit"
                        : "unknown unit '" + std::string(unit) + "' in " + std::string(what),
           "units: " + list};
  return false;
}
}  // namespace

bool parseSize(std::string_view text, uint64_t &bytes, ValueError &error) {
  static const std::vector<Unit> units = {
      {"B", 1},           {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
      {"TiB", 1ull << 40}, {"KB", 1000},       {"MB", 1000000},     {"GB", 1000000000},
      {"TB", 1000000000000}};
  return parseQuantity(text, units, "size", "512MiB", bytes, error);
}

bool parseDuration(std::string_view text, uint64_t &milliseconds, ValueError &error) {
  static const std::vector<Unit> units = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  return parseQuantity(text, units, "duration", "30s", milliseconds, error);
}

bool checkUrl(std::string_view text, ValueError &error) {
  std::string_view rest;
  if (text.substr(0, 8) == "https://") rest = text.substr(8);
  else if (text.substr(0, 7) == "http://") rest = text.substr(7);
  else {
    error = {"a provider endpoint is an http:// or https:// URL", ""};
    return false;
  }
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) {
    error = {"credentials in a URL would leak into the bundle", "use `key env \"VAR\"`"};
    return false;
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) {
      error = {"unclosed '[' in URL", ""};
      return false;
    }
    std::string_view port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    ir::HostPattern ignored;
    if (!parseCidr(host, ignored, error)) return false;
    if (!port.empty()) {
      uint16_t p;
      if (port[0] != ':') {
        error = {"unexpected '" + std::string(port) + "' after the address", "write [ADDRESS]:PORT"};
        return false;
      }
      if (!parsePort(port.substr(1), p, error)) return false;
    }
    return true;
  }
  size_t colon = host.rfind(':');
  if (colon != std::string_view::npos) {
    uint16_t p;
    if (!parsePort(host.substr(colon + 1), p, error)) return false;
    host = host.substr(0, colon);
  }
  ir::HostPattern pattern;
  if (!parseHostPattern(host, pattern, error)) return false;
  if (pattern.kind == ir::HostPattern::Kind::OneLabel || pattern.kind == ir::HostPattern::Kind::AnyLabels) {
    error = {"a provider endpoint names one host", ""};
    return false;
  }
  return true;
}

bool checkModelGlob(std::string_view text, ValueError &error) {
  if (text.empty()) {
    error = {"empty model name", ""};
    return false;
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      error = {"model names are printable ASCII without spaces", ""};
      return false;
    }
  }
  return true;
}

bool checkBinaryPattern(std::string_view text, ValueError &error) {
  if (text.empty() || text[0] != '/') {
    error = {"a binary is an absolute path", "write \"/usr/bin/" + std::string(text) + "\""};
    return false;
  }
  ir::Path ignored;
  if (!parsePath(text, ignored, error)) {
    if (text.find('*') != std::string_view::npos && !error.hint.empty())
      error.hint = "write the path normalised, with its wildcards";
    return false;
  }
  return true;
}

bool checkHttpPathGlob(std::string_view text, ValueError &error) {
  if (text.empty() || text[0] != '/') {
    error = {"an HTTP path starts with '/'", "write \"/" + std::string(text) + "\""};
    return false;
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      error = {"HTTP paths are printable ASCII without spaces", "percent-encode other bytes"};
      return false;
    }
  }
  for (size_t open = text.find('['); open != std::string_view::npos; open = text.find('[', open + 1)) {
    size_t close = ir::classEnd(text, open);
    if (close == std::string_view::npos) {
      error = {"unclosed character class '['", "close it with ']'; an HTTP path has no literal '['"};
      return false;
    }
    open = close;
  }
  return true;
}

bool checkEnvName(std::string_view text, ValueError &error) {
  bool ok = !text.empty() && !std::isdigit(static_cast<unsigned char>(text[0])) &&
            std::all_of(text.begin(), text.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
            });
  if (!ok) error = {"'" + std::string(text) + "' is not an environment variable name", ""};
  return ok;
}

std::string punycodeLabel(std::string_view utf8) {
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = utf8[i];
    int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
    uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    for (int k = 1; k <= extra && i + k < utf8.size(); ++k) cp = (cp << 6) | (utf8[i + k] & 0x3F);
    cps.push_back(cp < 0x80 ? static_cast<uint32_t>(std::tolower(static_cast<int>(cp))) : cp);
    i += extra + 1;
  }
  const uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700;
  auto digit = [](uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + d - 26); };
  auto adapt = [&](uint32_t delta, uint32_t points, bool first) {
    delta = first ? delta / damp : delta / 2;
    delta += delta / points;
    uint32_t k = 0;
    while (delta > ((base - tmin) * tmax) / 2) {
      delta /= base - tmin;
      k += base;
    }
    return k + (base - tmin + 1) * delta / (delta + skew);
  };
  std::string out;
  for (uint32_t cp : cps)
    if (cp < 0x80) out += static_cast<char>(cp);
  uint32_t handled = static_cast<uint32_t>(out.size()), basic = handled;
  if (basic > 0) out += '-';
  uint32_t n = 128, delta = 0, bias = 72;
  while (handled < cps.size()) {
    uint32_t next = UINT32_MAX;
    for (uint32_t cp : cps)
      if (cp >= n && cp < next) next = cp;
    delta += (next - n) * (handled + 1);
    n = next;
    for (uint32_t cp : cps) {
      if (cp < n) ++delta;
      if (cp == n) {
        uint32_t q = delta;
        for (uint32_t k = base;; k += base) {
          uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
          if (q < t) break;
          out += digit(t + (q - t) % (base - t));
          q = (q - t) / (base - t);
        }
        out += digit(q);
        bias = adapt(delta, handled + 1, handled == basic);
        delta = 0;
        ++handled;
      }
    }
    ++delta;
    ++n;
  }
  return "xn--" + out;
}

}  // namespace shellc
