// The egress decision: the bundle's `egress` table evaluated exactly as compiler/ir's
// network decision (ir/evaluate_network.cpp) evaluates the policy it came from. The proxy
// asks it once per connection (before and after resolving a name) and once per HTTP request;
// a unit test feeds both the same random requests and compares the answers.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "egress/address.h"

namespace shellrt::egress {

struct Request {
  std::string host;                // canonical (host_name.h); empty when an address was dialled
  std::optional<Address> address;  // dialled, or resolved from `host`
  uint16_t port = 0;
  bool http = false;               // one HTTP request on the connection, with its method and path
  std::string method, path;
  std::vector<std::string> binaries;  // the caller's executable and its ancestors'
  // The caller unknown, taken as the most favoured one: every allow with `by` matches it and
  // no deny with `by` does (the sandbox's resolver, which answers a name for any program).
  bool anyProgram = false;
};

struct Decision {
  bool allow = false;
  const Egress::Reserved *reserved = nullptr;  // the range that refused it
  bool enforced = true;  // false: denied, but logged and let through (audit)
  bool logged = false;
  std::vector<const EgressRule *> matched, deciding;
};

class Table {
public:
  explicit Table(const Egress &egress);
  Decision decide(const Request &request) const;
  // Whether some address that `request.host` may resolve to could be let through: when not,
  // the name is refused without a DNS query, so that lookups carry nothing out.
  bool worthResolving(const Request &request) const;
  // Whether the sandbox's resolver answers `name` (canonical): some port at which it is worth
  // resolving (docs/egress.md, "Names and transparent capture"). No lookup is made for it.
  bool answersName(const std::string &name) const;
  // Whether a rule that matches the connection judges its requests by method or path: a
  // tunnel the proxy does not look into would pass those requests unjudged.
  bool decidesRequests(const Request &request) const;
  // Whether the calling program can change the decision: a rule with `by` matches the host
  // and port (a CIDR one, while the address is not known yet, is assumed to).
  bool binariesMatter(const Request &request) const;
  // Whether an allow rule that matches `request`'s connection names its address itself (a CIDR
  // of that one address): what reopens an address of this machine (own_addresses.h), as a CIDR
  // inside a reserved range reopens it. A runtime check: the compiler cannot know the machine.
  bool namesAddressExactly(const Request &request) const;
  const Egress &egress() const { return egress_; }

private:
  struct Rule {
    const EgressRule *source;
    std::vector<Cidr> cidrs;  // its CIDR host patterns, parsed
  };
  bool connectionMatches(const Rule &rule, const Request &r) const;
  bool hostMatches(const Rule &rule, const Request &r) const;
  Decision decideConnection(const Request &r) const;
  Decision decideHttp(const Request &r) const;
  const Egress::Reserved *reservedRefusal(const Request &r, const std::vector<const EgressRule *> &matched) const;

  const Egress &egress_;
  std::vector<Rule> rules_;
  std::vector<std::pair<const Egress::Reserved *, Cidr>> reserved_;
};

}  // namespace shellrt::egress
