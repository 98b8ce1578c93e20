#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "frontend/checker.h"
#include "frontend/constants.h"
#include "frontend/syscall_names.h"
#include "ir/evaluate.h"

namespace shellc {

namespace {
// `in [a, b]` on two arguments is four rules; past this a rule is a mistake, not a policy.
constexpr size_t kMaxExpansion = 1024;

std::optional<ir::CompareOp> compareOp(const std::string &op, bool masked) {
  for (const ir::CompareOpWords &w : ir::kCompareOps) {
    bool isMasked = w.op == ir::CompareOp::MaskedEq || w.op == ir::CompareOp::MaskedNe;
    if (isMasked == masked && op == w.language) return w.op;
  }
  return std::nullopt;
}
// One written condition before expansion: `in` lists are alternatives, `not in` a conjunction.
struct Condition {
  unsigned index;
  std::string op;  // as written: == != < <= > >= in notin
  std::optional<ArchValues> mask;
  std::vector<ArchValues> values;
  Span span;
  uint8_t width = 64;  // the bits of the argument the kernel reads
};

// A value the kernel cannot see whole: bits above the argument's width, other than a
// negative number's sign extension (`pid == -1` on an int).
void warnTruncated(Checker &c, const ast::IntExpr &written, const ArchValues &value, uint8_t width,
                   const std::string &argument) {
  uint64_t keep = widthMask(width);
  for (ir::Arch arch : ir::kAllArches) {
    auto x = value.on(arch);
    if (!x || !(*x & ~keep)) continue;
    bool signExtended = (*x & ~keep) == ~keep && (*x >> (width - 1) & 1);
    if (signExtended) continue;
    char shown[32];
    snprintf(shown, sizeof shown, "0x%llx", static_cast<unsigned long long>(*x & keep));
    c.warning("value-truncated", written.span,
              "the kernel reads '" + argument + "' as " + std::to_string(width) + " bits, so this value is " + shown +
                  " to it: the bits above are ignored")
        .withHint("write the value the kernel sees");
    return;
  }
}

std::optional<Condition> condition(Checker &c, const ast::SyscallSpec &spec, const SyscallInfo &info,
                                   const ast::ArgCondition &cond) {
  auto index = argumentIndex(info, cond.arg.text);
  if (!index || *index >= info.argNames.size()) {
    std::string list;
    for (auto n : info.argNames) list += (list.empty() ? "" : ", ") + std::string(n);
    Diagnostic &d = c.error("unknown-argument", cond.arg.span,
                            info.argNames.empty() ? "'" + spec.name.text + "' takes no arguments"
                            : index ? "'" + spec.name.text + "' has only " + std::to_string(info.argNames.size()) +
                                          (info.argNames.size() == 1 ? " argument" : " arguments")
                                    : "'" + spec.name.text + "' has no argument '" + cond.arg.text + "'");
    std::string guess = didYouMean(cond.arg.text, info.argNames);
    if (!guess.empty()) d.withHint(guess);
    else if (!info.argNames.empty())
      d.withHint("its arguments are: " + list + " (or arg0..arg" + std::to_string(info.argNames.size() - 1) + ")");
    return std::nullopt;
  }
  Condition out{*index, cond.op, std::nullopt, {}, cond.span, info.argWidths[*index]};
  bool ok = true;
  if (cond.mask && !(out.mask = c.integer(*cond.mask))) ok = false;
  if (out.mask && cond.op != "==" && cond.op != "!=" && cond.op != "in" && cond.op != "notin") {
    c.error("invalid-condition", cond.span, "a masked argument compares only with == or !=");
    return std::nullopt;
  }
  for (const ast::IntExpr &v : cond.values) {
    auto value = c.integer(v);
    if (!value) {
      ok = false;
      continue;
    }
    for (ir::Arch arch : ir::kAllArches) {
      auto m = out.mask ? out.mask->on(arch) : std::optional<uint64_t>(~0ull);
      auto x = value->on(arch);
      bool positive = cond.op == "==" || cond.op == "in";
      if (m && x && (*x & ~*m)) {
        c.warning("mask-mismatch", v.span,
                  std::string("the value has bits outside the mask, so this ") +
                      (positive ? "never matches" : "always matches"));
        break;
      }
    }
    if (out.width < 64) warnTruncated(c, v, *value, out.width, cond.arg.text);
    out.values.push_back(*value);
  }
  if (!ok) return std::nullopt;
  return out;
}

// The cross product of the conditions' alternatives, with the values of `arch` (or the
// architecture-independent values when nullopt). Nullopt after an error.
std::optional<std::vector<std::vector<ir::ArgCondition>>> expand(Checker &c, const std::vector<Condition> &conditions,
                                                                 std::optional<ir::Arch> arch,
                                                                 const ast::SyscallSpec &spec) {
  auto pick = [&](const ArchValues &v) { return arch ? v.on(*arch) : v.byArch[0]; };
  std::vector<std::vector<ir::ArgCondition>> alternatives;
  size_t combinations = 1;
  for (const Condition &cond : conditions) {
    std::optional<uint64_t> mask = cond.mask ? pick(*cond.mask) : std::optional<uint64_t>(~0ull);
    if (!mask) {
      c.warning("constant-not-on-arch", cond.span,
                "a constant here does not exist on " + std::string(ir::archName(*arch)) +
                    ", so the rule does not apply there");
      return std::vector<std::vector<ir::ArgCondition>>{};
    }
    std::vector<ir::ArgCondition> options;
    for (const ArchValues &v : cond.values) {
      auto value = pick(v);
      if (!value) {
        c.warning("constant-not-on-arch", cond.span,
                  "a constant here does not exist on " + std::string(ir::archName(*arch)) +
                      ", so the rule does not apply there");
        return std::vector<std::vector<ir::ArgCondition>>{};
      }
      bool isIn = cond.op == "in" || cond.op == "notin";
      ir::CompareOp op = isIn ? (cond.mask ? ir::CompareOp::MaskedEq : ir::CompareOp::Eq)
                              : *compareOp(cond.op, cond.mask.has_value());
      // As the kernel reads the argument: only its low `width` bits (ir::ArgCondition).
      uint64_t seen = widthMask(cond.width);
      ir::ArgCondition ac{cond.index, op, *mask & seen, *value & seen};
      if (cond.op == "notin") {
        ac.op = cond.mask ? ir::CompareOp::MaskedNe : ir::CompareOp::Ne;
        alternatives.push_back({ac});  // ANDed: one condition each
      } else {
        options.push_back(ac);
      }
    }
    if (!options.empty()) {
      combinations *= options.size();
      alternatives.push_back(std::move(options));
    }
  }
  if (combinations > kMaxExpansion) {
    c.error("rule-too-large", spec.span, "this rule expands to " + std::to_string(combinations) + " filter rules")
        .withHint("split it, or compare ranges with < and >");
    return std::nullopt;
  }
  std::vector<std::vector<ir::ArgCondition>> products{{}};
  for (auto &alt : alternatives) {
    std::vector<std::vector<ir::ArgCondition>> next;
    for (auto &prefix : products)
      for (auto &ac : alt) {
        next.push_back(prefix);
        next.back().push_back(ac);
      }
    products = std::move(next);
  }
  return products;
}

// A call listed twice in one statement (`deny read, write, read`), compared as written
// without spaces, so that `ioctl(request == 1)` twice counts and `ioctl(request == 2)` not.
void warnDuplicateCalls(Checker &c, const ast::SyscallRule &rule) {
  std::map<std::string, Span> seen;
  for (const ast::SyscallSpec &spec : rule.syscalls) {
    std::string_view written = c.sources_.text(spec.span.file).substr(spec.span.begin, spec.span.end - spec.span.begin);
    std::string key;
    for (char ch : written)
      if (!std::isspace(static_cast<unsigned char>(ch))) key += ch;
    auto [first, added] = seen.emplace(key, spec.span);
    if (!added)  // appended, not "'" + …: g++ 12 warns of an overlap there (-Wrestrict)
      c.warning("duplicate-syscall", spec.span, std::string("'").append(written).append("' is listed twice"))
          .withNote(first->second, "first listed here");
  }
}

}  // namespace

std::optional<ir::SyscallAction> Checker::syscallAction(const ast::Value &verb,
                                                        const std::optional<ast::IntExpr> &argument,
                                                        Span span) {
  if (!oneOf(verb, actionWords(), "action")) return std::nullopt;
  ir::SyscallAction a;
  const std::string &v = verb.text;
  if (v == "errno") {
    if (!argument) {
      error("missing-errno", span, "errno needs a value").withHint("write errno(EPERM)");
      return std::nullopt;
    }
    auto values = integer(*argument, "E");
    if (!values) return std::nullopt;
    auto value = values->on(ir::Arch::X86_64);  // errno numbers are asm-generic: one per name
    if (!values->uniform() || !value) {
      error("invalid-value", argument->span, "this errno differs between architectures");
      return std::nullopt;
    }
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
  for (const ir::ActionWord &w : ir::kActionWords)
    if (v == w.word) a.kind = w.kind;  // `deny`: errno(EPERM), errnoValue's default
  return a;
}

const std::vector<std::string_view> &actionWords() {
  static const std::vector<std::string_view> words = [] {
    std::vector<std::string_view> out;
    for (const ir::ActionWord &w : ir::kActionWords) out.push_back(w.word);
    return out;
  }();
  return words;
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

namespace {

// `default ACTION`, the same wherever it is set; its span, for the nothing-can-start check.
std::optional<Span> syscallDefault(Checker &c) {
  ir::Syscalls &sys = c.policy_.syscalls;
  std::optional<Span> defaultSpan;
  c.forEachModule([&](const ast::Module &m) {
    for (const ast::SyscallAction &d : m.syscallDefaults) {
      auto action = c.syscallAction(d.verb, d.argument, d.span);
      if (!action) continue;
      if (defaultSpan && !(*action == sys.defaultAction)) {
        Diagnostic &diag = c.error("conflicting-setting", d.span, "conflicting 'default' for syscalls");
        diag.withNote(*defaultSpan, "first set here");
        addImportNotes(diag, c.sources_, c.chainOf(d.span.file));
        continue;
      }
      sys.defaultAction = *action;
      defaultSpan = d.span;
    }
  });
  return defaultSpan;
}

void syscallArches(Checker &c) {
  ir::Syscalls &sys = c.policy_.syscalls;
  auto arch = c.setting(ast::Layer::Syscalls, "arch");
  if (!arch) return;
  sys.arches.clear();
  for (const ast::Value &a : arch->values) {
    if (!c.oneOf(a, {"x86_64", "aarch64"}, "architecture")) continue;
    ir::Arch value = a.text == "x86_64" ? ir::Arch::X86_64 : ir::Arch::AArch64;
    if (std::find(sys.arches.begin(), sys.arches.end(), value) == sys.arches.end()) sys.arches.push_back(value);
  }
}

// A rule's action: its verb's, or `deny … => ACTION`'s. `skip`: the rule is wrong as a whole
// (an action where none may be), and nothing more of it is checked; a bad action word
// alone leaves `action` empty, and the calls are still checked: all errors at once.
struct RuleAction {
  bool skip = false;
  std::optional<ir::SyscallAction> action;
};

RuleAction ruleAction(Checker &c, const ast::SyscallRule &rule) {
  const std::string &verb = rule.verb.text;
  if (!rule.action) return {false, c.syscallAction(rule.verb, std::nullopt, rule.verb.span)};
  if (verb != "deny") {
    c.error("unexpected-action", rule.action->span, "only 'deny' takes '=> ACTION'")
        .withHint(verb == "allow" ? "allow is always allow; write `deny … => ACTION` for another outcome"
                                  : "'" + verb + "' already names its action");
    return {true, std::nullopt};
  }
  auto action = c.syscallAction(rule.action->verb, rule.action->argument, rule.action->span);
  if (action && (action->kind == ir::ActionKind::Allow || action->kind == ir::ActionKind::Log)) {
    c.error("unexpected-action", rule.action->span, "'deny … => " + rule.action->verb.text + "' lets the call through")
        .withHint("write `" + rule.action->verb.text + " …`");
    return {true, std::nullopt};
  }
  return {false, action};
}

// One call of a rule, with its conditions: one ir rule per alternative (and per
// architecture where constants differ). Checked even when the action is wrong: all errors
// at once; nothing is added then.
void ruleCall(Checker &c, const ast::SyscallRule &rule, const ast::SyscallSpec &spec,
              const std::optional<ir::SyscallAction> &action) {
  ir::Syscalls &sys = c.policy_.syscalls;
  auto info = resolveSyscall(c, spec.name);
  if (!info) return;
  bool onSomeArch = std::any_of(sys.arches.begin(), sys.arches.end(),
                                [&](ir::Arch a) { return info->numbers.count(a); });
  if (!onSomeArch) {
    c.warning("syscall-not-on-arch", spec.name.span,
              "'" + spec.name.text + "' does not exist on the architectures this policy targets");
  }
  std::vector<Condition> conditions;
  bool ok = true;
  for (const ast::ArgCondition &cond : spec.conditions) {
    auto checked = condition(c, spec, *info, cond);
    if (checked) conditions.push_back(std::move(*checked));
    else ok = false;
  }
  if (!ok || !action) return;
  // Constants such as O_DIRECTORY differ between architectures: then the rule is
  // compiled once per architecture, each with its own values.
  bool uniform = std::all_of(conditions.begin(), conditions.end(), [](const Condition &cond) {
    return std::all_of(cond.values.begin(), cond.values.end(), [](auto &v) { return v.uniform(); }) &&
           (!cond.mask || cond.mask->uniform());
  });
  std::vector<std::optional<ir::Arch>> variants;
  if (uniform) variants.push_back(std::nullopt);
  else
    for (auto &[arch, nr] : info->numbers)
      if (std::find(sys.arches.begin(), sys.arches.end(), arch) != sys.arches.end()) variants.push_back(arch);
  for (std::optional<ir::Arch> arch : variants) {
    auto products = expand(c, conditions, arch, spec);
    if (!products) break;
    for (auto &conds : *products) {
      ir::SyscallRule out;
      out.id = c.ruleId(rule.name, rule.span);
      out.name = spec.name.text;
      out.numbers = info->numbers;
      if (arch) out.numbers = {{*arch, info->numbers.at(*arch)}};
      out.conditions = std::move(conds);
      out.action = *action;
      sys.rules.push_back(std::move(out));
    }
  }
}

// A root that names itself (`policy NAME`, as an OpenShell import does) and says what the
// sandbox sees (a filesystem block) is a sandbox to run, which `check` warns of too; a module
// or a syscalls-only profile checked alone need not run alone.
bool isWholeSandbox(const ast::Module &root) {
  return root.policyName &&
         std::any_of(root.blocks.begin(), root.blocks.end(), [](const ast::Block &b) { return b.layer == ast::Layer::Filesystem; });
}

}  // namespace

void Checker::checkSyscalls() {
  std::optional<Span> defaultSpan = syscallDefault(*this);
  syscallArches(*this);
  forEachModule([&](const ast::Module &m) {
    for (const ast::SyscallRule &rule : m.syscallRules) {
      RuleAction action = ruleAction(*this, rule);
      if (action.skip) continue;
      warnDuplicateCalls(*this, rule);
      for (const ast::SyscallSpec &spec : rule.syscalls) ruleCall(*this, rule, spec, action.action);
    }
  });
  if (options_.toRun || isWholeSandbox(*modules_.front().ast)) warnIfNothingCanStart(defaultSpan);
  warnIfIoUringAllowed(defaultSpan);
}

// shellrt refuses io_uring whatever the policy says (ENOSYS, as std.base does): its
// operations open files and connect sockets inside the kernel, out of the sight of seccomp
// and of the supervisor's socket broker. A policy that lets it run is told, so that neither a
// `test` expecting it to run nor the user believes it will.
void Checker::warnIfIoUringAllowed(const std::optional<Span> &defaultSpan) {
  const ir::Syscalls &sys = policy_.syscalls;
  auto setup = lookupSyscall("io_uring_setup");
  if (!setup) return;
  for (ir::Arch arch : sys.arches) {
    auto nr = setup->numbers.find(arch);
    if (nr == setup->numbers.end()) continue;
    ir::SyscallDecision d = ir::evaluateSyscall(sys, arch, nr->second, {});
    if (d.action.kind != ir::ActionKind::Allow && d.action.kind != ir::ActionKind::Log) continue;
    const ast::Module &root = *modules_.front().ast;
    // A `default allow` says so of a sandbox to run; of a module or fragment, only a rule that
    // names io_uring does.
    if (d.deciding.empty() && !options_.toRun && !isWholeSandbox(root)) return;
    Span at = !d.deciding.empty() ? d.deciding.front()->id.span
              : defaultSpan       ? *defaultSpan
              : root.policyName   ? root.policyName->span
                                  : Span{root.file, 0, 0};
    warning("io-uring-refused", at,
            "io_uring_setup is allowed here, but shellrt refuses io_uring whatever the policy says (ENOSYS): its "
            "operations reach files and sockets out of seccomp's sight")
        .withHint("deny io_uring_setup, io_uring_enter, io_uring_register => errno(ENOSYS), as `use std.base` does");
    return;
  }
}

// A policy under which no program can start: execve refused, or the loader out of view.
void Checker::warnIfNothingCanStart(const std::optional<Span> &defaultSpan) {
  if (warnIfExecveRefused(defaultSpan)) return;
  warnIfLoaderOutOfView();
}

namespace {

// Where each architecture's dynamic loader is (PT_INTERP, and the file it resolves to on
// merged-/usr and older layouts): Landlock decides on the resolved file.
const std::vector<std::pair<ir::Arch, std::vector<const char *>>> kLoaders = {
    {ir::Arch::X86_64,
     {"/lib64/ld-linux-x86-64.so.2", "/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
      "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"}},
    {ir::Arch::AArch64,
     {"/lib/ld-linux-aarch64.so.1", "/usr/lib/ld-linux-aarch64.so.1", "/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1",
      "/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"}}};

bool readAndExec(const ir::Filesystem &fs, const char *path) {
  ir::Path p{ir::PathRoot::Absolute, std::string(path + 1)};
  return ir::evaluateFile(fs, p, ir::kRead).allow && ir::evaluateFile(fs, p, ir::kExec).allow;
}

}  // namespace

// Every dynamically linked program needs the loader, read and executed: a filesystem layer
// that allows neither where it lies starts only static binaries.
void Checker::warnIfLoaderOutOfView() {
  const ir::Filesystem &fs = policy_.filesystem;
  for (auto &[arch, paths] : kLoaders) {
    const auto &arches = policy_.syscalls.arches;
    if (std::find(arches.begin(), arches.end(), arch) == arches.end()) continue;
    if (std::any_of(paths.begin(), paths.end(), [&](const char *p) { return readAndExec(fs, p); })) continue;
    const ast::Module &root = *modules_.front().ast;
    Span at = root.policyName ? root.policyName->span : Span{root.file, 0, 0};
    warning("nothing-can-start", at,
            std::string("no dynamically linked program can start under this policy: the ") + ir::archName(arch) +
                " loader (" + paths.front() + ") may not be read and executed")
        .withHint("allow read, exec \"/usr\", \"/lib\", \"/lib64\" (or the loader's directory)");
    return;
  }
}

// A policy whose syscalls refuse execve starts nothing: the command fails at once (or dies
// of the loader's first refused call). Typically a filesystem block without any syscalls
// block, whose default refuses every call.
bool Checker::warnIfExecveRefused(const std::optional<Span> &defaultSpan) {
  const ir::Syscalls &sys = policy_.syscalls;
  auto execve = lookupSyscall("execve");
  if (!execve) return false;
  for (ir::Arch arch : sys.arches) {
    auto nr = execve->numbers.find(arch);
    if (nr == execve->numbers.end()) continue;
    ir::ActionKind kind = ir::evaluateSyscall(sys, arch, nr->second, {}).action.kind;
    if (kind == ir::ActionKind::Allow || kind == ir::ActionKind::Log) continue;
    const ast::Module &root = *modules_.front().ast;
    Span at = defaultSpan ? *defaultSpan : root.policyName ? root.policyName->span : Span{root.file, 0, 0};
    warning("nothing-can-start", at,
            std::string("no program can start under this policy: execve is refused on ") + ir::archName(arch))
        .withHint(defaultSpan ? "allow execve and the calls programs need, or `default allow` with denies"
                              : "without a `default`, the syscalls layer refuses every call: add "
                                "`syscalls { default allow }` beside `use std.base` (its denies)");
    return true;
  }
  return false;
}

}  // namespace shellc