#include "egress/decision.h"

#include <algorithm>

#include "egress/glob.h"

namespace shellrt::egress {

namespace {

template <class List, class Pred> bool anyOf(const List &list, Pred pred) {
  return std::any_of(list.begin(), list.end(), pred);
}

// `*.x.com`: exactly one more label; `**.x.com`: one or more; on label boundaries.
bool underSuffix(const std::string &host, const std::string &suffix, bool oneLabel) {
  std::string tail = "." + suffix;
  if (host.size() <= tail.size() || host.compare(host.size() - tail.size(), tail.size(), tail) != 0) return false;
  return !oneLabel || host.find('.') == host.size() - tail.size();
}

// A matching deny wins, else a matching allow, else the default; `deciding` is the winning side.
bool denyOverridesAllow(const std::vector<const EgressRule *> &matched, bool defaultAllow,
                        std::vector<const EgressRule *> &deciding) {
  bool denied = anyOf(matched, [](const EgressRule *r) { return !r->allow; });
  bool allowed = anyOf(matched, [](const EgressRule *r) { return r->allow; });
  bool allow = denied ? false : allowed ? true : defaultAllow;
  for (const EgressRule *r : matched)
    if ((denied || allowed) && r->allow == allow) deciding.push_back(r);
  return allow;
}

}  // namespace

Table::Table(const Egress &egress) : egress_(egress) {
  for (const EgressRule &r : egress.rules) {
    Rule rule{&r, {}};
    for (const EgressRule::Host &h : r.hosts)
      if (h.kind == EgressRule::Host::Kind::Cidr)
        if (std::optional<Cidr> c = parseCidr(h.text)) rule.cidrs.push_back(*c);
    rules_.push_back(std::move(rule));
  }
  for (const Egress::Reserved &range : egress.alwaysDenied)
    if (std::optional<Cidr> c = parseCidr(range.cidr)) reserved_.emplace_back(&range, *c);
}

bool Table::hostMatches(const Rule &rule, const Request &r) const {
  if (r.address && anyOf(rule.cidrs, [&](const Cidr &c) { return contains(c, *r.address); })) return true;
  if (r.host.empty()) return false;
  return anyOf(rule.source->hosts, [&](const EgressRule::Host &h) {
    switch (h.kind) {
    case EgressRule::Host::Kind::Exact: return r.host == h.text;
    case EgressRule::Host::Kind::OneLabelUnder: return underSuffix(r.host, h.text, true);
    case EgressRule::Host::Kind::AnyLabelsUnder: return underSuffix(r.host, h.text, false);
    case EgressRule::Host::Kind::Cidr: return false;
    }
    return false;
  });
}

namespace {

bool portMatches(const EgressRule &rule, uint16_t port) {
  return anyOf(rule.ports, [&](const auto &p) { return p.first <= port && port <= p.second; });
}

}  // namespace

bool Table::connectionMatches(const Rule &rule, const Request &r) const {
  const EgressRule &s = *rule.source;
  bool port = portMatches(s, r.port);
  bool binary = s.binaries.empty() || (r.anyProgram ? s.allow : anyOf(s.binaries, [&](const std::string &glob) {
                  return anyOf(r.binaries, [&](const std::string &b) { return matchBinary(glob, b); });
                }));
  return port && binary && hostMatches(rule, r);
}

bool Table::namesAddressExactly(const Request &request) const {
  if (!request.address) return false;
  return anyOf(rules_, [&](const Rule &rule) {
    return rule.source->allow && connectionMatches(rule, request) &&
           anyOf(rule.cidrs, [&](const Cidr &c) { return c.prefix == 128 && c.base == *request.address; });
  });
}

// A reserved range holding the address that no matching allow reopens (names a CIDR inside
// the range that holds the address).
const Egress::Reserved *Table::reservedRefusal(const Request &r, const std::vector<const EgressRule *> &matched) const {
  if (!r.address) return nullptr;
  for (const auto &entry : reserved_) {
    const Egress::Reserved *range = entry.first;
    const Cidr &cidr = entry.second;  // named, not bound: lambdas below capture it (clang 14)
    if ((range->onlyWhenResolved && r.host.empty()) || !contains(cidr, *r.address)) continue;
    bool reopened = anyOf(rules_, [&](const Rule &rule) {
      return rule.source->allow && anyOf(matched, [&](const EgressRule *m) { return m == rule.source; }) &&
             anyOf(rule.cidrs, [&](const Cidr &c) { return contains(c, *r.address) && inside(c, cidr); });
    });
    if (!reopened) return range;
  }
  return nullptr;
}

Decision Table::decideConnection(const Request &r) const {
  Decision d;
  for (const Rule &rule : rules_) {
    const EgressRule &s = *rule.source;
    // A deny with methods or paths judges the requests on the connection, not the connection.
    bool requestLevel = !s.allow && (!s.methods.empty() || !s.paths.empty());
    if (!requestLevel && connectionMatches(rule, r)) d.matched.push_back(&s);
  }
  d.allow = denyOverridesAllow(d.matched, egress_.defaultAllow, d.deciding);
  bool deniedByRule = !d.allow && !d.deciding.empty();
  if (!deniedByRule)
    if (const Egress::Reserved *range = reservedRefusal(r, d.matched)) {
      d.allow = false;
      d.reserved = range;
      d.deciding.clear();
    }
  return d;
}

Decision Table::decideHttp(const Request &r) const {
  Decision d;
  for (const Rule &rule : rules_) {
    const EgressRule &s = *rule.source;
    bool method = s.methods.empty() || anyOf(s.methods, [&](const std::string &m) { return m == r.method; });
    bool path = s.paths.empty() || anyOf(s.paths, [&](const std::string &g) { return matchHttpPath(g, r.path); });
    if (method && path && connectionMatches(rule, r)) d.matched.push_back(&s);
  }
  d.allow = denyOverridesAllow(d.matched, egress_.defaultAllow, d.deciding);
  return d;
}

Decision Table::decide(const Request &r) const {
  Decision d = decideConnection(r);
  if (d.allow && r.http) d = decideHttp(r);
  bool auditedDenies = !d.deciding.empty() && std::all_of(d.deciding.begin(), d.deciding.end(),
                                                          [](const EgressRule *rule) { return rule->audit; });
  // Reserved ranges stay refused even in audit mode: no policy may open them so.
  d.enforced = d.allow || d.reserved || !(egress_.auditOnly || auditedDenies);
  d.logged = !d.enforced || anyOf(d.matched, [](const EgressRule *rule) { return rule->audit; });
  return d;
}

bool Table::worthResolving(const Request &request) const {
  if (egress_.defaultAllow || egress_.auditOnly) return true;
  Request byName = request;
  byName.address.reset();
  byName.http = false;
  Decision d = decide(byName);
  if (!d.allow && !d.deciding.empty()) return d.enforced ? false : true;  // a deny names it
  if (d.allow) return true;
  // An allow by CIDR may still match once an address is known.
  return anyOf(rules_, [&](const Rule &rule) {
    if (!rule.source->allow || rule.cidrs.empty()) return false;
    Request anyAddress = byName;
    anyAddress.address = rule.cidrs.front().base;
    return connectionMatches(rule, anyAddress);
  });
}

// A decision changes with the port only where a rule's port range begins or ends: one port of
// each stretch between those bounds stands for the whole stretch.
bool Table::answersName(const std::string &name) const {
  std::vector<uint32_t> bounds = {1};
  for (const Rule &rule : rules_)
    for (const auto &[low, high] : rule.source->ports) bounds.push_back(low), bounds.push_back(uint32_t(high) + 1);
  Request r;
  r.host = name;
  r.anyProgram = true;
  return anyOf(bounds, [&](uint32_t port) {
    if (port == 0 || port > 65535) return false;
    r.port = static_cast<uint16_t>(port);
    return worthResolving(r);
  });
}

bool Table::binariesMatter(const Request &request) const {
  return anyOf(rules_, [&](const Rule &rule) {
    const EgressRule &s = *rule.source;
    if (s.binaries.empty()) return false;
    return portMatches(s, request.port) && (hostMatches(rule, request) || (!request.address && !rule.cidrs.empty()));
  });
}

bool Table::decidesRequests(const Request &request) const {
  return anyOf(rules_, [&](const Rule &rule) {
    return (!rule.source->methods.empty() || !rule.source->paths.empty()) && connectionMatches(rule, request);
  });
}

}  // namespace shellrt::egress
