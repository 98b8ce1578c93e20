// The filter the sandbox runs: the policy's program (checked against its rules before) with
// two changes, both of which send a call to the supervisor, over the one listener a process
// may have. A call the program refuses with an errno: the supervisor answers it with that
// errno and records it with the rule behind it, so that denials are traced unprivileged as
// well (the kernel's audit trail takes CAP_AUDIT_READ); but ENOSYS, by which a policy says a
// call does not exist here, stays the kernel's, unrecorded: programs probe such calls and
// fall back (glibc tries clone3 at every fork and thread), and a trip to the supervisor for
// each would cost every fork. A call the program lets run by which a process reaches a
// socket by address (connect, sendto with an address, sendmsg, sendmmsg): the socket broker
// does it on the agent's behalf (sockets/broker.h); a rename while the git guard holds a
// configuration: the supervisor may do it (git/config_broker.h). The calls of the policy's
// `notify` rules reach it as the program says; kills and traps stay the kernel's.
#pragma once
#include <linux/filter.h>

#include <cstdint>
#include <vector>

namespace shellrt {

// Whether `nr` is one of the socket calls the supervisor brokers (running architecture).
bool isBrokeredSocketCall(uint32_t nr);

// Each return of `policy` that lets a call run jumps to the broker's part, which ends in the
// same action; each errno return notifies. With `renames` (the git guard holds a
// configuration, git/config_broker.h), the renames the program lets run go to the supervisor
// too. io_uring, whatever the policy says, is refused (ENOSYS): its operations open files
// and connect sockets inside the kernel, out of seccomp's and the broker's sight. At most 44
// instructions more.
std::vector<sock_filter> sandboxFilter(const std::vector<sock_filter> &policy, bool renames);

}  // namespace shellrt
