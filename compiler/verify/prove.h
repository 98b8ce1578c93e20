// What the verifier proves with Z3 (docs/language.md, "What the verifier proves"): asserts,
// dead, redundant and ambiguous rules, problems across layers, a ceiling (--within), and
// the difference between two versions of a policy (shellc diff). Every request it prints is
// decided again with ir/evaluate.h first: a witness that evaluate disagrees with is an
// internal error, never a finding.
#pragma once
#include <string>
#include <vector>

#include "ir/policy.h"
#include "support/diagnostics.h"

namespace shellc::verify {

// What each kind of query cost, for `shellc check --stats`.
struct QueryCost {
  std::string layer, kind;
  int queries = 0;
  double seconds = 0, slowest = 0;
};
using ProofStats = std::vector<QueryCost>;

// Asserts, dead/redundant/ambiguous rules and cross-layer problems of one checked policy.
// Rules from files under `libraryDir` (the stdlib) are not reported as dead or redundant:
// the stdlib is checked on its own, and a user cannot edit it. That also keeps the check
// that runs on every commit fast.
void provePolicy(const ir::Policy &policy, DiagnosticEngine &diags, const std::string &libraryDir = "",
                 ProofStats *stats = nullptr);

// Everything `policy` allows that `ceiling` forbids, one error per class of request.
void proveWithin(const ir::Policy &policy, const ir::Policy &ceiling, DiagnosticEngine &diags,
                 ProofStats *stats = nullptr);

// One class of requests whose decision differs between two versions of a policy.
struct DiffClass {
  enum class Kind { Allowed, Denied, Changed };  // newly allowed, newly denied, another action or target
  Kind kind = Kind::Allowed;
  std::string layer;
  std::string witness;  // a concrete request of the class, in the request syntax
  std::string oldDecision, newDecision;
  std::vector<std::string> oldRules, newRules;  // the rules that decide the witness, labelled
  std::string provider;  // the witness reaches this provider's host, where its key is in scope
};
std::vector<DiffClass> diffPolicies(const ir::Policy &before, const ir::Policy &after, ProofStats *stats = nullptr);
const char *diffKindText(DiffClass::Kind kind);

}  // namespace shellc::verify
