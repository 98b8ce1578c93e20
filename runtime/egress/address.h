// Addresses as the egress table compares them: every address in 16 bytes, an IPv4 one as
// its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so that "10.0.0.0/8" and a mapped address
// that a resolver or a client wrote are the same thing (compiler/ir does the same).
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace shellrt::egress {

using Address = std::array<uint8_t, 16>;

struct Cidr {
  Address base{};
  unsigned prefix = 0;  // of the 128 bits (an IPv4 prefix plus 96)
};

// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"; nothing else (no brackets, no port).
std::optional<Address> parseAddress(const std::string &text);
// An address, or an address and a prefix: "10.0.0.0/8", "fc00::/7"; "::1" is one address.
std::optional<Cidr> parseCidr(const std::string &text);

bool contains(const Cidr &cidr, const Address &address);
bool inside(const Cidr &inner, const Cidr &outer);  // every address of inner is in outer

bool isMappedIpv4(const Address &address);
std::string addressText(const Address &address);  // IPv4 dotted when mapped

// For connect(2): the address as the family it is (IPv4 when mapped).
socklen_t socketAddress(const Address &address, uint16_t port, sockaddr_storage &out);
Address fromSocketAddress(const sockaddr_storage &in);

}  // namespace shellrt::egress
