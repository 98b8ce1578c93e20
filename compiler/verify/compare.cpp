// The verifier's comparisons of two policies: a ceiling (`check --within`, "exceeds") and
// two versions (`diff`, "differs"); the queries are named in verify/solver.h.
#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

#include "verify/budgets.h"
#include "verify/placements.h"
#include "verify/prove.h"
#include "verify/solver.h"

namespace shellc::verify {
namespace {

// At most this many classes per layer and direction: enough to show what changed.
constexpr int kMaxClasses = 10;

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


// The starts one version refuses and the other takes (placements.h): a start newly refused
// is an assert the new version would break there; one newly taken, an assumption dropped.
std::vector<DiffClass> diffPlacements(const ir::Policy &before, const ir::Policy &after) {
  std::map<std::string, std::string> was, is;
  for (const Assumption &a : placementAssumptions(before)) was[a.placement.text] = a.why();
  for (const Assumption &a : placementAssumptions(after)) is[a.placement.text] = a.why();
  std::vector<DiffClass> out;
  for (const auto &[where, why] : is)
    if (!was.count(where)) out.push_back({DiffClass::Kind::Denied, "placements", "a start " + where, "taken", "refused", {}, {why}, ""});
  for (const auto &[where, why] : was)
    if (!is.count(where)) out.push_back({DiffClass::Kind::Allowed, "placements", "a start " + where, "refused", "taken", {why}, {}, ""});
  return out;
}

}  // namespace

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
  for (const PlacedExcess &e : placedExcesses(policy, ceiling)) {
    Span where = e.deciding.empty() ? Span{} : e.deciding.front().span;
    Diagnostic &d = diags.error("exceeds-ceiling", where,
                                "filesystem, " + e.where + ": " + e.request + " is " + e.decision + " here, but the ceiling decides " +
                                    e.ceilingDecision + (e.ceilingDeciding.empty() ? " (no rule decides it: the default does)" : ""));
    for (const ir::RuleId &id : e.ceilingDeciding) d.withNote(id.span, "the ceiling's " + ruleLabel(id) + ": " + e.ceilingDecision);
  }
  proveBudgetsWithin(policy, ceiling, diags);
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
  std::vector<DiffClass> budgets = diffBudgets(before, after);
  out.insert(out.end(), budgets.begin(), budgets.end());
  std::vector<DiffClass> starts = diffPlacements(before, after);
  out.insert(out.end(), starts.begin(), starts.end());
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
