#include "verify/tests.h"

#include <algorithm>
#include <optional>

namespace shellc::verify {
namespace {

bool sameAction(const ir::SyscallAction &a, const ir::SyscallAction &b) {
  return a.kind == b.kind && (a.kind != ir::ActionKind::Errno || a.errnoValue == b.errnoValue);
}

}  // namespace

bool expectationHolds(const ir::Expectation &e, const Verdict &v) {
  switch (e.outcome) {
  case ir::Expectation::Outcome::Allow: return v.outcome == Verdict::Outcome::Allow;
  case ir::Expectation::Outcome::Deny: return v.outcome == Verdict::Outcome::Deny;
  case ir::Expectation::Outcome::SyscallAction: return sameAction(e.action, v.action);
  case ir::Expectation::Outcome::Route: return !v.provider.empty() && v.provider == e.request.provider;
  }
  return false;
}

namespace {

std::optional<ExpectationFailure> judge(const ir::Policy &policy, const ir::Expectation &e) {
  const std::vector<ir::Arch> &arches = policy.syscalls.arches;
  // A request that stands for one arch (its constants differ between arches) has nothing to
  // judge in a policy that builds no filter for that arch.
  if (e.request.arch && std::find(arches.begin(), arches.end(), *e.request.arch) == arches.end())
    return std::nullopt;
  ExpectationFailure failure{&e, {}, ""};
  std::vector<Verdict> verdicts = decide(policy, e.request, arches);
  if (verdicts.empty()) {
    failure.problem = "'" + e.request.syscall + "' does not exist on the architectures this policy targets";
    return failure;
  }
  for (Verdict &v : verdicts)
    if (!expectationHolds(e, v)) failure.verdicts.push_back(std::move(v));
  if (failure.verdicts.empty()) return std::nullopt;
  return failure;
}

}  // namespace

std::vector<TestResult> runTests(const ir::Policy &policy) {
  std::vector<TestResult> results;
  for (const ir::Test &test : policy.tests) {
    TestResult result{&test, {}};
    for (const ir::Expectation &e : test.expectations)
      if (auto failure = judge(policy, e)) result.failures.push_back(std::move(*failure));
    results.push_back(std::move(result));
  }
  return results;
}

std::string expectedText(const ir::Expectation &expectation) {
  switch (expectation.outcome) {
  case ir::Expectation::Outcome::Allow: return "allow";
  case ir::Expectation::Outcome::Deny: return "deny";
  case ir::Expectation::Outcome::SyscallAction: return actionText(expectation.action);
  case ir::Expectation::Outcome::Route: return "route => " + expectation.request.provider;
  }
  return "";
}

std::string actualText(const ExpectationFailure &failure) {
  if (!failure.problem.empty()) return failure.problem;
  // Architectures that got the same decision for the same reason are named together.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const Verdict &v : failure.verdicts) {
    std::string text = v.decision + (v.reason.empty() ? "" : " (" + v.reason + ")");
    auto group = std::find_if(groups.begin(), groups.end(), [&](auto &g) { return g.first == text; });
    if (group == groups.end()) group = groups.insert(groups.end(), {text, {}});
    if (v.arch) group->second.push_back(ir::archName(*v.arch));
  }
  std::string out;
  for (const auto &[text, arches] : groups) {
    if (!out.empty()) out += ", ";
    out += text;
    for (size_t i = 0; i < arches.size(); ++i) out += (i == 0 ? " on " : " and ") + arches[i];
  }
  return out;
}

std::vector<MatchedRule> matchedRules(const ExpectationFailure &failure) {
  std::vector<MatchedRule> out;
  for (const Verdict &v : failure.verdicts) {
    for (const MatchedRule &rule : v.rules) {
      auto same = std::find_if(out.begin(), out.end(),
                               [&](const MatchedRule &m) { return sameStatement(*m.id, *rule.id); });
      if (same == out.end()) out.push_back(rule);
      else same->decided = same->decided || rule.decided;
    }
  }
  return out;
}

void reportFailedTests(const std::vector<TestResult> &results, DiagnosticEngine &diags) {
  for (const TestResult &result : results) {
    for (const ExpectationFailure &failure : result.failures) {
      Diagnostic &d = diags.error("test-failed", failure.expectation->span,
                                  "test '" + result.test->name + "': expected " +
                                      expectedText(*failure.expectation) + ", got " + actualText(failure));
      for (const MatchedRule &rule : matchedRules(failure)) {
        if (!rule.decided) continue;
        std::string who = rule.id->name.empty() ? "this rule" : "@" + rule.id->name;
        d.withNote(rule.id->span, "decided by " + who + ": " + rule.effect);
      }
    }
  }
}

}  // namespace shellc::verify
