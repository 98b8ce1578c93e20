// Every syscall rule of every stdlib module and example, decided by the emitted BPF as the
// evaluator decides it: one row that meets the rule's conditions and one next to it.
// The coding-agent filter is also loaded into the kernel and attacked for real.
#include <algorithm>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "backends/seccomp_bpf.h"
#include "frontend/check.h"
#include "ir/evaluate.h"

namespace shellc {
namespace {

// Arguments that satisfy every condition of `rule`, where that is possible.
ir::SyscallArgs meeting(const ir::SyscallRule &rule) {
  ir::SyscallArgs args{};
  for (const ir::ArgCondition &c : rule.conditions) {
    uint64_t &a = args[c.index];
    switch (c.op) {
    case ir::CompareOp::Eq: case ir::CompareOp::Ge: case ir::CompareOp::Le: a = c.value; break;
    case ir::CompareOp::Ne: {  // a value, as the kernel reads it (the mask), that no Ne here names
      auto named = [&](uint64_t v) {
        return std::any_of(rule.conditions.begin(), rule.conditions.end(), [&](const ir::ArgCondition &o) {
          return o.index == c.index && o.op == ir::CompareOp::Ne && (v & o.mask) == o.value;
        });
      };
      for (a = (c.value + 1) & c.mask; named(a); a = (a + 1) & c.mask) {
      }
      break;
    }
    case ir::CompareOp::Gt: a = c.value + 1; break;
    case ir::CompareOp::Lt: a = c.value - 1; break;
    case ir::CompareOp::MaskedEq: a = (a & ~c.mask) | (c.value & c.mask); break;
    case ir::CompareOp::MaskedNe: a = (a & ~c.mask) | (~c.value & c.mask); break;
    }
  }
  return args;
}

std::vector<std::filesystem::path> policies() {
  std::vector<std::filesystem::path> out;
  for (const char *dir : {"stdlib", "examples"})
    for (auto &e : std::filesystem::recursive_directory_iterator(std::string(SHELLC_SOURCE_DIR) + "/" + dir))
      if (e.path().extension() == ".policy") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

ir::Policy checked(const std::filesystem::path &path) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOptions options;
  options.stdlibDir = SHELLC_SOURCE_DIR "/stdlib";
  CheckOutput out = checkPolicyFile(path, options, sources, diags);
  EXPECT_TRUE(out.ok) << path;
  return out.policy;
}

TEST(SeccompRules, EveryRuleOfEveryShippedPolicy) {
  size_t rows = 0, policiesWithRules = 0;
  for (const auto &path : policies()) {
    ir::Policy policy = checked(path);
    if (policy.syscalls.rules.empty()) continue;
    ++policiesWithRules;
    for (ir::Arch arch : policy.syscalls.arches) {
      bpf::Program program;
      std::string error;
      ASSERT_TRUE(backends::compileSeccomp(policy.syscalls, arch, program, error)) << path << ": " << error;
      for (const ir::SyscallRule &rule : policy.syscalls.rules) {
        auto nr = rule.numbers.find(arch);
        if (nr == rule.numbers.end()) continue;
        ir::SyscallArgs args = meeting(rule);
        ir::SyscallArgs beside = args;
        for (uint64_t &a : beside) a ^= 1;  // off by one bit everywhere
        for (const ir::SyscallArgs &row : {args, beside}) {
          bpf::SeccompData data;
          data.nr = nr->second;
          data.arch = backends::auditArch(arch);
          data.args = row;
          bpf::RunResult got = bpf::run(program, data);
          ir::SyscallDecision want = ir::evaluateSyscall(policy.syscalls, arch, nr->second, row);
          ASSERT_TRUE(got.valid);
          EXPECT_EQ(got.action, backends::seccompReturn(want.action))
              << path << " " << rule.id.display() << " " << rule.name << " on " << ir::archName(arch);
          ++rows;
        }
        // The row that meets the conditions is decided by this rule or a stricter one.
        ir::SyscallDecision met = ir::evaluateSyscall(policy.syscalls, arch, nr->second, args);
        EXPECT_FALSE(ir::stricter(rule.action, met.action)) << path << " " << rule.id.display();
      }
    }
  }
  EXPECT_GE(policiesWithRules, 5u);
  EXPECT_GT(rows, 500u);
}

int underFilter(const bpf::Program &program, const std::function<int()> &body) {
  pid_t pid = fork();
  if (pid == 0) {
    sock_fprog prog{static_cast<unsigned short>(program.size()), const_cast<sock_filter *>(program.data())};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
      _exit(100);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// What an agent tries (threats 14-19), under the real coding-agent filter, with a control
// beside each attack that the policy allows.
TEST(SeccompRules, CodingAgentFilterHoldsInTheKernel) {
  ir::Policy policy = checked(std::string(SHELLC_SOURCE_DIR) + "/examples/coding-agent.policy");
  bpf::Program p;
  std::string error;
  ASSERT_TRUE(backends::compileSeccomp(policy.syscalls, ir::Arch::X86_64, p, error)) << error;
  auto refused = [](long r) { return r < 0 && (errno == EPERM || errno == ENOSYS || errno == EAFNOSUPPORT); };
  EXPECT_EQ(underFilter(p, [&] { return refused(syscall(SYS_ptrace, 0 /*TRACEME*/, 0, 0, 0)) ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [&] { return refused(syscall(SYS_bpf, 0, 0, 0)) ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [&] { return refused(syscall(SYS_io_uring_setup, 1, 0)) ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [&] { return refused(syscall(SYS_unshare, CLONE_NEWUSER)) ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [&] { return refused(socket(AF_PACKET, SOCK_RAW, 0)) ? 0 : 1; }), 0);
  // The controls: the same calls with what the policy allows.
  EXPECT_EQ(underFilter(p, [] { return syscall(SYS_unshare, 0) == 0 ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [] { return socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [] { return getpid() > 0 ? 0 : 1; }), 0);
  // A foreign ABI: the x32 number of getpid is killed.
  EXPECT_EQ(underFilter(p, [] { syscall(0x40000000 | SYS_getpid); return 0; }), 128 + SIGSYS);
}

}  // namespace
}  // namespace shellc
