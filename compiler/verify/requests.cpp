#include "verify/requests.h"

#include <algorithm>

#include "ir/evaluate.h"
#include "verify/budgets.h"

namespace shellc::verify {
namespace {

using Outcome = Verdict::Outcome;

// One entry per statement, decided when any of its rules decided.
template <class Rule, class Effect>
void addMatched(std::vector<MatchedRule> &out, const std::vector<const Rule *> &matched,
                const std::vector<const Rule *> &deciding, Effect effect) {
  for (const Rule *rule : matched) {
    bool decided = std::find(deciding.begin(), deciding.end(), rule) != deciding.end();
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const MatchedRule &m) { return sameStatement(*m.id, rule->id); });
    if (same != out.end()) same->decided = same->decided || decided;
    else out.push_back({&rule->id, effect(*rule), decided});
  }
}

}  // namespace

Verdict decideFile(const ir::Filesystem &fs, const ir::Request &r) {
  ir::FileDecision d = ir::evaluateFile(fs, r.path, static_cast<ir::Access>(r.access));
  Verdict v;
  v.outcome = d.allow ? Outcome::Allow : Outcome::Deny;
  v.decision = d.allow ? "allow" : "deny";
  addMatched(v.rules, d.matched, d.deciding, [](const ir::FsRule &rule) {
    return std::string(rule.allow ? "allow " : "deny ") + ir::accessText(rule.access);
  });
  if (d.deciding.empty())
    v.reason = r.access == ir::kConnect
                   ? "no rule allows connecting to it: a socket outside the sandbox is reached only where a rule "
                     "names it (the sandbox's own sockets are always its own)"
                   : std::string("no rule covers it: the filesystem default is ") + (fs.defaultAllow ? "allow" : "deny");
  else if (d.deciding.size() < d.matched.size())
    v.reason = "deny overrides allow";
  return v;
}

namespace {

Outcome outcomeOf(const ir::SyscallAction &action) {
  switch (action.kind) {
  case ir::ActionKind::Allow:
  case ir::ActionKind::Log: return Outcome::Allow;
  case ir::ActionKind::Notify: return Outcome::Undecided;
  default: return Outcome::Deny;
  }
}

Verdict syscallVerdict(const ir::Syscalls &sys, ir::Arch arch, int number, const ir::Request &r) {
  ir::SyscallArgs args{};  // arguments left out are 0
  for (size_t i = 0; i < r.args.size() && i < args.size(); ++i) args[i] = r.args[i].value_or(0);
  ir::SyscallDecision d = ir::evaluateSyscall(sys, arch, number, args);
  Verdict v;
  v.arch = arch;
  v.action = d.action;
  v.outcome = outcomeOf(d.action);
  v.decision = actionText(d.action);
  addMatched(v.rules, d.matched, d.deciding,
             [](const ir::SyscallRule &rule) { return actionText(rule.action); });
  if (!d.archTargeted)
    v.reason = std::string("the policy builds no filter for ") + ir::archName(arch) +
               ": every call kills the process";
  else if (d.deciding.empty())
    v.reason = "no rule matches: the syscalls default is " + actionText(sys.defaultAction);
  else if (d.deciding.size() < d.matched.size())
    v.reason = "the strictest action wins";
  return v;
}

ir::NetworkRequest networkRequest(const ir::Request &r) {
  ir::NetworkRequest n;
  if (r.host.kind == ir::HostPattern::Kind::Cidr) n.address = r.host.address;
  else n.host = r.host.name;
  n.port = r.ports.empty() ? 0 : r.ports.front().low;
  // With a method or a path the request is one HTTP request; without, the connection.
  n.protocol = r.method.empty() && r.httpPath.empty() ? ir::Protocol::Tcp : ir::Protocol::Http;
  n.method = r.method;
  n.path = r.httpPath;
  if (!r.binary.empty()) n.binaries = {r.binary};
  return n;
}

Verdict networkVerdict(const ir::Network &net, const ir::Request &r) {
  ir::NetworkDecision d = ir::evaluateNetwork(net, networkRequest(r));
  Verdict v;
  v.outcome = d.allow ? Outcome::Allow : Outcome::Deny;
  v.decision = d.allow ? "allow" : "deny";
  addMatched(v.rules, d.matched, d.deciding, [](const ir::NetworkRule &rule) {
    return std::string(rule.allow ? "allow" : "deny") + (rule.audit ? " audit" : "");
  });
  if (d.reserved && d.reserved->cidr.prefix == 128)
    v.reason = r.host.display() + " is " + d.reserved->what + ": refused unless an allow rule names it";
  else if (d.reserved)
    v.reason = r.host.display() + " is " + d.reserved->what + " (" + d.reserved->cidr.display() +
               "): refused unless an allow rule names a CIDR inside it";
  else if (d.deciding.empty())
    v.reason = std::string("no rule matches: the network default is ") + (net.defaultAllow ? "allow" : "deny");
  else if (d.deciding.size() < d.matched.size())
    v.reason = "deny overrides allow";
  if (!d.enforced)
    v.reason += std::string(v.reason.empty() ? "" : "; ") + "audit: logged and let through at run time";
  return v;
}

std::string routeText(const ir::Route &route) {
  return "route => " + route.provider + (route.rewrite.empty() ? "" : " rewrite \"" + route.rewrite + "\"");
}

Verdict routeVerdict(const ir::Inference &inf, const ir::Request &r) {
  ir::RouteDecision d = ir::evaluateRoute(inf, r.model);
  Verdict v;
  v.outcome = d.route ? Outcome::Allow : Outcome::Deny;
  v.provider = d.route ? d.route->provider : "";
  v.decision = d.route ? routeText(*d.route) : "deny";
  addMatched(v.rules, d.denies, d.denies, [](const ir::ModelDeny &) { return std::string("deny"); });
  addMatched(v.rules, d.matched, d.deciding, routeText);
  if (!d.denies.empty() && !d.matched.empty()) v.reason = "deny overrides routes";
  else if (d.denies.empty() && d.matched.empty()) v.reason = "no route matches the model";
  else if (d.deciding.size() < d.matched.size()) v.reason = "the most specific route wins";
  if (d.route) v.budgets = budgetsCounting(inf, d.route->provider);
  return v;
}

}  // namespace

std::vector<Verdict> decide(const ir::Policy &policy, const ir::Request &request,
                            std::span<const ir::Arch> arches) {
  switch (request.kind) {
  case ir::Request::Kind::File: return {decideFile(policy.filesystem, request)};
  case ir::Request::Kind::Connect: return {networkVerdict(policy.network, request)};
  case ir::Request::Kind::Route: return {routeVerdict(policy.inference, request)};
  case ir::Request::Kind::Syscall: break;
  }
  std::vector<Verdict> verdicts;
  for (ir::Arch arch : arches) {
    auto number = request.syscallNumbers.find(arch);
    if ((request.arch && *request.arch != arch) || number == request.syscallNumbers.end()) continue;
    verdicts.push_back(syscallVerdict(policy.syscalls, arch, number->second, request));
  }
  return verdicts;
}

bool sameStatement(const ir::RuleId &a, const ir::RuleId &b) {
  return a.span.file == b.span.file && a.span.begin == b.span.begin;
}

std::string ruleLabel(const ir::RuleId &id) {
  std::string where = id.file + ":" + std::to_string(id.line);
  return id.name.empty() ? where : "@" + id.name + " (" + where + ")";
}

}  // namespace shellc::verify
