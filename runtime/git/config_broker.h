// Git inside the sandbox rewriting a configuration that the guard holds read-only
// (git/guard.h): `git submodule add`, `git remote add`, `git config user.email`. Git writes
// NAME.lock and renames it over NAME, which the kernel refuses: NAME is a read-only mount
// point. The sandbox's filter sends each rename here when a configuration is held
// (sockets/broker_filter.h). One over a held configuration from its lock file beside it:
// the supervisor reads the lock file once and, when those bytes add nothing unsafe to the
// settings the configuration held at the start (addedUnsafeSettings), writes them into the
// configuration in place (the sandbox's read-only view is of that very file), removes the
// lock and answers the rename done; otherwise it answers EPERM and records what the rewrite
// would have added. Any other rename goes on as the agent made it, and the kernel decides
// it, the mounts still in place: whatever another thread of the agent changes in its memory
// meanwhile, the supervisor only ever puts checked bytes into a held configuration.
#pragma once
#include <linux/seccomp.h>
#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "audit.h"
#include "git/guard.h"

namespace shellrt {

// Whether `nr` is a rename the supervisor sees when a configuration is held.
bool isBrokeredRename(uint32_t nr);

class ConfigBroker {
public:
  ConfigBroker(const git::StartProtection &held, const std::string &workspace, AuditLog &audit);
  seccomp_notif_resp handle(const seccomp_notif &call, int listener) const;

private:
  struct Held {
    dev_t dev;
    ino_t ino;
    std::string dir, name;  // the git directory (the host's path, the sandbox's too) and "config"
    const std::vector<git::Setting> *atStart;
  };
  bool mayBeHeld(const seccomp_notif &call) const;
  const Held *target(class Caller &caller) const;
  std::string refusal(const Held &held, const std::string &text, bool readable) const;
  int64_t install(const Held &held, int callerPid) const;

  std::vector<Held> held_;
  std::string workspace_;
  AuditLog &audit_;
  mutable std::mutex mutex_;  // one rewrite of a configuration at a time
};

}  // namespace shellrt
