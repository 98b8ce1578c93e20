// The seccomp backend: the emitted program run by a userspace interpreter, and loaded into
// the kernel by a forked child that makes the real system calls.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>

#include "backends/seccomp_bpf.h"
#include "test_support.h"

namespace shellc {
namespace {

using testing::checkText;

bpf::Program compile(const ir::Policy &policy, ir::Arch arch = ir::Arch::X86_64) {
  bpf::Program program;
  std::string error;
  EXPECT_TRUE(backends::compileSeccomp(policy.syscalls, arch, program, error)) << error;
  return program;
}

uint32_t decide(const bpf::Program &program, int nr, std::array<uint64_t, 6> args = {},
                uint32_t arch = AUDIT_ARCH_X86_64) {
  bpf::SeccompData data;
  data.nr = nr;
  data.arch = arch;
  data.args = args;
  bpf::RunResult r = bpf::run(program, data);
  EXPECT_TRUE(r.valid);
  return r.action;
}

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
uint32_t errnoRet(int e) { return SECCOMP_RET_ERRNO | e; }

TEST(Seccomp, NumbersArchitectureAndX32) {
  auto c = checkText("syscalls {\n default allow\n deny ptrace\n kill bpf\n}\n");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  bpf::Program p = compile(c->output.policy);
  EXPECT_EQ(decide(p, SYS_ptrace), errnoRet(EPERM));
  EXPECT_EQ(decide(p, SYS_bpf), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(decide(p, SYS_read), kAllow);
  EXPECT_EQ(decide(p, 100000), kAllow);
  EXPECT_EQ(decide(p, SYS_read | 0x40000000), SECCOMP_RET_KILL_PROCESS);  // x32
  EXPECT_EQ(decide(p, 26, {}, AUDIT_ARCH_I386), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(decide(p, SYS_read, {}, AUDIT_ARCH_AARCH64), SECCOMP_RET_KILL_PROCESS);
  bpf::Program arm = compile(c->output.policy, ir::Arch::AArch64);
  EXPECT_EQ(decide(arm, 117 /* ptrace on aarch64 */, {}, AUDIT_ARCH_AARCH64), errnoRet(EPERM));
  EXPECT_EQ(decide(arm, 117, {}, AUDIT_ARCH_X86_64), SECCOMP_RET_KILL_PROCESS);
}

TEST(Seccomp, ArgumentComparisonsAsTheKernelReadsThem) {
  auto c = checkText(R"(syscalls {
  default allow
  deny socket(domain in [AF_PACKET, AF_NETLINK]) => errno(EAFNOSUPPORT)
  deny clone(flags & CLONE_NEWUSER != 0)
  deny ioctl(request == 0x5412)
  deny personality(persona > 0xffffffff)
  deny prctl(option >= 100, arg2 < 5) => errno(EINVAL)
})");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  bpf::Program p = compile(c->output.policy);
  EXPECT_EQ(decide(p, SYS_socket, {AF_PACKET, 3, 0}), errnoRet(EAFNOSUPPORT));
  EXPECT_EQ(decide(p, SYS_socket, {AF_NETLINK}), errnoRet(EAFNOSUPPORT));
  EXPECT_EQ(decide(p, SYS_socket, {AF_INET}), kAllow);
  // domain is an int: the kernel reads AF_PACKET, and so does the filter.
  EXPECT_EQ(decide(p, SYS_socket, {(1ull << 32) | AF_PACKET}), errnoRet(EAFNOSUPPORT));
  EXPECT_EQ(decide(p, SYS_clone, {0x10000000 | 0x100}), errnoRet(EPERM));
  EXPECT_EQ(decide(p, SYS_clone, {0x100}), kAllow);
  EXPECT_EQ(decide(p, SYS_ioctl, {1, 0x5412}), errnoRet(EPERM));
  EXPECT_EQ(decide(p, SYS_ioctl, {1, 0x100005412}), errnoRet(EPERM));  // TIOCSTI to the kernel
  // persona is 32 bits: no value the kernel reads is above 0xffffffff.
  EXPECT_EQ(decide(p, SYS_personality, {0x100000000}), kAllow);
  EXPECT_EQ(decide(p, SYS_personality, {0xffffffff}), kAllow);
  // clone's flags are an unsigned long: the high word counts.
  EXPECT_EQ(decide(p, SYS_clone, {(1ull << 40) | 0x10000000}), errnoRet(EPERM));
  EXPECT_EQ(decide(p, SYS_prctl, {100, 4}), errnoRet(EINVAL));
  EXPECT_EQ(decide(p, SYS_prctl, {100, 5}), kAllow);
  EXPECT_EQ(decide(p, SYS_prctl, {99, 4}), kAllow);
  EXPECT_EQ(decide(p, SYS_prctl, {1ull << 40, 1ull << 40}), kAllow);
}

TEST(Seccomp, StrictestActionWinsWhateverTheOrder) {
  auto c = checkText(R"(syscalls {
  default errno(ENOSYS)
  allow openat, read
  deny openat(flags & 0x40 == 0x40) => errno(EACCES)
  kill openat(flags == 0x41)
  log write
  deny write(fd == 2) => errno(EIO)
  deny write(fd == 2) => errno(EBADF)
})");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  bpf::Program p = compile(c->output.policy);
  EXPECT_EQ(decide(p, SYS_openat, {0, 0, 0}), kAllow);
  EXPECT_EQ(decide(p, SYS_openat, {0, 0, 0x40}), errnoRet(EACCES));
  EXPECT_EQ(decide(p, SYS_openat, {0, 0, 0x41}), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(decide(p, SYS_write, {1}), SECCOMP_RET_LOG);
  EXPECT_EQ(decide(p, SYS_write, {2}), errnoRet(EIO));  // the smaller errno of two
  EXPECT_EQ(decide(p, SYS_getpid), errnoRet(ENOSYS));
}

TEST(Seccomp, TooLargeIsAnErrorNotATruncatedProgram) {
  // ioctl's request is an unsigned int: one compare of the low word each (two instructions).
  std::string rules = "syscalls {\n  default allow\n";
  for (int i = 0; i < 4000; ++i) rules += "  deny ioctl(request == " + std::to_string(i) + ")\n";
  rules += "}\n";
  auto c = checkText(rules);
  ASSERT_TRUE(c->output.ok);
  bpf::Program program;
  std::string error;
  EXPECT_FALSE(backends::compileSeccomp(c->output.policy.syscalls, ir::Arch::X86_64, program, error));
  EXPECT_NE(error.find("at most 4096"), std::string::npos) << error;
}

TEST(Seccomp, FarJumpsStayCorrect) {
  std::string rules = "syscalls {\n  default allow\n";
  for (int i = 0; i < 300; ++i) rules += "  deny ioctl(request == " + std::to_string(i * 7) + ") => errno(E2BIG)\n";
  rules += "  kill ptrace\n}\n";
  auto c = checkText(rules);
  ASSERT_TRUE(c->output.ok);
  bpf::Program p = compile(c->output.policy);
  EXPECT_GT(p.size(), 600u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(decide(p, SYS_ioctl, {0, uint64_t(i * 7)}), errnoRet(E2BIG)) << i;
    EXPECT_EQ(decide(p, SYS_ioctl, {0, uint64_t(i * 7 + 1)}), kAllow) << i;
  }
  EXPECT_EQ(decide(p, SYS_ptrace), SECCOMP_RET_KILL_PROCESS);
}

// Runs `body` in a child under the filter; returns its exit status, or 128 + signal.
int underFilter(const bpf::Program &program, const std::function<int()> &body) {
  pid_t pid = fork();
  if (pid == 0) {
    sock_fprog prog{static_cast<unsigned short>(program.size()), const_cast<sock_filter *>(program.data())};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(100);
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) _exit(101);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(Seccomp, TheKernelEnforcesIt) {
  auto c = checkText(R"(syscalls {
  default allow
  deny socket(domain == AF_PACKET) => errno(EAFNOSUPPORT)
  deny getppid => errno(EHOSTDOWN)
  kill ptrace
})");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  bpf::Program p = compile(c->output.policy);
  EXPECT_EQ(underFilter(p, [] { return socket(AF_PACKET, SOCK_RAW, 0) < 0 && errno == EAFNOSUPPORT ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [] {  // the control: an allowed socket works
              int fd = socket(AF_UNIX, SOCK_STREAM, 0);
              return fd >= 0 ? 0 : 1;
            }),
            0);
  EXPECT_EQ(underFilter(p, [] { return syscall(SYS_getppid) < 0 && errno == EHOSTDOWN ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [] { return syscall(SYS_getpid) > 0 ? 0 : 1; }), 0);
  EXPECT_EQ(underFilter(p, [] { syscall(SYS_ptrace, 0, 0, 0, 0); return 0; }), 128 + SIGSYS);
  // The filter reads an argument as the kernel does: `domain` is an int, so socket(AF_PACKET
  // | 1 << 32) is AF_PACKET to the kernel, and to the filter too (CVE-2019-10063's bypass).
  EXPECT_EQ(underFilter(p, [] {
              long r = syscall(SYS_socket, (1ull << 32) | AF_PACKET, SOCK_RAW, 0);
              return r < 0 && errno == EAFNOSUPPORT ? 0 : 1;
            }),
            0);
}

}  // namespace
}  // namespace shellc

#include <random>

#include "ir/evaluate.h"

namespace shellc {
namespace {

// The emitted program and the one decision function (ir::evaluateSyscall) agree on random
// policies and random calls: every action kind, every comparison, values near the edges of
// both 32-bit words, calls named by the policy and calls it does not name.
TEST(Seccomp, AgreesWithTheEvaluatorOnRandomPolicies) {
  std::mt19937_64 rng(20261127);
  const int numbers[] = {0, 1, 2, 3, 16, 41, 56, 59, 101, 157, 200, 231, 257, 321, 435};
  const uint64_t edges[] = {0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x100000001,
                            0xffffffff00000000, ~0ull, 17, 0x10000000};
  auto value = [&] { return rng() % 3 ? edges[rng() % std::size(edges)] : rng(); };
  size_t checked = 0;
  for (int round = 0; round < 300; ++round) {
    ir::Arch arch = round % 2 ? ir::Arch::AArch64 : ir::Arch::X86_64;
    ir::Syscalls sys;
    sys.defaultAction = {static_cast<ir::ActionKind>(rng() % 7), static_cast<uint16_t>(1 + rng() % 5)};
    size_t rules = 1 + rng() % 25;
    for (size_t i = 0; i < rules; ++i) {
      ir::SyscallRule r;
      r.name = "r" + std::to_string(i);
      int nr = numbers[rng() % std::size(numbers)];
      r.numbers[arch] = nr;
      r.action = {static_cast<ir::ActionKind>(rng() % 7), static_cast<uint16_t>(1 + rng() % 5)};
      size_t conditions = rng() % 3;
      for (size_t c = 0; c < conditions; ++c) {
        ir::ArgCondition cond;
        cond.index = rng() % 6;
        cond.op = static_cast<ir::CompareOp>(rng() % 8);
        cond.mask = cond.op == ir::CompareOp::MaskedEq || cond.op == ir::CompareOp::MaskedNe ? value() : ~0ull;
        cond.value = value();
        r.conditions.push_back(cond);
      }
      sys.rules.push_back(r);
    }
    bpf::Program program;
    std::string error;
    ASSERT_TRUE(backends::compileSeccomp(sys, arch, program, error)) << error;
    for (int call = 0; call < 400; ++call) {
      int nr = rng() % 4 ? numbers[rng() % std::size(numbers)] : static_cast<int>(rng() % 500);
      ir::SyscallArgs args;
      for (uint64_t &a : args) a = value();
      // Make some calls satisfy a rule's conditions exactly.
      if (rng() % 2 && !sys.rules.empty()) {
        const ir::SyscallRule &r = sys.rules[rng() % sys.rules.size()];
        nr = r.numbers.at(arch);
        for (const ir::ArgCondition &c : r.conditions)
          if (c.op == ir::CompareOp::Eq || c.op == ir::CompareOp::MaskedEq) args[c.index] = c.value;
      }
      bpf::SeccompData data;
      data.nr = nr;
      data.arch = backends::auditArch(arch);
      data.args = args;
      bpf::RunResult r = bpf::run(program, data);
      ASSERT_TRUE(r.valid);
      ir::SyscallDecision expected = ir::evaluateSyscall(sys, arch, nr, args);
      if (r.action != backends::seccompReturn(expected.action)) {
        std::string dump = "nr " + std::to_string(nr) + " args";
        for (uint64_t a : args) dump += " " + std::to_string(a);
        dump += "\ndefault " + std::to_string(int(sys.defaultAction.kind)) + "/" + std::to_string(sys.defaultAction.errnoValue);
        for (const ir::SyscallRule &rule : sys.rules) {
          if (rule.numbers.at(arch) != nr) continue;
          dump += "\nrule action " + std::to_string(int(rule.action.kind)) + "/" + std::to_string(rule.action.errnoValue);
          for (const ir::ArgCondition &c : rule.conditions)
            dump += " [arg" + std::to_string(c.index) + " op" + std::to_string(int(c.op)) + " mask " +
                    std::to_string(c.mask) + " value " + std::to_string(c.value) + "]";
        }
        FAIL() << "round " << round << " call " << call << ": bpf " << r.action << " evaluator "
               << backends::seccompReturn(expected.action) << "\n" << dump << "\n" << bpf::disassemble(program);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 300u * 400u);
}

}  // namespace
}  // namespace shellc

namespace shellc {
namespace {

// The normalisation pass alone: maximal ranges, in order, each number's range deciding it
// as its rules do (the strictest unconditional action, or its block of conditions).
TEST(SeccompRanges, MaximalOrderedAndFaithful) {
  for (const char *name : {"coding-agent", "ci-job", "claude-code"}) {
    auto c = testing::checkText(testing::readFile(std::string(SHELLC_SOURCE_DIR) + "/examples/" + name + ".policy"));
    ASSERT_TRUE(c->output.ok) << c->rendered;
    const ir::Syscalls &sys = c->output.policy.syscalls;
    for (ir::Arch arch : ir::kAllArches) {
      std::vector<backends::SyscallRange> ranges = backends::syscallRanges(sys, arch);
      ASSERT_FALSE(ranges.empty());
      EXPECT_EQ(ranges.front().first, 0u);
      EXPECT_EQ(ranges.back().leaf, (backends::SyscallLeaf{false, backends::seccompReturn(sys.defaultAction), -1}));
      for (size_t i = 1; i < ranges.size(); ++i) {
        EXPECT_LT(ranges[i - 1].first, ranges[i].first);
        EXPECT_FALSE(ranges[i - 1].leaf == ranges[i].leaf) << "not maximal at " << ranges[i].first;
      }
      for (size_t i = 0; i + 1 < ranges.size(); ++i) {
        for (uint32_t nr = ranges[i].first; nr < ranges[i + 1].first; ++nr) {
          std::vector<const ir::SyscallRule *> rules;
          for (const ir::SyscallRule &r : sys.rules)
            if (r.numbers.count(arch) && r.numbers.at(arch) == static_cast<int>(nr)) rules.push_back(&r);
          bool conditional = std::any_of(rules.begin(), rules.end(), [](auto *r) { return !r->conditions.empty(); });
          const backends::SyscallLeaf &leaf = ranges[i].leaf;
          ASSERT_EQ(leaf.conditional, conditional) << name << " nr " << nr;
          if (conditional) EXPECT_EQ(leaf.nr, static_cast<int>(nr));
          else
            EXPECT_EQ(leaf.action, backends::seccompReturn(ir::evaluateSyscall(sys, arch, nr, {}).action))
                << name << " nr " << nr;
        }
      }
    }
  }
}

}  // namespace
}  // namespace shellc
