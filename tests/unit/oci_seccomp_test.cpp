// The OCI seccomp profile that `shellc build --emit oci-seccomp` writes, loaded the way
// container runtimes load it (through libseccomp), decides every row as shellc's own BPF.
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>

#include "backends/bundle.h"
#include "backends/seccomp_bpf.h"
#include "backends/seccomp_json.h"
#include "frontend/check.h"

namespace shellc {
namespace {

uint32_t actionOf(const llvm::json::Object &entry) {
  std::string action = entry.getString("action")->str();
  uint32_t errnoRet = static_cast<uint32_t>(entry.getInteger("errnoRet").getValueOr(1));
  if (action == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (action == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (action == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  if (action == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errnoRet);
  if (action == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (action == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  return SCMP_ACT_KILL_PROCESS;
}

// A JSON number as the 64-bit value it stands for (masks use all 64 bits).
uint64_t number(const llvm::json::Value *v) {
  if (auto u = v->getAsUINT64()) return *u;
  return static_cast<uint64_t>(v->getAsInteger().getValueOr(0));
}

scmp_compare opOf(llvm::StringRef op) {
  if (op == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
  return SCMP_CMP_MASKED_EQ;
}

// What runc does with a profile: one libseccomp rule per entry and name, for x86_64.
// Numbers whose entries libseccomp refused: a runtime would refuse the whole profile.
bpf::Program loadLikeARuntime(const llvm::json::Object &profile, std::set<int> &refused) {
  llvm::json::Object defaults{{"action", *profile.getString("defaultAction")}};
  if (auto e = profile.getInteger("defaultErrnoRet")) defaults["errnoRet"] = *e;
  uint32_t fallback = actionOf(defaults);
  scmp_filter_ctx ctx = seccomp_init(fallback);
  seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
  seccomp_arch_add(ctx, SCMP_ARCH_X86_64);
  for (const llvm::json::Value &v : *profile.getArray("syscalls")) {
    const llvm::json::Object &entry = *v.getAsObject();
    if (auto *includes = entry.getObject("includes"))
      if (auto *arches = includes->getArray("arches"))
        if (std::none_of(arches->begin(), arches->end(), [](const llvm::json::Value &a) { return a.getAsString() && *a.getAsString() == "amd64"; }))
          continue;
    std::vector<scmp_arg_cmp> conditions;
    if (auto *args = entry.getArray("args"))
      for (const llvm::json::Value &a : *args) {
        const llvm::json::Object &o = *a.getAsObject();
        conditions.push_back({static_cast<unsigned>(number(o.get("index"))), opOf(*o.getString("op")),
                              number(o.get("value")), number(o.get("valueTwo"))});
      }
    uint32_t action = actionOf(entry);
    if (action == fallback) continue;  // libseccomp refuses a rule that repeats the default
    for (const llvm::json::Value &name : *entry.getArray("names")) {
      int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.getAsString()->str().c_str());
      if (nr < 0) continue;
      if (seccomp_rule_add_exact_array(ctx, action, nr, conditions.size(), conditions.data()) != 0)
        refused.insert(nr);
    }
  }
  int fd = memfd_create("bpf", 0);
  seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  off_t size = lseek(fd, 0, SEEK_END);
  bpf::Program program(size / sizeof(sock_filter));
  EXPECT_EQ(pread(fd, program.data(), size, 0), size);
  close(fd);
  return program;
}

TEST(OciSeccomp, ARuntimeLoadingTheProfileDecidesAsShellc) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOptions options;
  options.stdlibDir = SHELLC_SOURCE_DIR "/stdlib";
  CheckOutput checked =
      checkPolicyFile(SHELLC_SOURCE_DIR "/examples/coding-agent.policy", options, sources, diags);
  ASSERT_TRUE(checked.ok);
  const ir::Syscalls &sys = checked.policy.syscalls;
  backends::SourceNames names(SHELLC_SOURCE_DIR, SHELLC_SOURCE_DIR "/stdlib");
  std::vector<std::string> problems;
  llvm::json::Value profile = backends::ociSeccompJson(sys, names, problems);
  // std.base's `persona not in [...]` compares one argument five times: libseccomp refuses
  // that entry (the runtime then refuses the profile: it fails closed), and the build says so.
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("base.policy"), std::string::npos) << problems[0];
  const int refusedNr = 135;  // personality on x86_64
  // As a runtime reads it: from the text.
  auto parsed = llvm::json::parse(backends::canonicalJson(profile));
  ASSERT_TRUE(bool(parsed));
  std::set<int> refused;
  bpf::Program runtime = loadLikeARuntime(*parsed->getAsObject(), refused);
  EXPECT_EQ(refused, std::set<int>{refusedNr});
  bpf::Program ours;
  std::string error;
  ASSERT_TRUE(backends::compileSeccomp(sys, ir::Arch::X86_64, ours, error)) << error;

  std::mt19937_64 rng(7);
  size_t rows = 0;
  for (int nr = 0; nr < 460; ++nr) {
    if (nr == refusedNr) continue;  // checked above: the profile does not load
    for (int i = 0; i < 40; ++i) {
      bpf::SeccompData data;
      data.nr = nr;
      data.arch = backends::auditArch(ir::Arch::X86_64);
      for (uint64_t &a : data.args) a = i % 2 ? rng() : rng() % 64;
      // Rows that meet the conditions of the rules on this number, one rule at a time.
      for (const ir::SyscallRule &r : sys.rules)
        if (r.numbers.count(ir::Arch::X86_64) && r.numbers.at(ir::Arch::X86_64) == nr && rng() % 2)
          for (const ir::ArgCondition &c : r.conditions)
            if (c.op == ir::CompareOp::Eq || c.op == ir::CompareOp::MaskedEq)
              data.args[c.index] = (data.args[c.index] & ~c.mask) | (c.value & c.mask);
      ASSERT_EQ(bpf::run(runtime, data).action, bpf::run(ours, data).action)
          << "syscall " << nr << " args " << data.args[0] << " " << data.args[1] << " " << data.args[2];
      ++rows;
    }
  }
  EXPECT_EQ(rows, 459u * 40u);
}

}  // namespace
}  // namespace shellc
