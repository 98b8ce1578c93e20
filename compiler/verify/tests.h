// `test` blocks: each expectation judged against the decision of its request (section 14 of
// docs/language.md). `shellc test` reports the results as a test runner; `shellc check`
// reports failures as diagnostics.
#pragma once
#include <string>
#include <vector>

#include "support/diagnostics.h"
#include "verify/requests.h"

namespace shellc::verify {

struct ExpectationFailure {
  const ir::Expectation *expectation = nullptr;
  std::vector<Verdict> verdicts;  // the decisions that break it (a syscall's, per arch)
  std::string problem;            // set instead when the request cannot be decided at all
};

struct TestResult {
  const ir::Test *test = nullptr;
  std::vector<ExpectationFailure> failures;
  bool passed() const { return failures.empty(); }
};

// Judges a system call on each architecture the policy targets where the call exists.
std::vector<TestResult> runTests(const ir::Policy &policy);

// Whether a decision is what the expectation asks for.
bool expectationHolds(const ir::Expectation &expectation, const Verdict &verdict);

// What an expectation asks for, as the language writes it: "allow", "errno(EPERM)",
// "route => openai".
std::string expectedText(const ir::Expectation &expectation);
// What it got instead: "deny", "errno(EPERM) on x86_64 and aarch64".
std::string actualText(const ExpectationFailure &failure);

// The rules that matched the decisions that break it, each statement once (decided when it
// decided on some architecture).
std::vector<MatchedRule> matchedRules(const ExpectationFailure &failure);

// A `test-failed` error at each failing expectation, with notes at the rules that decided.
void reportFailedTests(const std::vector<TestResult> &results, DiagnosticEngine &diags);

}  // namespace shellc::verify
