// The filter the sandbox runs (runtime/sockets/broker_filter.h) against the policy's program
// it is made from, both run as the kernel runs them (shellrt::runSeccompProgram) on the calls
// of every example and stdlib module's rules and on random ones: it decides each call as the
// policy's program does, except that an errno other than ENOSYS goes to the supervisor (which
// answers with it) and a socket call by address that the program lets run goes to the broker,
// and a rename too while the git guard holds a configuration; io_uring is refused whatever
// the policy says.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <random>

#include "backends/seccomp_bpf.h"
#include "bundle/seccomp_check.h"
#include "frontend/check.h"
#include "sockets/broker_filter.h"

namespace shellc {
namespace {

uint32_t run(const std::vector<sock_filter> &program, const seccomp_data &call) {
  uint32_t result = 0;
  std::string error;
  EXPECT_TRUE(shellrt::runSeccompProgram(program, call, result, error)) << error;
  return result;
}

// What the sandbox's filter must answer where the policy's program answers `policy`, with
// renames sent to the supervisor or not.
uint32_t expected(uint32_t policy, const seccomp_data &call, bool renames) {
  uint32_t action = policy & SECCOMP_RET_ACTION_FULL;
  if (action == SECCOMP_RET_ERRNO) return (policy & SECCOMP_RET_DATA) == ENOSYS ? policy : SECCOMP_RET_USER_NOTIF;
  if (action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG) return policy;
  bool uring = call.nr == SYS_io_uring_setup || call.nr == SYS_io_uring_enter || call.nr == SYS_io_uring_register;
  if (uring) return SECCOMP_RET_ERRNO | ENOSYS;
  bool byAddress = call.nr == SYS_connect || call.nr == SYS_sendmsg || call.nr == SYS_sendmmsg ||
                   (call.nr == SYS_sendto && call.args[4] != 0);
  bool rename = call.nr == SYS_rename || call.nr == SYS_renameat || call.nr == SYS_renameat2;
  return call.arch == AUDIT_ARCH_X86_64 && (byAddress || (renames && rename)) ? SECCOMP_RET_USER_NOTIF : policy;
}

TEST(SandboxFilter, DecidesAsThePolicyProgramSendingRefusalsAndSocketCallsToTheSupervisor) {
  std::mt19937_64 rng(5);
  int notified = 0, compared = 0, uringRefused = 0;
  for (const char *dir : {"stdlib", "examples"})
    for (auto &e : std::filesystem::recursive_directory_iterator(std::string(SHELLC_SOURCE_DIR) + "/" + dir)) {
      if (e.path().extension() != ".policy") continue;
      SourceManager sources;
      DiagnosticEngine diags;
      CheckOptions options;
      options.stdlibDir = SHELLC_SOURCE_DIR "/stdlib";
      CheckOutput out = checkPolicyFile(e.path(), options, sources, diags);
      ASSERT_TRUE(out.ok) << e.path();
      bpf::Program program;
      std::string error;
      ASSERT_TRUE(backends::compileSeccomp(out.policy.syscalls, ir::Arch::X86_64, program, error)) << error;
      std::vector<sock_filter> policy(program.begin(), program.end());
      bool renames = rng() % 2;
      std::vector<sock_filter> filter = shellrt::sandboxFilter(policy, renames);
      ASSERT_LE(filter.size(), policy.size() + 44);
      std::vector<int> numbers = {SYS_connect, SYS_sendto, SYS_sendmsg, SYS_sendmmsg, SYS_ptrace, SYS_read,
                                  SYS_rename, SYS_renameat, SYS_renameat2, SYS_io_uring_setup, SYS_io_uring_enter};
      for (const ir::SyscallRule &r : out.policy.syscalls.rules)
        for (auto [arch, nr] : r.numbers) numbers.push_back(nr);
      for (int i = 0; i < 400; ++i) {
        seccomp_data call{};
        call.nr = rng() % 3 == 0 ? static_cast<int>(rng() % 460) : numbers[rng() % numbers.size()];
        call.arch = rng() % 10 == 0 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
        for (auto &a : call.args) a = rng() % 3 == 0 ? rng() : rng() % 4;
        uint32_t mine = run(filter, call), want = expected(run(policy, call), call, renames);
        ASSERT_EQ(mine, want) << e.path() << " nr " << call.nr << " arch " << call.arch;
        notified += mine == SECCOMP_RET_USER_NOTIF;
        uringRefused += call.nr == SYS_io_uring_setup && mine == (SECCOMP_RET_ERRNO | ENOSYS);
        ++compared;
      }
    }
  EXPECT_GT(notified, 500);
  EXPECT_GT(uringRefused, 10);
  EXPECT_GT(compared, 5000);
}

}  // namespace
}  // namespace shellc
