// What the verifier finds in one policy: asserts that do not hold, dead, redundant and
// ambiguous rules, and problems across layers (the queries are named in verify/solver.h).
#include <algorithm>
#include <memory>

#include "frontend/syscall_names.h"
#include "verify/budgets.h"
#include "verify/enforcement.h"
#include "verify/placements.h"
#include "verify/prove.h"
#include "verify/solver.h"

namespace shellc::verify {
namespace {

void proveAssert(const ir::Assert &a, const ir::Policy &policy, const Layer &layer, Queries &queries,
                 DiagnosticEngine &diags) {
  const ir::Request &r = a.request;
  z3::expr bad = a.never ? layer.permits(policy, &r) : layer.refuses(policy, &r);
  std::optional<z3::model> model = queries.find("assert", {layer.pattern(r), bad});
  if (!model) return;
  std::string witness = layer.text(*model);
  smt::Recheck check = layer.recheck(*model, policy, &r);
  if (!confirmed(a.never ? check.permits : check.refuses, layer, witness, a.id.span, diags)) return;
  Diagnostic &d = diags.error("assert-failed", a.id.span,
                              std::string("assert ") + (a.never ? "never" : "always") + " does not hold: " + witness +
                                  " is decided " + decidedBy(check));
  noteDeciding(d, check, "decided by");
}

// Allows that the denies cover entirely, then rules whose removal changes no decision.
// Only the statements whose footprints meet a rule's can decide a request it matches, so
// most questions involve a few rules and are asked alone; the whole layer is consulted
// only where another rule meets it.
void reportUselessRules(const ir::Policy &policy, const Layer &layer, Queries &queries, DiagnosticEngine &diags,
                        const std::string &libraryDir) {
  std::vector<smt::Statement> statements = layer.statements(policy);
  if (statements.empty()) return;
  auto fromLibrary = [&](const smt::Statement &s) {
    return !libraryDir.empty() && s.id->file.compare(0, libraryDir.size() + 1, libraryDir + "/") == 0;
  };
  auto meeting = [&](size_t i, const auto &keep) {
    std::vector<z3::expr> out;
    for (size_t j = 0; j < statements.size(); ++j)
      if (j != i && keep(statements[j]) && statements[i].footprint.meets(statements[j].footprint))
        out.push_back(statements[j].matches);
    return out;
  };
  z3::context &ctx = statements.front().matches.ctx();
  std::optional<z3::expr> permits;
  std::vector<bool> dead(statements.size(), false);
  for (size_t i = 0; i < statements.size(); ++i) {
    const smt::Statement &s = statements[i];
    // A call this architecture lacks is no dead rule: the checker knows calls per arch.
    if (!s.grants || fromLibrary(s) || s.footprint.isEmpty()) continue;
    if (layer.refusableBeyondStatements(s) || !meeting(i, [](const smt::Statement &o) { return !o.grants; }).empty()) {
      if (!permits) permits = queries.name(layer.permits(policy));
      if (queries.possible("dead-rule", {queries.name(s.matches), *permits})) continue;
    } else if (queries.findAlone("dead-rule: alone", s.matches)) {
      continue;
    }
    dead[i] = true;
    std::optional<z3::model> example = queries.findAlone("dead-rule witness", s.matches);
    std::string message = "rule " + ruleLabel(*s.id) + " never takes effect in " + layer.name() +
                          ": every request it allows is refused";
    if (!example) {
      diags.warning("dead-rule", s.id->span, message + " (it matches no request)");
      continue;
    }
    smt::Recheck check = layer.recheck(*example, policy);
    std::string witness = layer.text(*example);
    if (!confirmed(check.refuses, layer, witness, s.id->span, diags)) continue;
    Diagnostic &d = diags.warning("dead-rule", s.id->span, message + ", e.g. " + witness + " is " + decidedBy(check));
    noteDeciding(d, check, "covered by");
  }
  // Redundant: removing it changes no decision, and the other rules of its file match
  // every request it matches. A rule that only restates the default, or that a rule of
  // another file (a module's user) overrides, is left alone: its author cannot drop it.
  z3::expr skip = ctx.bv_const("skip", 32);  // a bit-vector: see smt::choiceVar
  std::optional<z3::expr> changed;
  for (size_t i = 0; i < statements.size(); ++i) {
    const smt::Statement &s = statements[i];
    if (dead[i] || fromLibrary(s) || s.matches.simplify().is_false()) continue;
    // The cheap half first: most rules match something no other rule of their file does,
    // and then the question over the whole decision is not asked.
    std::vector<z3::expr> sameFile = meeting(i, [&](const smt::Statement &o) { return o.id->file == s.id->file; });
    if (queries.findAlone("redundant-rule: covered", s.matches && !smt::anyOf(ctx, sameFile))) continue;
    if (!changed) changed = queries.name(layer.decision(policy, ctx.int_val(-1)) != layer.decision(policy, skip));
    if (queries.possible("redundant-rule: decision", {queries.name(skip == static_cast<int>(i)), *changed})) continue;
    diags.warning("redundant-rule", s.id->span,
                  "rule " + ruleLabel(*s.id) + " is redundant in " + layer.name() +
                      ": removing it changes no decision, and other rules of its file match all it matches");
  }
}

// Two syscall rules with different errnos whose argument regions overlap.
void reportAmbiguousActions(const ir::Policy &policy, const Layer &layer, Queries &queries, DiagnosticEngine &diags) {
  const std::vector<ir::SyscallRule> &rules = policy.syscalls.rules;
  std::vector<int> statement = smt::statementOf(rules);
  std::vector<smt::Statement> statements = layer.statements(policy);
  // The language calls two errnos ambiguous (the smaller wins); a stricter kind is an
  // intended escalation.
  auto refusing = [](const ir::SyscallAction &a) { return a.kind == ir::ActionKind::Errno; };
  // A statement's rules are adjacent and share one action: pairs start past its last rule,
  // so that one large statement costs no square.
  for (size_t i = 0, next = 0; i < rules.size(); ++i) {
    while (next < rules.size() && statement[next] == statement[i]) ++next;
    for (size_t j = next; j < rules.size(); ++j) {
      const ir::SyscallRule &a = rules[i], &b = rules[j];
      if (a.name != b.name || a.action == b.action || !refusing(a.action) || !refusing(b.action)) continue;
      std::optional<z3::model> both =
          queries.find("ambiguous-action", {statements[statement[i]].matches, statements[statement[j]].matches});
      if (!both) continue;
      std::string witness = layer.text(*both);
      smt::Recheck check = layer.recheck(*both, policy);
      diags.warning("ambiguous-action", b.id.span,
                    "rules " + ruleLabel(a.id) + " (" + actionText(a.action) + ") and " + ruleLabel(b.id) + " (" +
                        actionText(b.action) + ") both match " + witness + "; the strictest, " + check.decision + ", wins")
          .withNote(a.id.span, "the other rule: " + actionText(a.action));
    }
  }
}

// ---------------------------------------------------------------- across layers
ir::Request syscallPattern(const char *name, std::optional<uint64_t> arg0) {
  ir::Request r;
  r.kind = ir::Request::Kind::Syscall;
  r.syscall = name;
  SyscallInfo info = *lookupSyscall(name);
  r.syscallNumbers = info.numbers;
  for (size_t i = 0; i < r.argMasks.size(); ++i) r.argMasks[i] = widthMask(info.argWidths[i]);
  if (arg0) r.args = {arg0};
  return r;
}

// Network rules cannot take effect when the syscalls layer refuses every connect, or every
// IPv4 and IPv6 socket.
void reportNetworkWithoutSockets(const ir::Policy &policy, const Layer &layer, Queries &queries,
                                 DiagnosticEngine &diags) {
  const ir::NetworkRule *firstAllow = nullptr;
  for (const ir::NetworkRule &rule : policy.network.rules)
    if (rule.allow && !firstAllow) firstAllow = &rule;
  // A policy (or module) without syscall rules leaves that layer to the policies using it.
  bool configured = !policy.syscalls.rules.empty() || !(policy.syscalls.defaultAction == ir::SyscallAction{});
  if (!firstAllow || !configured) return;
  std::vector<std::vector<ir::Request>> blockers = {{syscallPattern("connect", std::nullopt)},
                                                    {syscallPattern("socket", 2), syscallPattern("socket", 10)}};
  for (const std::vector<ir::Request> &needed : blockers) {
    bool allRefused = true;
    for (const ir::Request &r : needed)
      allRefused = allRefused && layer.describes(r) &&
                   !queries.possible("network-unusable", {layer.pattern(r), layer.permits(policy)});
    if (!allRefused) continue;
    std::optional<z3::model> example = queries.find("network-unusable witness", {layer.pattern(needed.front())});
    if (!example) continue;
    smt::Recheck check = layer.recheck(*example, policy);
    std::string witness = layer.text(*example);
    if (!confirmed(check.refuses, layer, witness, firstAllow->id.span, diags)) continue;
    Diagnostic &d = diags.warning("network-unusable", firstAllow->id.span,
                                  "network rules cannot take effect: " + layer.name() + " refuses every " +
                                      (needed.size() == 1 ? "connect" : "IPv4 and IPv6 socket") + ", e.g. " + witness +
                                      " is " + decidedBy(check));
    noteDeciding(d, check, "refused by");
    return;
  }
}

// OpenShell's first question: can anything reach link-local addresses, where the cloud's
// metadata service hands out the machine's credentials? Refused unless a rule reopens them.
void reportLinkLocalReach(const ir::Policy &policy, const Layer &layer, Queries &queries, DiagnosticEngine &diags) {
  for (const ir::ReservedRange &range : ir::reservedRanges()) {
    if (std::string_view(range.what) != "link-local") continue;
    ir::Request reach;
    reach.kind = ir::Request::Kind::Connect;
    reach.host = range.cidr;
    std::optional<z3::model> model = queries.find("link-local-reachable", {layer.pattern(reach), layer.permits(policy)});
    if (!model) continue;
    smt::Recheck check = layer.recheck(*model, policy);
    std::string witness = layer.text(*model);
    Span where = check.deciding.empty() ? Span{} : check.deciding.front()->span;
    if (!confirmed(check.permits, layer, witness, where, diags)) continue;
    Diagnostic &d = diags.warning("link-local-reachable", where,
                                  "the sandbox can reach link-local addresses, where cloud metadata services "
                                  "hand out the machine's credentials: " + witness + " is " + decidedBy(check));
    for (size_t i = 1; i < check.deciding.size(); ++i)
      d.withNote(check.deciding[i]->span, "allowed by " + ruleLabel(*check.deciding[i]));
    d.withHint("if a link-local service is needed, allow exactly its address and port, and never the metadata "
               "service's (169.254.169.254, \"fd00:ec2::254\")");
  }
}

// A `by` binary the filesystem layer does not let execute (literal paths only: a glob's
// programs are not known).
void reportUnexecutableBinaries(const ir::Policy &policy, DiagnosticEngine &diags) {
  if (policy.filesystem.rules.empty()) return;  // left to the policies using this module
  for (const ir::NetworkRule &rule : policy.network.rules) {
    if (!rule.allow) continue;
    for (const std::string &binary : rule.binaries) {
      if (binary.find('*') != std::string::npos || binary.size() < 2) continue;
      ir::FileDecision d = ir::evaluateFile(policy.filesystem, {ir::PathRoot::Absolute, binary.substr(1)}, ir::kExec);
      if (d.allow) continue;
      Diagnostic &diag = diags.warning("unexecutable-binary", rule.id.span,
                                       "rule " + ruleLabel(rule.id) + " allows connections by \"" + binary +
                                           "\", which the filesystem layer does not let execute: exec \"" + binary +
                                           "\" is denied");
      for (const ir::FsRule *fs : d.deciding) diag.withNote(fs->id.span, "denied by " + ruleLabel(fs->id));
    }
  }
}

// A `by` binary the sandbox may write (or, for a glob, a path its glob's directory holds that
// the sandbox may write): a program put there passes for the binary, and the rule's proof
// reads `by` as the program the policy's author meant.
void reportWritableBinaries(const ir::Policy &policy, DiagnosticEngine &diags) {
  if (policy.filesystem.rules.empty()) return;  // left to the policies using this module
  for (const ir::NetworkRule &rule : policy.network.rules) {
    if (!rule.allow) continue;
    for (const std::string &binary : rule.binaries) {
      if (binary.size() < 2) continue;
      std::string literal = binary.substr(0, binary.find('*'));
      literal = binary.find('*') == std::string::npos ? literal : literal.substr(0, literal.rfind('/'));
      ir::Path dir{ir::PathRoot::Absolute, literal.size() > 1 ? literal.substr(1) : ""};
      std::optional<ir::Path> writable = counterexampleBeneath(policy.filesystem, dir, ir::kWrite, true);
      if (!writable) continue;
      ir::FileDecision d = ir::evaluateFile(policy.filesystem, *writable, ir::kWrite);
      Diagnostic &diag = diags.warning("writable-binary", rule.id.span,
                                       "rule " + ruleLabel(rule.id) + " allows connections by \"" + binary +
                                           "\", which the sandbox may replace: write \"" + writable->display() +
                                           "\" is allowed, and a program written there passes for it");
      for (const ir::FsRule *fs : d.deciding) diag.withNote(fs->id.span, "allowed by " + ruleLabel(fs->id));
      diag.withHint("name a binary outside what the sandbox writes, or deny writing it (deny write \"" + writable->display() + "\")");
    }
  }
}

// A provider key sent in clear to another machine, and a route to a provider whose host the
// network layer refuses.
void reportProviderProblems(const ir::Policy &policy, DiagnosticEngine &diags) {
  for (const ir::Provider &p : policy.inference.providers) {
    ir::Endpoint e = ir::parseEndpoint(p.endpoint);
    if (ir::isLoopbackHost(e.host)) continue;
    if (e.plain && p.keySource != ir::Provider::KeySource::None)
      diags.warning("plaintext-key", p.id.span,
                    "provider '" + p.name + "' receives its key over plain http:// at " + e.host +
                        ", which is not loopback")
          .withHint("use https://");
    const ir::Route *route = nullptr;
    for (const ir::Route &r : policy.inference.routes)
      if (r.provider == p.name && !route) route = &r;
    if (!route) continue;
    ir::NetworkRequest request;
    request.host = e.host;
    request.port = e.port;
    // The router runs on the host, so a network default deny is expected; a deny rule on
    // the provider's host contradicts the route.
    ir::NetworkDecision d = ir::evaluateNetwork(policy.network, request);
    if (d.allow || d.deciding.empty()) continue;
    Diagnostic &diag = diags.warning("unreachable-provider", route->id.span,
                                     "route " + ruleLabel(route->id) + " leads to provider '" + p.name +
                                         "', but a network rule denies connect \"" + e.host +
                                         "\":" + std::to_string(e.port));
    for (const ir::NetworkRule *rule : d.deciding) diag.withNote(rule->id.span, "denied by " + ruleLabel(rule->id));
  }
}

// OpenShell's second question: a program that reaches a host where a credential is in scope
// without inspection. Here the credentials are the providers' keys, which the router adds on
// the host side: a sandbox that can connect to a provider's host itself bypasses the router
// (its routes and model denies), and without an `http` rule no request on the connection is
// seen. Decided for a program no `by` names and for each program the allow rules name.
void reportProviderBypass(const ir::Policy &policy, DiagnosticEngine &diags) {
  std::vector<std::vector<std::string>> programs = {{}};
  for (const ir::NetworkRule &rule : policy.network.rules)
    for (const std::string &glob : rule.binaries) {
      std::string program;
      for (char c : glob) program += c == '*' ? std::string("x") : std::string(1, c);
      programs.push_back({program});
    }
  for (const ir::Provider &p : policy.inference.providers) {
    ir::Endpoint e = ir::parseEndpoint(p.endpoint);
    if (ir::isLoopbackHost(e.host) || p.keySource == ir::Provider::KeySource::None) continue;
    for (const std::vector<std::string> &binaries : programs) {
      ir::NetworkRequest request;
      request.host = e.host;
      request.port = e.port;
      request.binaries = binaries;
      ir::NetworkDecision d = ir::evaluateNetwork(policy.network, request);
      if (!d.allow || d.deciding.empty()) continue;
      bool inspected = std::any_of(d.matched.begin(), d.matched.end(),
                                   [](const ir::NetworkRule *r) { return r->protocol == ir::Protocol::Http; });
      std::string by = binaries.empty() ? "any program" : "\"" + binaries.front() + "\"";
      Diagnostic &diag = diags.warning(
          "provider-bypass", d.deciding.front()->id.span,
          "the sandbox can connect to \"" + e.host + "\":" + std::to_string(e.port) + " by " + by +
              (inspected ? "" : ", uninspected (no http rule matches it)") + ": provider '" + p.name +
              "' is reached there with its key, and what the sandbox sends there bypasses the inference router");
      for (size_t i = 1; i < d.deciding.size(); ++i)
        diag.withNote(d.deciding[i]->id.span, "allowed by " + ruleLabel(d.deciding[i]->id));
      diag.withNote(p.id.span, "the provider whose key the router holds");
      diag.withHint("let the router reach the provider: drop the sandbox's rule for its host");
      break;
    }
  }
}


}  // namespace

void provePolicy(const ir::Policy &policy, DiagnosticEngine &diags, const std::string &libraryDir, ProofStats *stats) {
  z3::context &ctx = smt::processContext();
  std::vector<std::unique_ptr<Layer>> layers = smt::encodeLayers(ctx, {&policy});
  for (const std::unique_ptr<Layer> &layer : layers) {
    Solver solver(ctx, *layer, stats);
    Queries queries(solver, *layer);
    for (const ir::Assert &a : policy.asserts)
      if (layer->describes(a.request)) proveAssert(a, policy, *layer, queries, diags);
    reportUselessRules(policy, *layer, queries, diags, libraryDir);
    if (layer->name().rfind("syscalls", 0) == 0) {
      reportAmbiguousActions(policy, *layer, queries, diags);
      reportNetworkWithoutSockets(policy, *layer, queries, diags);
    }
    if (layer->name() == "network") reportLinkLocalReach(policy, *layer, queries, diags);
  }
  reportUnexecutableBinaries(policy, diags);
  reportWritableBinaries(policy, diags);
  reportProviderProblems(policy, diags);
  reportProviderBypass(policy, diags);
  reportBudgetProblems(policy, diags);
  reportUnenforceable(policy, diags);
}

}  // namespace shellc::verify
