#include <algorithm>

#include "ir/evaluate.h"

namespace shellc::ir {

bool stricter(const SyscallAction &a, const SyscallAction &b) {
  if (a.kind != b.kind) return a.kind > b.kind;  // ActionKind runs from least to most strict
  return a.kind == ActionKind::Errno && a.errnoValue < b.errnoValue;
}

bool conditionHolds(const ArgCondition &condition, const SyscallArgs &args) {
  uint64_t arg = args[condition.index] & condition.mask;
  uint64_t value = condition.value;
  switch (condition.op) {
  case CompareOp::Eq: return arg == value;
  case CompareOp::Ne: return arg != value;
  case CompareOp::Lt: return arg < value;
  case CompareOp::Le: return arg <= value;
  case CompareOp::Gt: return arg > value;
  case CompareOp::Ge: return arg >= value;
  case CompareOp::MaskedEq: return arg == value;
  case CompareOp::MaskedNe: return arg != value;
  }
  return false;
}

SyscallDecision evaluateSyscall(const Syscalls &sys, Arch arch, int number, const SyscallArgs &args) {
  SyscallDecision d;
  if (std::find(sys.arches.begin(), sys.arches.end(), arch) == sys.arches.end()) {
    d.action.kind = ActionKind::KillProcess;
    d.archTargeted = false;
    return d;
  }
  for (const SyscallRule &rule : sys.rules) {
    auto nr = rule.numbers.find(arch);
    if (nr == rule.numbers.end() || nr->second != number) continue;
    bool holds = std::all_of(rule.conditions.begin(), rule.conditions.end(),
                             [&](const ArgCondition &c) { return conditionHolds(c, args); });
    if (holds) d.matched.push_back(&rule);
  }
  if (d.matched.empty()) {
    d.action = sys.defaultAction;
    return d;
  }
  d.action = d.matched.front()->action;
  for (const SyscallRule *rule : d.matched)
    if (stricter(rule->action, d.action)) d.action = rule->action;
  for (const SyscallRule *rule : d.matched)
    if (rule->action == d.action) d.deciding.push_back(rule);
  return d;
}

}  // namespace shellc::ir
