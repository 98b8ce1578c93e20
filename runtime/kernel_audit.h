// The kernel's own audit records about the sandbox, forwarded into the audit log: Landlock
// denials (kernels with Landlock ABI 7 record them while audit is enabled) and the calls
// that seccomp `log` rules let through. Reading them takes CAP_AUDIT_READ, so a supervisor
// started as root forwards them; otherwise they stay in the kernel's audit trail (journald,
// auditd), and the start event says so.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "audit.h"

namespace shellrt {

class KernelAuditForwarder {
public:
  // Joins the audit multicast before the sandbox exists, so that nothing is missed. False
  // where that is not permitted.
  bool open();
  ~KernelAuditForwarder() { stop(); }  // every early return of the supervisor too
  // Forwards the records about `sandbox` (the host PID of its first process) and the
  // processes of its session, until stop().
  void start(pid_t sandbox, AuditLog &audit);
  void stop();

private:
  void forward(const std::string &records, AuditLog &audit);

  int socket_ = -1;
  pid_t sandbox_ = -1;             // its first process, whose session its processes share
  std::set<std::string> domains_;  // the Landlock domains the sandbox's first process made
  std::thread thread_;
  std::atomic<bool> stopping_ = false;
};

}  // namespace shellrt
