// The verifier's analyses of inference budgets (budgets.cpp): a budget bounds a quantity,
// so these compare bounds (ir::spendCeiling) rather than ask the solver.
#pragma once
#include <vector>

#include "ir/policy.h"
#include "support/diagnostics.h"
#include "verify/prove.h"

namespace shellc::verify {

// Caps that cannot bind (on a provider no route names, or at or above the session's), and
// caps of 0 that close routes: warnings.
void reportBudgetProblems(const ir::Policy &policy, DiagnosticEngine &diags);
// For each measure, on all providers together and on each: what `policy` can spend beyond
// what `ceiling`'s budgets allow, one error each.
void proveBudgetsWithin(const ir::Policy &policy, const ir::Policy &ceiling, DiagnosticEngine &diags);
// Each measure and scope whose bound changed: raised or removed is "newly allowed".
std::vector<DiffClass> diffBudgets(const ir::Policy &before, const ir::Policy &after);
// The budgets a call to `provider` counts against: its own and the session's.
std::vector<const ir::Budget *> budgetsCounting(const ir::Inference &inf, const std::string &provider);

}  // namespace shellc::verify
