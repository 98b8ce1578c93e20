// The sandbox's resolver (docs/egress.md, "Names and transparent capture"). A name that some
// rule may allow is answered with an address of its own from a range that no network routes
// (kNamesRange), which the egress proxy maps back to the name when a connection to it is
// captured; every other name gets NXDOMAIN. No query ever leaves the host: the proxy
// resolves a name only when a connection to it is decided, as it does for CONNECT.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "egress/address.h"
#include "egress/decision.h"

namespace shellrt::egress::dns {

// The addresses the resolver hands out: 240.1.0.0/16, in the reserved 240.0.0.0/4 that no
// network routes; the sandbox's loopback also holds 240.0.0.1 (kSandboxAddress), so that
// glibc's AI_ADDRCONFIG sees an IPv4 address other than 127.0.0.1 and returns IPv4 answers.
constexpr uint32_t kNamesBase = 0xF0010000;  // 240.1.0.0
constexpr uint32_t kNamesCount = 1u << 16;
constexpr uint32_t kSandboxAddress = 0xF0000001;  // 240.0.0.1
constexpr uint32_t kAnswerTtl = 60;               // seconds

// Each name answered and its address, both ways. When every address is taken, the oldest
// name's goes to the next new name (a program that kept that address for longer reaches the
// new name, which a rule may allow too: the proxy decides it as it is).
class Names {
public:
  uint32_t addressFor(const std::string &name);
  std::optional<std::string> nameOf(const Address &address) const;
  static bool inRange(const Address &address);

private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, uint32_t> byName_;
  std::vector<std::string> byIndex_;  // the name at kNamesBase + index
  uint32_t next_ = 0;
};

// What the resolver did with one datagram, for the audit log.
struct Outcome {
  std::string name;   // canonical, or as asked where it is not a host name
  std::string type;   // "A", "AAAA", "TXT"... or the number
  std::string answer; // the address given, "no data" (another type), "nxdomain", "formerr"
};

// The reply to `query` (one DNS message over UDP); empty when none is due (a reply, a
// message too short to answer).
std::string answer(const std::string &query, const Table &table, Names &names, Outcome &out);

}  // namespace shellrt::egress::dns
