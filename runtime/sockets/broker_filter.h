// The runtime's own seccomp filter, stacked on the policy's: it sends the calls by which a
// process reaches a socket by address (connect, sendto with an address, sendmsg, sendmmsg)
// and the calls of the policy's `notify` rules to the supervisor. The kernel takes the
// strictest answer of the two filters, so a call the policy refuses is refused before the
// supervisor sees it; the supervisor sees only what the policy allows, logs or notifies.
// It holds the only listener a process may have (the policy's filter is loaded without).
#pragma once
#include <linux/filter.h>

#include <cstdint>
#include <vector>

namespace shellrt {

// Whether `nr` is one of the socket calls the supervisor brokers (running architecture).
bool isBrokeredSocketCall(uint32_t nr);

std::vector<sock_filter> brokerFilter(const std::vector<uint32_t> &notifyNumbers);

}  // namespace shellrt
