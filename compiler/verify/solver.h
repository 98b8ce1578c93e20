// The verifier's solver plumbing, shared by its findings about one policy (findings.cpp)
// and its comparisons of two (compare.cpp). Every question is one of a few, named as
// Cedar's analyzer names its own (docs/language.md §17):
//   violates   an assert: a request of the pattern that the policy decides against it
//              (`never`: always-denies fails; `always`: always-allows fails)
//   dead       a rule that never takes effect: every request it allows is refused
//   redundant  a rule whose removal changes no decision (equivalent without it)
//   overlaps   two rules with different errnos that match one request (not disjoint)
//   exceeds    a request one policy allows and another refuses (implies fails: --within)
//   differs    requests two versions decide differently (not equivalent: diff)
// Each finding is decided again by ir/evaluate.h before it is reported.
#pragma once
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "verify/prove.h"
#include "verify/requests.h"
#include "verify/smt.h"

namespace shellc::verify {

using smt::Layer;

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

inline std::string decidedBy(const smt::Recheck &r) {
  return r.deciding.empty() ? r.decision + " (no rule decides it: the default does)" : r.decision;
}

inline void noteDeciding(Diagnostic &d, const smt::Recheck &r, const std::string &what) {
  for (const ir::RuleId *id : r.deciding) d.withNote(id->span, what + " " + ruleLabel(*id) + ": " + r.decision);
}

// A witness that evaluate does not agree with is the verifier's bug: say so, print nothing.
inline bool confirmed(bool agrees, const Layer &layer, const std::string &witness, Span where, DiagnosticEngine &diags) {
  if (!agrees)
    diags.error("verifier-internal", where,
                "the " + layer.name() + " encoding and ir::evaluate disagree on " + witness + "; please report this");
  return agrees;
}

}  // namespace shellc::verify
