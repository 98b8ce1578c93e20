#include "backends/seccomp_json.h"

#include <llvm/Support/Base64.h>

#include <algorithm>
#include <map>

#include "backends/seccomp_bpf.h"

namespace shellc::backends {

std::string bundleActionText(const ir::SyscallAction &a) {
  switch (a.kind) {
  case ir::ActionKind::Allow: return "allow";
  case ir::ActionKind::Log: return "log";
  case ir::ActionKind::Notify: return "notify";
  case ir::ActionKind::Errno: return "errno(" + std::to_string(a.errnoValue) + ")";
  case ir::ActionKind::Trap: return "trap";
  case ir::ActionKind::KillThread: return "kill_thread";
  case ir::ActionKind::KillProcess: return "kill_process";
  }
  return "?";
}


std::string programBytes(const bpf::Program &program) {
  return std::string(reinterpret_cast<const char *>(program.data()), program.size() * sizeof(sock_filter));
}

llvm::json::Value seccompJson(const ir::Syscalls &syscalls, const std::map<ir::Arch, bpf::Program> &programs,
                              const SourceNames &names) {
  llvm::json::Object arches;
  for (auto &[arch, program] : programs) {
    llvm::json::Array rules;
    for (const ir::SyscallRule &r : syscalls.rules) {
      auto nr = r.numbers.find(arch);
      if (nr == r.numbers.end()) continue;
      llvm::json::Array conditions;
      for (const ir::ArgCondition &c : r.conditions)
        conditions.push_back(llvm::json::Object{{"arg", c.index}, {"op", ir::compareOpWords(c.op).bundle}, {"mask", c.mask}, {"value", c.value}});
      rules.push_back(llvm::json::Object{{"syscall", r.name}, {"nr", nr->second}, {"conditions", std::move(conditions)},
                                         {"action", bundleActionText(r.action)}, {"rule", names.rule(r.id)}});
    }
    arches[ir::archName(arch)] = llvm::json::Object{{"audit_arch", auditArch(arch)},
                                                    {"instructions", program.size()},
                                                    {"program", llvm::encodeBase64(programBytes(program))},
                                                    {"rules", std::move(rules)}};
  }
  return llvm::json::Object{{"default_action", bundleActionText(syscalls.defaultAction)}, {"arches", std::move(arches)}};
}

namespace {

llvm::json::Object ociAction(const ir::SyscallAction &a) {
  switch (a.kind) {
  case ir::ActionKind::Allow: return llvm::json::Object{{"action", "SCMP_ACT_ALLOW"}};
  case ir::ActionKind::Log: return llvm::json::Object{{"action", "SCMP_ACT_LOG"}};
  case ir::ActionKind::Notify: return llvm::json::Object{{"action", "SCMP_ACT_NOTIFY"}};
  case ir::ActionKind::Errno: return llvm::json::Object{{"action", "SCMP_ACT_ERRNO"}, {"errnoRet", a.errnoValue}};
  case ir::ActionKind::Trap: return llvm::json::Object{{"action", "SCMP_ACT_TRAP"}};
  case ir::ActionKind::KillThread: return llvm::json::Object{{"action", "SCMP_ACT_KILL_THREAD"}};
  case ir::ActionKind::KillProcess: return llvm::json::Object{{"action", "SCMP_ACT_KILL_PROCESS"}};
  }
  return {};
}

// The OCI format ANDs the conditions of one entry, as libseccomp does. It has no masked
// "not equal": `a & m != v` holds when some bit of m differs from v, one entry per bit.
// libseccomp also refuses two comparisons of one argument (`persona not in [0, 8]`), and
// no set of entries of single comparisons says the same thing (an unconditional entry
// overrides conditional ones, and it mis-compiles many masks on one argument): such a rule
// is written as it is, so that a runtime refuses the profile rather than enforce another
// policy, and it is reported in `problem`.
using Entry = std::vector<llvm::json::Object>;  // conditions ANDed in one entry

// One condition as alternatives of single comparisons; an empty alternative always holds,
// no alternative at all never does.
std::vector<Entry> singleComparisons(const ir::ArgCondition &c) {
  auto arg = [&](const char *op, uint64_t value, uint64_t valueTwo) {
    return Entry{llvm::json::Object{{"index", c.index}, {"value", value}, {"valueTwo", valueTwo}, {"op", op}}};
  };
  // An argument narrowed to what the kernel reads (an `int`'s low 32 bits) is compared with
  // its mask; libseccomp has masked equality only (ociConditions reports the ordered ones).
  ir::CompareOp op = c.op == ir::CompareOp::Eq && c.mask != ~0ull   ? ir::CompareOp::MaskedEq
                     : c.op == ir::CompareOp::Ne && c.mask != ~0ull ? ir::CompareOp::MaskedNe
                                                                    : c.op;
  switch (op) {
  case ir::CompareOp::Eq:
  case ir::CompareOp::Ne:
  case ir::CompareOp::Lt:
  case ir::CompareOp::Le:
  case ir::CompareOp::Gt:
  case ir::CompareOp::Ge: return {arg(ir::compareOpWords(op).oci, c.value, 0)};
  case ir::CompareOp::MaskedEq:  // a value with bits outside the mask never matches
    if (c.value & ~c.mask) return {};
    return {arg("SCMP_CMP_MASKED_EQ", c.mask, c.value)};
  case ir::CompareOp::MaskedNe: {  // ... and then always differs
    if (c.value & ~c.mask) return {Entry{}};
    std::vector<Entry> bits;
    for (unsigned bit = 0; bit < 64; ++bit)
      if (c.mask & (1ull << bit)) bits.push_back(arg("SCMP_CMP_MASKED_EQ", 1ull << bit, ~c.value & (1ull << bit)));
    return bits;
  }
  }
  return {};
}

std::vector<Entry> ociConditions(const std::vector<ir::ArgCondition> &conditions, std::string &problem) {
  std::map<unsigned, int> comparisons;
  bool refused = false;  // by libseccomp: the rule is then written as it is
  for (const ir::ArgCondition &c : conditions) {
    if (++comparisons[c.index] == 2) {
      problem = "it compares argument " + std::to_string(c.index) + " more than once, which libseccomp refuses";
      refused = true;
    }
    bool ordered = c.op == ir::CompareOp::Lt || c.op == ir::CompareOp::Le || c.op == ir::CompareOp::Gt ||
                   c.op == ir::CompareOp::Ge;
    if (ordered && c.mask != ~0ull)
      problem = "it orders argument " + std::to_string(c.index) + ", which the kernel reads as fewer than 64 bits; "
                "libseccomp compares all 64";
  }
  // A rule libseccomp refuses is written as it is, in one entry: the runtime refuses it.
  if (refused) {
    Entry asWritten;
    for (const ir::ArgCondition &c : conditions) {
      const char *op = c.op == ir::CompareOp::MaskedNe ? "SCMP_CMP_NE" : ir::compareOpWords(c.op).oci;
      bool masked = c.op == ir::CompareOp::MaskedEq;
      asWritten.push_back(llvm::json::Object{
          {"index", c.index}, {"value", masked ? c.mask : c.value}, {"valueTwo", masked ? c.value : 0}, {"op", op}});
    }
    return {std::move(asWritten)};
  }
  std::vector<Entry> entries{Entry{}};
  for (const ir::ArgCondition &c : conditions) {
    std::vector<Entry> next;
    for (const Entry &prefix : entries)
      for (const Entry &alternative : singleComparisons(c)) {
        Entry e;
        for (const auto &o : prefix) e.push_back(llvm::json::Object(o));
        for (const auto &o : alternative) e.push_back(llvm::json::Object(o));
        next.push_back(std::move(e));
      }
    entries = std::move(next);
  }
  return entries;
}

}  // namespace

llvm::json::Value ociSeccompJson(const ir::Syscalls &syscalls, const SourceNames &names,
                                 std::vector<std::string> &problems) {
  llvm::json::Array archNames;
  for (ir::Arch arch : syscalls.arches) archNames.push_back(arch == ir::Arch::X86_64 ? "SCMP_ARCH_X86_64" : "SCMP_ARCH_AARCH64");
  llvm::json::Array entries;
  for (const ir::SyscallRule &r : syscalls.rules) {
    std::string problem;
    auto entriesOfRule = ociConditions(r.conditions, problem);
    if (!problem.empty()) problems.push_back(names.portable(r.id.file) + ":" + std::to_string(r.id.line) + ": " + problem);
    for (auto &conditions : entriesOfRule) {  // none: the rule never matches
      llvm::json::Object entry = ociAction(r.action);
      entry["names"] = llvm::json::Array{r.name};
      llvm::json::Array args;
      for (auto &c : conditions) args.push_back(std::move(c));
      if (!args.empty()) entry["args"] = std::move(args);
      // Rules compiled for one architecture only (constants that differ) say so.
      if (r.numbers.size() == 1)
        entry["includes"] = llvm::json::Object{
            {"arches", llvm::json::Array{r.numbers.begin()->first == ir::Arch::X86_64 ? "amd64" : "arm64"}}};
      entry["comment"] = (r.id.name.empty() ? "" : r.id.name + " ") + names.portable(r.id.file) + ":" +
                         std::to_string(r.id.line);
      entries.push_back(std::move(entry));
    }
  }
  llvm::json::Object profile = ociAction(syscalls.defaultAction);
  llvm::json::Object out{{"defaultAction", profile["action"]}, {"architectures", std::move(archNames)},
                         {"syscalls", std::move(entries)}};
  if (auto *e = profile.get("errnoRet")) out["defaultErrnoRet"] = *e;
  return out;
}

}  // namespace shellc::backends
