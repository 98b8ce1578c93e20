#include <algorithm>

#include "ir/evaluate.h"
#include "ir/glob.h"

namespace shellc::ir {
namespace {

HostPattern v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, unsigned prefix) {
  HostPattern p;
  p.kind = HostPattern::Kind::Cidr;
  p.ipv4 = true;
  p.address = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
  p.prefix = 96 + prefix;
  return p;
}

HostPattern v6(uint8_t first, uint8_t second, uint8_t last, unsigned prefix) {
  HostPattern p;
  p.kind = HostPattern::Kind::Cidr;
  p.address[0] = first;
  p.address[1] = second;
  p.address[15] = last;
  p.prefix = prefix;
  return p;
}

template <class List, class Pred> bool anyOf(const List &list, Pred pred) {
  return std::any_of(list.begin(), list.end(), pred);
}

bool connectionMatches(const NetworkRule &rule, const NetworkRequest &r) {
  bool host = anyOf(rule.hosts, [&](const HostPattern &h) { return hostMatches(h, r.host, r.address); });
  bool port = rule.ports.empty() ||
              anyOf(rule.ports, [&](const PortRange &p) { return p.low <= r.port && r.port <= p.high; });
  bool binary = rule.binaries.empty() || anyOf(rule.binaries, [&](const std::string &glob) {
                  return anyOf(r.binaries, [&](const std::string &b) { return matchBinaryGlob(glob, b); });
                });
  return host && port && binary;
}

bool httpMatches(const NetworkRule &rule, const NetworkRequest &r) {
  bool method = rule.methods.empty() || anyOf(rule.methods, [&](const std::string &m) { return m == r.method; });
  bool path = rule.paths.empty() ||
              anyOf(rule.paths, [&](const std::string &glob) { return matchHttpPathGlob(glob, r.path); });
  return method && path;
}

// Steps 1 to 3 of the decision, alike for a connection and for an HTTP request.
NetworkDecision decide(const Network &net, std::vector<const NetworkRule *> matched) {
  NetworkDecision d;
  d.matched = std::move(matched);
  d.allow = denyOverridesAllow(d.matched, net.defaultAllow, d.deciding);
  return d;
}

// Whether an allow rule reopens `range` for `address`: it names a CIDR inside the range
// that holds the address.
bool reopens(const NetworkRule &rule, const ReservedRange &range, const Address &address) {
  return rule.allow && anyOf(rule.hosts, [&](const HostPattern &h) {
           return h.kind == HostPattern::Kind::Cidr && cidrContains(h, address) && cidrInside(h, range.cidr);
         });
}

// The reserved range that refuses the connection, if any: one that holds the address and
// that no matching allow rule reopens.
const ReservedRange *reservedRefusal(const NetworkRequest &r, const std::vector<const NetworkRule *> &matched) {
  if (!r.address) return nullptr;
  for (const ReservedRange &range : reservedRanges()) {
    if (range.onlyWhenResolved && r.host.empty()) continue;
    if (!cidrContains(range.cidr, *r.address)) continue;
    if (!anyOf(matched, [&](const NetworkRule *rule) { return reopens(*rule, range, *r.address); })) return &range;
  }
  return nullptr;
}

NetworkDecision decideConnection(const Network &net, const NetworkRequest &r) {
  std::vector<const NetworkRule *> matched;
  for (const NetworkRule &rule : net.rules) {
    // Deny rules with methods or paths judge the requests on the connection, not the connection.
    bool requestLevel = !rule.allow && (!rule.methods.empty() || !rule.paths.empty());
    if (!requestLevel && connectionMatches(rule, r)) matched.push_back(&rule);
  }
  NetworkDecision d = decide(net, std::move(matched));
  bool deniedByRule = !d.allow && !d.deciding.empty();
  if (!deniedByRule) {
    if (const ReservedRange *range = reservedRefusal(r, d.matched)) {
      d.allow = false;
      d.reserved = range;
      d.deciding.clear();
    }
  }
  return d;
}

NetworkDecision decideHttpRequest(const Network &net, const NetworkRequest &r) {
  std::vector<const NetworkRule *> matched;
  for (const NetworkRule &rule : net.rules)
    if (connectionMatches(rule, r) && httpMatches(rule, r)) matched.push_back(&rule);
  return decide(net, std::move(matched));
}

}  // namespace

const std::vector<ReservedRange> &reservedRanges() {
  static const std::vector<ReservedRange> ranges = {
      {v4(127, 0, 0, 0, 8), "loopback", false},
      {v6(0, 0, 1, 128), "loopback", false},
      {v4(169, 254, 0, 0, 16), "link-local", false},
      {v6(0xfe, 0x80, 0, 10), "link-local", false},
      {v4(0, 0, 0, 0, 8), "unspecified", false},
      {v6(0, 0, 0, 128), "unspecified", false},
      {v4(10, 0, 0, 0, 8), "private", true},
      {v4(172, 16, 0, 0, 12), "private", true},
      {v4(192, 168, 0, 0, 16), "private", true},
      {v6(0xfc, 0, 0, 7), "private", true},
      {v4(100, 64, 0, 0, 10), "CGNAT", true},
  };
  return ranges;
}

bool cidrInside(const HostPattern &inner, const HostPattern &outer) {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.address);
}

bool cidrContains(const HostPattern &cidr, const Address &address) {
  for (unsigned bit = 0; bit < cidr.prefix; ++bit) {
    uint8_t mask = 0x80 >> (bit % 8);
    if ((cidr.address[bit / 8] & mask) != (address[bit / 8] & mask)) return false;
  }
  return true;
}

bool hostMatches(const HostPattern &pattern, std::string_view host, const std::optional<Address> &address) {
  if (pattern.kind == HostPattern::Kind::Cidr) return address && cidrContains(pattern, *address);
  if (pattern.kind == HostPattern::Kind::Exact) return !host.empty() && host == pattern.name;
  // `*.x.com` and `**.x.com`: one label, or one or more, then the suffix, on label boundaries.
  std::string suffix = "." + pattern.name;
  if (host.size() <= suffix.size() || host.substr(host.size() - suffix.size()) != suffix) return false;
  std::string_view labels = host.substr(0, host.size() - suffix.size());
  return pattern.kind == HostPattern::Kind::AnyLabels || labels.find('.') == std::string_view::npos;
}

NetworkDecision evaluateNetwork(const Network &net, const NetworkRequest &request) {
  NetworkDecision d = decideConnection(net, request);
  // An HTTP request exists only on a connection that was let in.
  if (d.allow && request.protocol == Protocol::Http) d = decideHttpRequest(net, request);
  auto audited = [](const NetworkRule *rule) { return rule->audit; };
  bool auditedDenies = !d.deciding.empty() && std::all_of(d.deciding.begin(), d.deciding.end(), audited);
  // Reserved ranges stay refused even in audit mode: they are what no policy may open.
  d.enforced = d.allow || d.reserved || !(net.audit || auditedDenies);
  d.logged = !d.enforced || anyOf(d.matched, audited);
  return d;
}

}  // namespace shellc::ir
