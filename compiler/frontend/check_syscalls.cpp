#include <algorithm>

#include "frontend/checker.h"
#include "frontend/constants.h"
#include "frontend/syscall_names.h"

namespace shellc {

namespace {
// `in [a, b]` on two arguments is four rules; past this a rule is a mistake, not a policy.
constexpr size_t kMaxExpansion = 1024;

const std::vector<std::string_view> kActions = {"allow", "log", "deny", "errno", "kill",
                                                "kill_process", "kill_thread", "trap", "notify"};

std::optional<ir::CompareOp> compareOp(const std::string &op, bool masked) {
  if (masked) {
    if (op == "==") return ir::CompareOp::MaskedEq;
    if (op == "!=") return ir::CompareOp::MaskedNe;
    return std::nullopt;
  }
  if (op == "==") return ir::CompareOp::Eq;
  if (op == "!=") return ir::CompareOp::Ne;
  if (op == "<") return ir::CompareOp::Lt;
  if (op == "<=") return ir::CompareOp::Le;
  if (op == ">") return ir::CompareOp::Gt;
  return ir::CompareOp::Ge;
}
}  // namespace

std::optional<ir::SyscallAction> Checker::syscallAction(const ast::Value &verb,
                                                        const std::optional<ast::IntExpr> &argument,
                                                        Span span) {
  if (!oneOf(verb, kActions, "action")) return std::nullopt;
  ir::SyscallAction a;
  const std::string &v = verb.text;
  if (v == "errno") {
    if (!argument) {
      error("missing-errno", span, "errno needs a value").withHint("write errno(EPERM)");
      return std::nullopt;
    }
    auto value = integer(*argument, "E");
    if (!value) return std::nullopt;
    if (*value < 1 || *value > 4095) {
      error("invalid-value", argument->span, "an errno is 1..4095");
      return std::nullopt;
    }
    a.kind = ir::ActionKind::Errno;
    a.errnoValue = static_cast<uint16_t>(*value);
    return a;
  }
  if (argument) {
    error("unexpected-argument", argument->span, "'" + v + "' takes no value");
    return std::nullopt;
  }
  if (v == "allow") a.kind = ir::ActionKind::Allow;
  else if (v == "log") a.kind = ir::ActionKind::Log;
  else if (v == "deny") a = ir::SyscallAction{ir::ActionKind::Errno, 1};
  else if (v == "kill" || v == "kill_process") a.kind = ir::ActionKind::KillProcess;
  else if (v == "kill_thread") a.kind = ir::ActionKind::KillThread;
  else if (v == "trap") a.kind = ir::ActionKind::Trap;
  else a.kind = ir::ActionKind::Notify;
  return a;
}

// Resolves a syscall name, with "did you mean" over every name libseccomp knows.
std::optional<SyscallInfo> resolveSyscall(Checker &c, const ast::Value &name) {
  auto info = lookupSyscall(name.text);
  if (info) return info;
  Diagnostic &d = c.error("unknown-syscall", name.span, "unknown system call '" + name.text + "'");
  std::string guess = didYouMean(name.text, knownSyscallNames());
  if (!guess.empty()) d.withHint(guess);
  return std::nullopt;
}

void Checker::checkSyscalls() {
  ir::Syscalls &sys = policy_.syscalls;
  std::optional<Span> defaultSpan;
  forEachModule([&](const ast::Module &m) {
    for (const ast::SyscallAction &d : m.syscallDefaults) {
      auto action = syscallAction(d.verb, d.argument, d.span);
      if (!action) continue;
      if (defaultSpan && !(*action == sys.defaultAction)) {
        error("conflicting-setting", d.span, "conflicting 'default' for syscalls")
            .withNote(*defaultSpan, "first set here");
        continue;
      }
      sys.defaultAction = *action;
      defaultSpan = d.span;
    }
  });
  if (auto arch = setting(ast::Layer::Syscalls, "arch")) {
    sys.arches.clear();
    for (const ast::Value &a : arch->values) {
      if (!oneOf(a, {"x86_64", "aarch64"}, "architecture")) continue;
      ir::Arch value = a.text == "x86_64" ? ir::Arch::X86_64 : ir::Arch::AArch64;
      if (std::find(sys.arches.begin(), sys.arches.end(), value) == sys.arches.end())
        sys.arches.push_back(value);
    }
  }

  forEachModule([&](const ast::Module &m) {
    for (const ast::SyscallRule &rule : m.syscallRules) {
      const std::string &verb = rule.verb.text;
      std::optional<ir::SyscallAction> action;
      if (rule.action) {
        if (verb != "deny") {
          error("unexpected-action", rule.action->span, "only 'deny' takes '=> ACTION'")
              .withHint(verb == "allow" ? "allow is always allow; write `deny … => ACTION` for another outcome"
                                        : "'" + verb + "' already names its action");
          continue;
        }
        action = syscallAction(rule.action->verb, rule.action->argument, rule.action->span);
        if (action && (action->kind == ir::ActionKind::Allow || action->kind == ir::ActionKind::Log)) {
          error("unexpected-action", rule.action->span,
                "'deny … => " + rule.action->verb.text + "' lets the call through")
              .withHint("write `" + rule.action->verb.text + " …`");
          continue;
        }
      } else {
        action = syscallAction(rule.verb, std::nullopt, rule.verb.span);
      }
      // Names and conditions are checked even when the action is wrong: all errors at once.
      for (const ast::SyscallSpec &spec : rule.syscalls) {
        auto info = resolveSyscall(*this, spec.name);
        if (!info) continue;
        bool onSomeArch = std::any_of(sys.arches.begin(), sys.arches.end(),
                                      [&](ir::Arch a) { return info->numbers.count(a); });
        if (!onSomeArch) {
          warning("syscall-not-on-arch", spec.name.span,
                  "'" + spec.name.text + "' does not exist on the architectures this policy targets");
        }
        // Each condition is a list of alternatives (for `in`); rules are their cross product.
        std::vector<std::vector<ir::ArgCondition>> alternatives;
        bool ok = true;
        for (const ast::ArgCondition &cond : spec.conditions) {
          auto index = argumentIndex(*info, cond.arg.text);
          if (!index) {
            Diagnostic &d = error("unknown-argument", cond.arg.span,
                                  "'" + spec.name.text + "' has no argument '" + cond.arg.text + "'");
            std::vector<std::string_view> names = info->argNames;
            std::string guess = didYouMean(cond.arg.text, names);
            std::string list;
            for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
            d.withHint(!guess.empty() ? guess
                                      : names.empty() ? "use arg0..arg5"
                                                      : "its arguments are: " + list + " (or arg0..arg5)");
            ok = false;
            continue;
          }
          if (*index >= std::max<size_t>(info->argNames.size(), 1) && !info->argNames.empty()) {
            error("unknown-argument", cond.arg.span,
                  "'" + spec.name.text + "' has only " + std::to_string(info->argNames.size()) +
                      (info->argNames.size() == 1 ? " argument" : " arguments"));
            ok = false;
            continue;
          }
          std::optional<uint64_t> mask;
          if (cond.mask && !(mask = integer(*cond.mask))) {
            ok = false;
            continue;
          }
          std::vector<ir::ArgCondition> options;
          bool isIn = cond.op == "in" || cond.op == "notin";
          auto op = isIn ? std::optional(mask ? ir::CompareOp::MaskedEq : ir::CompareOp::Eq)
                         : compareOp(cond.op, mask.has_value());
          if (!op) {
            error("invalid-condition", cond.span, "a masked argument compares only with == or !=");
            ok = false;
            continue;
          }
          for (const ast::IntExpr &v : cond.values) {
            auto value = integer(v);
            if (!value) {
              ok = false;
              continue;
            }
            ir::ArgCondition c{*index, *op, mask.value_or(~0ull), *value};
            if (mask && (*value & ~*mask)) {
              warning("mask-mismatch", v.span, "the value has bits outside the mask, so this never matches");
            }
            if (cond.op == "notin") {
              c.op = mask ? ir::CompareOp::MaskedNe : ir::CompareOp::Ne;
              alternatives.push_back({c});  // ANDed: one condition each
            } else {
              options.push_back(c);
            }
          }
          if (!options.empty()) alternatives.push_back(std::move(options));
        }
        if (!ok || !action) continue;
        size_t combinations = 1;
        for (auto &alt : alternatives) combinations *= alt.size();
        if (combinations > kMaxExpansion) {
          error("rule-too-large", spec.span,
                "this rule expands to " + std::to_string(combinations) + " filter rules")
              .withHint("split it, or compare ranges with < and >");
          continue;
        }
        std::vector<std::vector<ir::ArgCondition>> products{{}};
        for (auto &alt : alternatives) {
          std::vector<std::vector<ir::ArgCondition>> next;
          for (auto &prefix : products)
            for (auto &c : alt) {
              next.push_back(prefix);
              next.back().push_back(c);
            }
          products = std::move(next);
        }
        for (auto &conditions : products) {
          ir::SyscallRule out;
          out.id = ruleId(rule.name, rule.span);
          out.name = spec.name.text;
          out.numbers = info->numbers;
          out.conditions = std::move(conditions);
          out.action = *action;
          sys.rules.push_back(std::move(out));
        }
      }
    }
  });
}

}  // namespace shellc
