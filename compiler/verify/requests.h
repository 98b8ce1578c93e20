// Concrete requests (of `test` blocks and of `shellc explain`) decided with the decision
// functions of ir/evaluate.h, in the terms that reports use.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/policy.h"

namespace shellc::verify {

// A rule that matched a request. A statement that the checker split into several rules
// (several paths, an `in` list) is one MatchedRule, as it has one identity.
struct MatchedRule {
  const ir::RuleId *id = nullptr;
  std::string effect;    // what the rule does: "allow", "deny", "errno(EPERM)", "route => openai"
  bool decided = false;  // false: it matched, and the decision went against it
};

// One decision of a request. A system call gets one per architecture.
struct Verdict {
  enum class Outcome { Allow, Deny, Undecided };  // Undecided: `notify`, decided at run time
  Outcome outcome = Outcome::Deny;
  std::optional<ir::Arch> arch;  // system calls
  ir::SyscallAction action;      // system calls
  std::string provider;          // routes: who serves the model; empty when refused
  std::string decision;          // as the language writes it: "allow", "kill", "route => openai"
  std::string reason;            // why, in words, when the rules alone do not say it
  std::vector<MatchedRule> rules;  // in the order of the layer's rule set (model denies first)
  std::vector<const ir::Budget *> budgets;  // routes: the budgets the call counts against
};

// Decides `request`. A system call is decided on each of `arches` where it exists (and only
// on the request's own arch when it has one); `arches` is unused by other requests.
std::vector<Verdict> decide(const ir::Policy &policy, const ir::Request &request,
                            std::span<const ir::Arch> arches);

// Decides a file request by `fs` (a policy's, or one placed: verify/placements.h).
Verdict decideFile(const ir::Filesystem &fs, const ir::Request &request);

// Whether two rules come from one statement (one identity).
bool sameStatement(const ir::RuleId &a, const ir::RuleId &b);

// "@name (file:line)", or "file:line" for a rule without a name.
std::string ruleLabel(const ir::RuleId &id);

}  // namespace shellc::verify
