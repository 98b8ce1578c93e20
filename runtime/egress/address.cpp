#include "egress/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace shellrt::egress {

namespace {

Address mapped(const in_addr &v4) {
  Address a{};
  a[10] = a[11] = 0xff;
  std::memcpy(&a[12], &v4, 4);
  return a;
}

}  // namespace

std::optional<Address> parseAddress(const std::string &text) {
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return mapped(v4);
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return std::nullopt;
  Address a;
  std::memcpy(a.data(), &v6, 16);
  return a;
}

std::optional<Cidr> parseCidr(const std::string &text) {
  size_t slash = text.find('/');
  std::optional<Address> base = parseAddress(text.substr(0, slash));
  if (!base) return std::nullopt;
  bool v4 = text.find(':') == std::string::npos;
  unsigned width = v4 ? 32 : 128;
  unsigned prefix = width;
  if (slash != std::string::npos) {
    std::string digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    prefix = static_cast<unsigned>(std::stoul(digits));
    if (prefix > width) return std::nullopt;
  }
  return Cidr{*base, v4 ? prefix + 96 : prefix};
}

// Whole bytes compared at once, then the bits of the prefix's last byte: the proxy asks this of
// every always-denied range for every connection.
bool contains(const Cidr &cidr, const Address &address) {
  unsigned whole = cidr.prefix / 8, bits = cidr.prefix % 8;
  if (std::memcmp(cidr.base.data(), address.data(), whole) != 0) return false;
  auto mask = static_cast<uint8_t>(0xff00u >> bits);
  return bits == 0 || ((cidr.base[whole] ^ address[whole]) & mask) == 0;
}

bool inside(const Cidr &inner, const Cidr &outer) { return inner.prefix >= outer.prefix && contains(outer, inner.base); }

bool isMappedIpv4(const Address &a) {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(a.data(), prefix, 12) == 0;
}

std::string addressText(const Address &a) {
  char text[INET6_ADDRSTRLEN];
  if (isMappedIpv4(a)) return inet_ntop(AF_INET, &a[12], text, sizeof text);
  return inet_ntop(AF_INET6, a.data(), text, sizeof text);
}

socklen_t socketAddress(const Address &a, uint16_t port, sockaddr_storage &out) {
  std::memset(&out, 0, sizeof out);
  if (isMappedIpv4(a)) {
    auto *v4 = reinterpret_cast<sockaddr_in *>(&out);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    std::memcpy(&v4->sin_addr, &a[12], 4);
    return sizeof *v4;
  }
  auto *v6 = reinterpret_cast<sockaddr_in6 *>(&out);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(port);
  std::memcpy(&v6->sin6_addr, a.data(), 16);
  return sizeof *v6;
}

Address fromSocketAddress(const sockaddr_storage &in) {
  if (in.ss_family == AF_INET) return mapped(reinterpret_cast<const sockaddr_in &>(in).sin_addr);
  Address a;
  std::memcpy(a.data(), &reinterpret_cast<const sockaddr_in6 &>(in).sin6_addr, 16);
  return a;
}

}  // namespace shellrt::egress
