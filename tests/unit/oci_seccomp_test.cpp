// The OCI seccomp profile that `shellc build --emit oci-seccomp` writes, loaded the way
// container runtimes load it (through libseccomp), decides every row as shellc's own BPF.
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>

#include <random>
#include <set>

#include "backends/bundle.h"
#include "backends/seccomp_bpf.h"
#include "backends/seccomp_json.h"
#include "frontend/check.h"
#include "test_support.h"

namespace shellc {
namespace {

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
  bpf::Program runtime = testing::loadLikeARuntime(*parsed->getAsObject(), {}, refused);
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
