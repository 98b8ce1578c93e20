// The addresses of the machine the proxy runs on, every interface's: a connection to one
// reaches the host's own services (an SSH server, a database, Docker's API listening on all
// addresses) as loopback would. The proxy refuses them as it refuses loopback, whatever the
// rules' ranges and the default say, unless a matching allow rule names that very address
// (Table::namesAddressExactly). These are facts of the machine, not of the policy: the
// compiler's decision cannot know them, so this is a check of the runtime's, after the
// decision (docs/egress.md).
#pragma once
#include <cstdint>
#include <mutex>
#include <vector>

#include "egress/address.h"

namespace shellrt::egress {

class OwnAddresses {
public:
  // Read again when older than a few seconds: an interface may come up or change its address
  // while a session runs.
  bool contains(const Address &address);

private:
  std::mutex mutex_;
  std::vector<Address> addresses_;  // under mutex_
  int64_t readAtMs_ = -1;
};

}  // namespace shellrt::egress
