#include "sockets/broker_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <iterator>
#include <utility>

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

namespace {

// The broker's part: io_uring refused (ENOSYS, on every architecture: its numbers are the
// same on all); a socket call by address, and with `renames` a rename, goes to the
// supervisor; anything else ends in `allow` (the action the policy's program chose: allow,
// or log).
std::vector<sock_filter> brokerTail(uint32_t allow, bool renames) {
  const uint32_t uring[] = {SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register};
  std::vector<uint32_t> notified = {SYS_connect, SYS_sendmsg, SYS_sendmmsg};
  if (renames) {
#ifdef SYS_rename
    notified.push_back(SYS_rename);
#endif
    notified.push_back(SYS_renameat);
    notified.push_back(SYS_renameat2);
  }
  const uint8_t n = static_cast<uint8_t>(notified.size());
  // Layout: [0] load nr, [1..3] io_uring → [15+n], [4] load arch, [5] native? else → [8+n],
  // [6] load nr, [7, 7+n) each number → notify, [7+n] sendto?, [8+n] allow, [9+n..12+n]
  // sendto's address (arg 4) zero? → allow, [13+n] notify, [14+n] allow, [15+n] ENOSYS.
  // Offsets count from the next instruction.
  std::vector<sock_filter> p;
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (uint8_t i = 1; i <= 3; ++i)
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, uring[i - 1], static_cast<uint8_t>(14 + n - i), 0));
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeArch, 0, static_cast<uint8_t>(n + 2)));
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (uint8_t i = 0; i < n; ++i)
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, notified[i], static_cast<uint8_t>(n + 5 - i), 0));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendto, 1, 0));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, allow));
  // sendto without an address (send(2)) goes straight through: most socket writes are those.
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArgs + 4 * 8));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2));
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArgs + 4 * 8 + 4));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, allow));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
  return p;
}

}  // namespace

std::vector<sock_filter> sandboxFilter(const std::vector<sock_filter> &policy, bool renames) {
  std::vector<sock_filter> out = policy;
  std::vector<std::pair<uint32_t, size_t>> tails;  // an allowing action, where its tail starts
  std::vector<std::pair<size_t, uint32_t>> allowing;  // a return that lets the call run, and its action
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].code != (BPF_RET | BPF_K)) continue;
    uint32_t action = out[i].k & SECCOMP_RET_ACTION_FULL;
    if (action == SECCOMP_RET_ERRNO && (out[i].k & SECCOMP_RET_DATA) != ENOSYS) out[i].k = SECCOMP_RET_USER_NOTIF;
    else if (action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG) allowing.push_back({i, out[i].k});
  }
  for (const std::pair<size_t, uint32_t> &ret : allowing) {
    const size_t at = ret.first;
    const uint32_t action = ret.second;
    auto tail = std::find_if(tails.begin(), tails.end(), [&](const auto &t) { return t.first == action; });
    if (tail == tails.end()) {
      tail = tails.insert(tails.end(), {action, out.size()});
      std::vector<sock_filter> more = brokerTail(action, renames);
      out.insert(out.end(), more.begin(), more.end());
    }
    out[at] = BPF_STMT(BPF_JMP | BPF_JA, static_cast<uint32_t>(tail->second - at - 1));
  }
  return out;
}

}  // namespace shellrt
