// The verifier's analyses of inference budgets (docs/language.md §11, Budgets). A budget is a
// quantity, not a decision over requests, so no solver is needed: ir::spendCeiling bounds
// what a session can spend on each provider and on all together, and the analyses compare
// those bounds: within one policy (caps that cannot bind, caps that close routes), against a
// ceiling (`check --within`) and between two versions (`diff`).
#include <algorithm>

#include "ir/evaluate.h"
#include "verify/budgets.h"
#include "verify/requests.h"

namespace shellc::verify {
namespace {

using Measure = ir::Budget::Measure;
constexpr Measure kMeasures[] = {Measure::Tokens, Measure::Requests};

std::string scopeText(const std::string &provider) {
  return provider.empty() ? "the session (all providers)" : "provider '" + provider + "'";
}

std::string ceilingText(std::optional<uint64_t> cap, Measure m) {
  return cap ? "at most " + std::to_string(*cap) + " " + ir::measureWord(m) : "unbounded";
}

// The budgets that bound `measure` on `provider`: its own and the session's. On the session
// (provider empty) without a cap of its own: the providers' caps, whose sum bounds it.
std::vector<const ir::Budget *> bounding(const ir::Inference &inf, Measure measure, const std::string &provider) {
  std::vector<const ir::Budget *> out;
  for (const ir::Budget &b : inf.budgets)
    if (b.measure == measure && (b.provider == provider || b.provider.empty())) out.push_back(&b);
  if (provider.empty() && out.empty())
    for (const ir::Budget &b : inf.budgets)
      if (b.measure == measure) out.push_back(&b);
  return out;
}

// The scopes a comparison looks at: the session, and each provider either policy declares.
std::vector<std::string> scopes(const ir::Inference &a, const ir::Inference &b) {
  std::vector<std::string> out = {""};
  for (const ir::Inference *inf : {&a, &b})
    for (const ir::Provider &p : inf->providers)
      if (std::find(out.begin(), out.end(), p.name) == out.end()) out.push_back(p.name);
  return out;
}

bool exceeds(std::optional<uint64_t> mine, std::optional<uint64_t> theirs) { return theirs && (!mine || *mine > *theirs); }

void reportCapThatCannotBind(const ir::Inference &inf, const ir::Budget &b, DiagnosticEngine &diags) {
  auto routed = std::any_of(inf.routes.begin(), inf.routes.end(), [&](const ir::Route &r) { return r.provider == b.provider; });
  if (!routed) {
    diags.warning("unbound-budget", b.id.span,
                  "budget " + ruleLabel(b.id) + " caps provider '" + b.provider + "', which no route leads to")
        .withHint("route models to it, or drop the budget");
    return;
  }
  for (const ir::Budget &session : inf.budgets)
    if (session.provider.empty() && session.measure == b.measure && session.cap <= b.cap)
      diags.warning("unbound-budget", b.id.span,
                    "budget " + ruleLabel(b.id) + " (" + std::to_string(b.cap) + " " + ir::measureWord(b.measure) +
                        " on provider '" + b.provider + "') can never bind: the session's budget allows only " +
                        std::to_string(session.cap))
          .withNote(session.id.span, "the session's budget " + ruleLabel(session.id));
}

void reportClosedRoutes(const ir::Inference &inf, const ir::Budget &b, DiagnosticEngine &diags) {
  std::vector<const ir::Route *> closed;
  for (const ir::Route &r : inf.routes)
    if (b.provider.empty() || r.provider == b.provider) closed.push_back(&r);
  if (closed.empty()) return;
  Diagnostic &d = diags.warning("closed-route", b.id.span,
                                "budget " + ruleLabel(b.id) + " allows no " + ir::measureWord(b.measure) + " on " +
                                    scopeText(b.provider) + ": the routes there are closed");
  for (const ir::Route *r : closed) d.withNote(r->id.span, "route " + ruleLabel(r->id) + " is closed");
  d.withHint("deny the models instead (`deny \"GLOB\"`), or give the budget a cap above 0");
}

}  // namespace

void reportBudgetProblems(const ir::Policy &policy, DiagnosticEngine &diags) {
  const ir::Inference &inf = policy.inference;
  for (const ir::Budget &b : inf.budgets) {
    if (b.cap == 0) reportClosedRoutes(inf, b, diags);
    else if (!b.provider.empty()) reportCapThatCannotBind(inf, b, diags);
  }
}

void proveBudgetsWithin(const ir::Policy &policy, const ir::Policy &ceiling, DiagnosticEngine &diags) {
  const ir::Inference &mine = policy.inference, &theirs = ceiling.inference;
  for (Measure m : kMeasures)
    for (const std::string &scope : scopes(mine, theirs)) {
      std::optional<uint64_t> can = ir::spendCeiling(mine, m, scope), may = ir::spendCeiling(theirs, m, scope);
      // Where no budget bounds a scope, what it can spend follows from its routes alone, which
      // the inference layer's own comparison reports.
      if (bounding(theirs, m, scope).empty() || !exceeds(can, may)) continue;
      std::vector<const ir::Budget *> own = bounding(mine, m, scope), allowed = bounding(theirs, m, scope);
      Span where = !own.empty() ? own.front()->id.span : !mine.routes.empty() ? mine.routes.front().id.span : Span{};
      for (const ir::Provider &p : mine.providers)
        if (own.empty() && p.name == scope) where = p.id.span;
      Diagnostic &d = diags.error("exceeds-ceiling", where,
                                  "inference: " + scopeText(scope) + " can spend " + ceilingText(can, m) +
                                      " here, but the ceiling allows " + ceilingText(may, m));
      for (const ir::Budget *b : allowed) d.withNote(b->id.span, "the ceiling's budget " + ruleLabel(b->id));
      if (!can) d.withHint("add `limit " + std::string(ir::measureWord(m)) + " " + std::to_string(*may) + "` to " +
                           (scope.empty() ? "the inference block" : "provider " + scope));
    }
}

std::vector<DiffClass> diffBudgets(const ir::Policy &before, const ir::Policy &after) {
  std::vector<DiffClass> out;
  auto labels = [](const std::vector<const ir::Budget *> &budgets) {
    std::vector<std::string> text;
    for (const ir::Budget *b : budgets) text.push_back(ruleLabel(b->id));
    if (text.empty()) text.push_back("no budget");
    return text;
  };
  for (Measure m : kMeasures)
    for (const std::string &scope : scopes(before.inference, after.inference)) {
      std::optional<uint64_t> was = ir::spendCeiling(before.inference, m, scope), is = ir::spendCeiling(after.inference, m, scope);
      if (was == is || (bounding(before.inference, m, scope).empty() && bounding(after.inference, m, scope).empty())) continue;
      DiffClass c;
      c.kind = exceeds(is, was) ? DiffClass::Kind::Allowed : DiffClass::Kind::Denied;
      c.layer = "inference";
      c.witness = std::string("spend ") + ir::measureWord(m) + " on " + scopeText(scope);
      c.oldDecision = ceilingText(was, m);
      c.newDecision = ceilingText(is, m);
      c.oldRules = labels(bounding(before.inference, m, scope));
      c.newRules = labels(bounding(after.inference, m, scope));
      out.push_back(std::move(c));
    }
  return out;
}

std::vector<const ir::Budget *> budgetsCounting(const ir::Inference &inf, const std::string &provider) {
  std::vector<const ir::Budget *> out;
  for (Measure m : kMeasures)
    for (const ir::Budget *b : bounding(inf, m, provider)) out.push_back(b);
  return out;
}

}  // namespace shellc::verify
