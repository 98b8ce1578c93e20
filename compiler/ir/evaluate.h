// The one decision function of each layer (docs/language.md, sections 6 to 11). The
// verifier's encoding, `shellc explain`, test blocks and the runtime's tables all decide
// with these, so that they cannot disagree. Each returns the decision and the rules that
// matched; `deciding` lists those that made the decision (empty: the default, or a rule
// of the language itself, did).
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/policy.h"

namespace shellc::ir {

// The rule of the filesystem and network layers: a matching deny wins, else a matching
// allow, else the layer's default. `deciding` gets the matched rules of the winning side.
template <class Rule>
bool denyOverridesAllow(const std::vector<const Rule *> &matched, bool defaultAllow,
                        std::vector<const Rule *> &deciding) {
  bool denied = false, allowed = false;
  for (const Rule *rule : matched) (rule->allow ? allowed : denied) = true;
  bool allow = denied ? false : allowed ? true : defaultAllow;
  if (denied || allowed)
    for (const Rule *rule : matched)
      if (rule->allow == allow) deciding.push_back(rule);
  return allow;
}

// ---------------------------------------------------------------- filesystem
// Home and the workspace are known only at start-up, so a request names a symbolic root as
// the rules do, and the three roots are disjoint namespaces: `~/x` is covered by rules on
// home paths only, a workspace path by workspace rules only. That is exact for every
// machine where neither start-up root lies inside the other or inside a path that an
// absolute rule names. The one exception is a rule on "/" itself: whatever the roots resolve
// to lies beneath it, so it covers every path.
struct FileDecision {
  bool allow = false;
  std::vector<const FsRule *> matched;  // every rule that covers the request with its right
  std::vector<const FsRule *> deciding;
};

// Whether a rule on `rule` covers `path`: the path itself and everything beneath it.
bool covers(const Path &rule, const Path &path);
// `right` is one Access bit.
FileDecision evaluateFile(const Filesystem &fs, const Path &path, Access right);

// ---------------------------------------------------------------- syscalls
using SyscallArgs = std::array<uint64_t, 6>;

struct SyscallDecision {
  SyscallAction action;
  bool archTargeted = true;  // false: no filter is built for the arch, and its calls kill
  std::vector<const SyscallRule *> matched;  // rules for this call on this arch whose conditions hold
  std::vector<const SyscallRule *> deciding;  // the matched rules whose action won
};

// kill > kill_thread > trap > errno > notify > log > allow; of two errnos, the smaller number.
bool stricter(const SyscallAction &a, const SyscallAction &b);
bool conditionHolds(const ArgCondition &condition, const SyscallArgs &args);
SyscallDecision evaluateSyscall(const Syscalls &sys, Arch arch, int number, const SyscallArgs &args);

// ---------------------------------------------------------------- network
using Address = std::array<uint8_t, 16>;  // IPv6 form; IPv4 as ::ffff:a.b.c.d

// One connection through the egress proxy, or one HTTP request on it.
struct NetworkRequest {
  std::string host;  // the requested name, canonical (lowercase, punycode, no trailing dot);
                     // empty when an address was dialed
  std::optional<Address> address;  // the address dialed: written, or resolved from `host`
  uint16_t port = 0;
  // Http: one HTTP request on the connection, with its method and path. A missing method or
  // path (empty) is one that no `methods` or `paths` clause names.
  Protocol protocol = Protocol::Tcp;
  std::string method, path;
  // The executable of the process and those of its ancestors; empty: a program that no
  // `by` clause names.
  std::vector<std::string> binaries;
};

// Addresses refused whatever the rules and the default say (section 10), unless an allow
// rule that matches names a CIDR inside the range.
struct ReservedRange {
  HostPattern cidr;
  const char *what;       // "loopback", "link-local"...
  bool onlyWhenResolved;  // private ranges: refused only when reached by resolving a name
};
const std::vector<ReservedRange> &reservedRanges();

struct NetworkDecision {
  bool allow = false;
  const ReservedRange *reserved = nullptr;  // set when a reserved range refused it
  bool logged = false;    // a matched rule has `audit`, or the deny is let through
  bool enforced = true;   // false: denied, but logged and let through (`enforcement audit`,
                          // or `audit` on every deny rule that decided)
  std::vector<const NetworkRule *> matched;
  std::vector<const NetworkRule *> deciding;
};

bool cidrContains(const HostPattern &cidr, const Address &address);
bool cidrInside(const HostPattern &inner, const HostPattern &outer);
bool hostMatches(const HostPattern &pattern, std::string_view host, const std::optional<Address> &address);
NetworkDecision evaluateNetwork(const Network &net, const NetworkRequest &request);

// ---------------------------------------------------------------- inference
struct RouteDecision {
  const Route *route = nullptr;  // nullptr: refused
  std::vector<const ModelDeny *> denies;  // the denies whose glob matches: any one refuses
  std::vector<const Route *> matched;     // every route whose glob matches
  std::vector<const Route *> deciding;    // the most specific of them (one target)
};

RouteDecision evaluateRoute(const Inference &inf, std::string_view model);

// What a session has spent through the router, per provider.
struct Spent {
  uint64_t tokens = 0, requests = 0;
};
using Spending = std::map<std::string, Spent>;
uint64_t spentOn(const Spending &spending, const Budget &budget);

// The budget that refuses one more call to `provider` after `spending`, or nullptr: a cap
// is checked before each call, so the call that crosses a token cap still finishes. The
// provider's own budgets come before the session's, tokens before requests, so that a
// refusal names the narrowest cap that is spent.
const Budget *exhaustedBudget(const Inference &inf, const std::string &provider, const Spending &spending);

// The most of `measure` a session can spend on `provider` (empty: on all together), as the
// caps bound it: nullopt when nothing does. A provider that no route names gets nothing.
std::optional<uint64_t> spendCeiling(const Inference &inf, Budget::Measure measure, const std::string &provider);

// Where a provider's endpoint URL (checked when written) connects.
struct Endpoint {
  bool plain = false;  // http://: the key would travel in clear
  std::string host;    // a name or an address, without brackets
  uint16_t port = 0;
};
Endpoint parseEndpoint(const std::string &url);
bool isLoopbackHost(const std::string &host);

}  // namespace shellc::ir
