// The sandbox's own cgroup, so that `limit memory` and `limit processes` bound the sandbox
// as a whole. The rlimits stay (defence in depth), but RLIMIT_AS bounds one process's address
// space, so that several processes together get past it, and RLIMIT_NPROC counts a user's
// processes (per user namespace since Linux 5.14, host-wide before) and never root's.
//
// cgroup v2 where the supervisor's own cgroup can pass the memory and pids controllers on to
// a child, else the v1 hierarchies of those controllers (hybrid hosts). The cgroup is
// <the supervisor's cgroup>/shellc-<supervisor pid>, in each hierarchy used. (v2 passes
// controllers on only from a cgroup without processes, or the root cgroup: on a pure v2 host
// a supervisor elsewhere gets no cgroup, and says why.)
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit.h"
#include "bundle/bundle.h"

namespace shellrt {

struct CgroupMount {
  std::string root, point, type, options;  // options: the superblock's ("rw,memory" for v1)
};
// The cgroup and cgroup2 mounts that a mountinfo file lists; false when it cannot be read.
bool cgroupMounts(const std::string &mountinfo, std::vector<CgroupMount> &out);

class Cgroup {
public:
  // With the rights the supervisor starts with (root, or the owner of a delegated cgroup):
  // creates the cgroup with the bundle's limits, and the keeper, the process that keeps
  // those rights to move the sandbox in and remove the cgroup (cgroup.cpp). Returns false
  // with `error` when the sandbox must not start (a limit it cannot enforce under
  // compatibility hard_requirement); `notes` says what was applied, or what was skipped.
  bool create(const Bundle &bundle, std::string &notes, std::string &error);
  // Moves the sandbox's first process in, before it execs the agent: every process the
  // agent starts is then inside (and stays: mounts.cpp keeps cgroupfs out of its reach, or
  // read-only). Same contract as create.
  bool enter(pid_t pid, std::string &notes, std::string &error);
  // After the sandbox ended: a `limit` event for each limit that stopped something.
  void logStops(AuditLog &audit) const;
  // Kills what is left inside and removes the cgroup; false with `why` when it could not.
  bool remove(std::string &why);

  // Where the cgroup is: its directory in the hierarchy of each controller used ("" when
  // that limit is not set). With v2, or v1 controllers mounted together, they are one.
  struct Placement {
    int version = 0;
    std::string memory, pids;
    bool swapCapped = false;  // the memory limit covers swap too
    std::vector<std::string> dirs() const;
  };

private:
  bool startKeeper(std::string &why);
  bool skip(const std::string &why, std::string &notes, std::string &error) const;
  std::string describe() const;

  std::optional<uint64_t> memory_, processes_;
  bool hardRequirement_ = false;
  Placement placement_;
  pid_t keeper_ = -1;
  int keeperSocket_ = -1;
  bool entered_ = false;
};

}  // namespace shellrt
