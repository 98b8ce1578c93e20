#include "verify/prove.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include "frontend/syscall_names.h"
#include "verify/enforcement.h"
#include "verify/requests.h"
#include "verify/smt.h"

namespace shellc::verify {
namespace {

using smt::Layer;

// At most this many classes per layer and direction: enough to show what changed.
constexpr int kMaxClasses = 10;

// One solver takes the queries over a whole layer (one for all layers is slower: each check
// then carries the others' terms). A term that several queries share is named by a literal
// defined once, so that Z3 takes it in once, and a query is a check under assumptions. A
// check still costs in proportion to all that the solver holds, so a question that involves
// only a few rules goes to a second solver that holds nothing else (checkAlone).
class Solver {
public:
  Solver(z3::context &ctx, const Layer &layer, ProofStats *stats)
      : layer_(layer.name()), solver_(ctx, z3::solver::simple()), alone_(ctx, z3::solver::simple()), stats_(stats) {}

  z3::expr fresh() { return {solver_.ctx(), Z3_mk_fresh_const(solver_.ctx(), "q", solver_.ctx().bool_sort())}; }
  // Z3 shares equal terms, so a term asked about again (the permits of every assert) keeps
  // its literal. A literal implies its term and no more, so that a check need not satisfy
  // the terms it does not assume: assume literals, never their negations (name `!term`).
  z3::expr name(const z3::expr &term) {
    auto known = names_.find(term.id());
    if (known != names_.end()) return known->second.second;
    z3::expr literal = fresh();
    auto begin = std::chrono::steady_clock::now();
    solver_.add(z3::implies(literal, term));
    record("taking in terms", since(begin));
    names_.emplace(term.id(), std::pair{term, literal});
    return literal;
  }
  void add(const z3::expr &fact) { solver_.add(fact); }

  std::optional<z3::model> check(const char *kind, const std::vector<z3::expr> &assumptions, bool wantModel) {
    z3::expr_vector literals(solver_.ctx());
    for (const z3::expr &a : assumptions) literals.push_back(isLiteral(a) ? a : name(a));
    if (wantModel != modelOn_) {
      z3::params p(solver_.ctx());
      p.set("model", wantModel);
      solver_.set(p);
      modelOn_ = wantModel;
    }
    auto begin = std::chrono::steady_clock::now();
    z3::check_result result = solver_.check(literals);
    record(kind, since(begin));
    if (result != z3::sat) return std::nullopt;
    return wantModel ? solver_.get_model() : z3::model(solver_.ctx());
  }

  std::optional<z3::model> checkAlone(const char *kind, const z3::expr &goal) {
    auto begin = std::chrono::steady_clock::now();
    alone_.push();
    alone_.add(goal);
    z3::check_result result = alone_.check();
    std::optional<z3::model> model;
    if (result == z3::sat) model = alone_.get_model();
    alone_.pop();
    record(kind, since(begin));
    return model;
  }

private:
  static bool isLiteral(const z3::expr &e) {
    return e.is_app() && e.decl().decl_kind() == Z3_OP_UNINTERPRETED && e.num_args() == 0 && e.is_bool();
  }

  static double since(std::chrono::steady_clock::time_point begin) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  }

  void record(const char *kind, double seconds) {
    if (!stats_) return;
    auto row = std::find_if(stats_->begin(), stats_->end(),
                            [&](const QueryCost &c) { return c.layer == layer_ && c.kind == kind; });
    if (row == stats_->end()) row = stats_->insert(stats_->end(), {layer_, kind});
    row->queries++;
    row->seconds += seconds;
    row->slowest = std::max(row->slowest, seconds);
  }

  std::string layer_;
  z3::solver solver_, alone_;
  ProofStats *stats_;
  bool modelOn_ = true;
  std::map<unsigned, std::pair<z3::expr, z3::expr>> names_;  // term id: the term (kept alive), its literal
};

// The queries on one layer: every one lies in the layer's request space, minus the terms
// excluded in this scope.
class Queries {
public:
  Queries(Solver &solver, const Layer &layer)
      : solver_(solver), layer_(layer), domain_(solver.name(layer.domain())), scope_(solver.fresh()) {}

  z3::expr name(const z3::expr &term) { return solver_.name(term); }

  // A request where every term of `goal` holds.
  std::optional<z3::model> find(const char *kind, std::vector<z3::expr> goal, bool wantModel = true) {
    goal.push_back(domain_);
    goal.push_back(scope_);
    return solver_.check(kind, goal, wantModel);
  }
  bool possible(const char *kind, std::vector<z3::expr> goal) { return find(kind, std::move(goal), false).has_value(); }
  // The same for a goal over a few rules, as a term; excluded terms are not left out.
  std::optional<z3::model> findAlone(const char *kind, const z3::expr &goal) {
    return solver_.checkAlone(kind, layer_.domain() && goal);
  }
  // Leaves the requests of `term` out of this scope's later queries.
  void exclude(const z3::expr &term) { solver_.add(z3::implies(scope_, !term)); }

private:
  Solver &solver_;
  const Layer &layer_;
  z3::expr domain_, scope_;
};

std::string decidedBy(const smt::Recheck &r) {
  return r.deciding.empty() ? r.decision + " (no rule decides it: the default does)" : r.decision;
}

void noteDeciding(Diagnostic &d, const smt::Recheck &r, const std::string &what) {
  for (const ir::RuleId *id : r.deciding) d.withNote(id->span, what + " " + ruleLabel(*id) + ": " + r.decision);
}

// A witness that evaluate does not agree with is the verifier's bug: say so, print nothing.
bool confirmed(bool agrees, const Layer &layer, const std::string &witness, Span where, DiagnosticEngine &diags) {
  if (!agrees)
    diags.error("verifier-internal", where,
                "the " + layer.name() + " encoding and ir::evaluate disagree on " + witness + "; please report this");
  return agrees;
}

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
  r.syscallNumbers = lookupSyscall(name)->numbers;
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

// A class of requests from one model, as the constraint that fixes which statements match.
z3::expr sameMatches(const z3::model &model, const std::vector<smt::Statement> &statements, z3::context &ctx) {
  z3::expr_vector same(ctx);
  for (const smt::Statement &s : statements) same.push_back(s.matches == model.eval(s.matches, true));
  return same.empty() ? ctx.bool_val(true) : z3::mk_and(same);
}

std::vector<std::string> labels(const std::vector<const ir::RuleId *> &ids) {
  std::vector<std::string> out;
  for (const ir::RuleId *id : ids) out.push_back(ruleLabel(*id));
  return out;
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
  reportProviderProblems(policy, diags);
  reportProviderBypass(policy, diags);
  reportUnenforceable(policy, diags);
}

void proveWithin(const ir::Policy &policy, const ir::Policy &ceiling, DiagnosticEngine &diags, ProofStats *stats) {
  z3::context &ctx = smt::processContext();
  for (const std::unique_ptr<Layer> &layer : smt::encodeLayers(ctx, {&policy, &ceiling})) {
    Solver solver(ctx, *layer, stats);
    Queries queries(solver, *layer);
    std::vector<smt::Statement> statements = layer->statements(policy);
    z3::expr beyond = queries.name(layer->permits(policy) && layer->refuses(ceiling));
    for (int n = 0; n < kMaxClasses; ++n) {
      std::optional<z3::model> model = queries.find("within", {beyond});
      if (!model) break;
      queries.exclude(sameMatches(*model, statements, ctx));
      smt::Recheck mine = layer->recheck(*model, policy), theirs = layer->recheck(*model, ceiling);
      std::string witness = layer->text(*model);
      Span where = mine.deciding.empty() ? Span{} : mine.deciding.front()->span;
      if (!confirmed(mine.permits && theirs.refuses, *layer, witness, where, diags)) break;
      Diagnostic &d = diags.error("exceeds-ceiling", where,
                                  layer->name() + ": " + witness + " is " + decidedBy(mine) +
                                      " here, but the ceiling decides " + decidedBy(theirs));
      noteDeciding(d, theirs, "the ceiling's");
    }
  }
}

std::vector<DiffClass> diffPolicies(const ir::Policy &before, const ir::Policy &after, ProofStats *stats) {
  z3::context &ctx = smt::processContext();
  std::vector<DiffClass> out;
  for (const std::unique_ptr<Layer> &layer : smt::encodeLayers(ctx, {&before, &after})) {
    Solver solver(ctx, *layer, stats);
    std::vector<smt::Statement> statements = layer->statements(before), more = layer->statements(after);
    statements.insert(statements.end(), more.begin(), more.end());
    z3::expr none = ctx.int_val(-1);
    z3::expr wasAllowed = layer->permits(before), isAllowed = layer->permits(after);
    std::pair<DiffClass::Kind, z3::expr> directions[] = {
        {DiffClass::Kind::Allowed, !wasAllowed && isAllowed},
        {DiffClass::Kind::Denied, wasAllowed && !isAllowed},
        {DiffClass::Kind::Changed,
         wasAllowed == isAllowed && layer->decision(before, none) != layer->decision(after, none)}};
    // Up to kMaxClasses classes of `goal`'s requests, each its own set of matching rules.
    auto classes = [&](DiffClass::Kind kind, const char *query, const std::vector<z3::expr> &goal,
                       const std::string &provider) {
      Queries queries(solver, *layer);  // each question excludes its own classes
      for (int n = 0; n < kMaxClasses; ++n) {
        std::optional<z3::model> model = queries.find(query, goal);
        if (!model) break;
        queries.exclude(sameMatches(*model, statements, ctx));
        smt::Recheck was = layer->recheck(*model, before), is = layer->recheck(*model, after);
        DiffClass c{kind, layer->name(), layer->text(*model), decidedBy(was), decidedBy(is), labels(was.deciding),
                    labels(is.deciding), provider};
        bool agrees = kind == DiffClass::Kind::Allowed  ? !was.permits && is.permits
                      : kind == DiffClass::Kind::Denied ? was.permits && !is.permits
                                                        : was.decision != is.decision;
        if (!agrees) throw std::logic_error("the " + layer->name() + " encoding and ir::evaluate disagree on " + c.witness);
        auto same = std::find_if(out.begin(), out.end(), [&](const DiffClass &o) {
          return o.kind == c.kind && o.layer == c.layer && o.witness == c.witness;
        });
        if (same == out.end()) out.push_back(std::move(c));
        else same->provider = provider;
      }
    };
    for (auto &[kind, goal] : directions) classes(kind, diffKindText(kind), {goal}, "");
    if (layer->name() != "network") continue;
    // OpenShell's last two questions: a program newly reaching a host where a credential is
    // in scope, or a new method there. Here: what NEW newly allows on a host the router
    // sends a provider's key to, asked apart so that no other host stands for it.
    for (const ir::Provider &p : after.inference.providers) {
      ir::Endpoint e = ir::parseEndpoint(p.endpoint);
      std::optional<ir::HostPattern> host = smt::providerHost(p);
      if (!host || p.keySource == ir::Provider::KeySource::None || ir::isLoopbackHost(e.host)) continue;
      ir::Request reach;
      reach.kind = ir::Request::Kind::Connect;
      reach.host = *host;
      reach.ports = {{e.port, e.port}};
      classes(DiffClass::Kind::Allowed, "newly allowed: provider host", {layer->pattern(reach), directions[0].second},
              p.name);
    }
  }
  return out;
}

const char *diffKindText(DiffClass::Kind kind) {
  switch (kind) {
  case DiffClass::Kind::Allowed: return "newly allowed";
  case DiffClass::Kind::Denied: return "newly denied";
  case DiffClass::Kind::Changed: return "changed";
  }
  return "";
}

}  // namespace shellc::verify
