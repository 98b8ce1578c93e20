#include "sockets/broker_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstddef>

namespace shellrt {

namespace {

#if defined(__x86_64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_AARCH64;
#endif

constexpr uint32_t kArgs = offsetof(seccomp_data, args);

}  // namespace

bool isBrokeredSocketCall(uint32_t nr) {
  return nr == SYS_connect || nr == SYS_sendto || nr == SYS_sendmsg || nr == SYS_sendmmsg;
}

std::vector<sock_filter> brokerFilter(const std::vector<uint32_t> &notifyNumbers) {
  std::vector<uint32_t> notified = {SYS_connect, SYS_sendmsg, SYS_sendmmsg};
  for (uint32_t nr : notifyNumbers)
    if (std::find(notified.begin(), notified.end(), nr) == notified.end()) notified.push_back(nr);
  // Jump offsets are 8 bits: far more numbers than any policy notifies.
  if (notified.size() > 240) notified.resize(240);
  const uint8_t n = static_cast<uint8_t>(notified.size());
  // Layout: [0] load arch, [1] native?, [2] load nr, [3, 3+n) each number → notify,
  // [3+n] sendto?, [4+n] allow, [5+n..8+n] sendto's address (arg 4) zero? → allow,
  // [9+n] notify, [10+n] allow. Offsets count from the next instruction.
  std::vector<sock_filter> p;
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  // Another architecture is the policy's filter's to kill.
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeArch, 0, static_cast<uint8_t>(n + 2)));
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (uint8_t i = 0; i < n; ++i)
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, notified[i], static_cast<uint8_t>(n + 5 - i), 0));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendto, 1, 0));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  // sendto without an address (send(2)) goes straight through: most socket writes are those.
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArgs + 4 * 8));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2));
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArgs + 4 * 8 + 4));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return p;
}

}  // namespace shellrt
