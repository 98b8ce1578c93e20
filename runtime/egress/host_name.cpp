#include "egress/host_name.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace shellrt::egress {

namespace {

bool decodeUtf8(const std::string &s, std::vector<uint32_t> &out) {
  for (size_t i = 0; i < s.size();) {
    auto byte = static_cast<unsigned char>(s[i]);
    int extra = byte < 0x80 ? 0 : (byte >> 5) == 6 ? 1 : (byte >> 4) == 14 ? 2 : (byte >> 3) == 30 ? 3 : -1;
    if (extra < 0 || i + static_cast<size_t>(extra) >= s.size()) return false;
    uint32_t cp = extra == 0 ? byte : byte & (0x3f >> extra);
    for (int k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((next & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3f);
    }
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;  // overlong, surrogate
    out.push_back(cp);
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

// RFC 3492's bias adaptation.
uint32_t adapt(uint32_t delta, uint32_t points, bool first) {
  delta = first ? delta / 700 : delta / 2;
  delta += delta / points;
  uint32_t k = 0;
  for (; delta > ((36 - 1) * 26) / 2; k += 36) delta /= 36 - 1;
  return k + (36 - 1 + 1) * delta / (delta + 38);
}

char digit(uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

// Address literals as inet_aton reads them (what getaddrinfo would dial), and [IPv6].
bool addressLiteral(const std::string &text, Host &out, std::string &error) {
  if (text.front() == '[') {
    std::optional<Address> a = text.back() == ']' ? parseAddress(text.substr(1, text.size() - 2)) : std::nullopt;
    if (!a) return error = "\"" + text + "\" is not an IPv6 address", false;
    out.address = a;
    return true;
  }
  in_addr v4;
  bool numeric = text.find_first_not_of("0123456789abcdefxABCDEFX.") == std::string::npos;
  if (!numeric || inet_aton(text.c_str(), &v4) == 0) return false;
  char dotted[INET_ADDRSTRLEN];
  out.address = parseAddress(inet_ntop(AF_INET, &v4, dotted, sizeof dotted));
  return true;
}

bool canonicalLabel(std::string label, std::string &out, std::string &error) {
  bool ascii = std::all_of(label.begin(), label.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    std::transform(label.begin(), label.end(), label.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  } else {
    std::string encoded;
    if (!punycode(label, encoded)) return error = "the host name is not valid UTF-8", false;
    label = "xn--" + encoded;
  }
  if (label.empty() || label.size() > 63) return error = "a label of the host name is empty or longer than 63", false;
  for (char c : label)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return error = std::string("the host name has a character no host name has ('") + c + "')", false;
  out += label;
  return true;
}

}  // namespace

bool punycode(const std::string &utf8, std::string &out) {
  std::vector<uint32_t> cps;
  if (!decodeUtf8(utf8, cps)) return false;
  out.clear();
  for (uint32_t cp : cps)
    if (cp < 0x80) out += static_cast<char>(std::tolower(static_cast<int>(cp)));
  uint32_t handled = static_cast<uint32_t>(out.size()), basic = handled;
  if (basic > 0) out += '-';
  uint32_t n = 128, delta = 0, bias = 72;
  while (handled < cps.size()) {
    uint32_t m = UINT32_MAX;
    for (uint32_t cp : cps)
      if (cp >= n) m = std::min(m, cp);
    delta += (m - n) * (handled + 1);
    n = m;
    for (uint32_t cp : cps) {
      if (cp < n) ++delta;
      if (cp != n) continue;
      uint32_t q = delta;
      for (uint32_t k = 36;; k += 36) {
        uint32_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
        if (q < t) break;
        out += digit(t + (q - t) % (36 - t));
        q = (q - t) / (36 - t);
      }
      out += digit(q);
      bias = adapt(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return true;
}

bool canonicalHost(const std::string &text, Host &out, std::string &error) {
  out = {};
  if (text.empty()) return error = "the request names no host", false;
  if (text.find('@') != std::string::npos) return error = "user information before the host (user@host) is refused", false;
  if (text.find('%') != std::string::npos) return error = "a %-escaped host name or a zone id is refused", false;
  if (addressLiteral(text, out, error)) return true;
  if (!error.empty()) return false;
  std::string name = text.back() == '.' ? text.substr(0, text.size() - 1) : text;
  if (name.size() > 253 || name.empty()) return error = "the host name is empty or longer than 253", false;
  for (size_t start = 0; start <= name.size();) {
    size_t dot = std::min(name.find('.', start), name.size());
    if (start > 0) out.name += '.';
    if (!canonicalLabel(name.substr(start, dot - start), out.name, error)) return false;
    start = dot + 1;
  }
  if (out.name.size() > 253) return error = "the host name is longer than 253", false;
  return true;
}

}  // namespace shellrt::egress
