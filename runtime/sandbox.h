// The sandboxed child, from the moment it exists in its new namespaces to execve:
// mounts → rlimits → session → identity → capabilities → environment → fds →
// no_new_privs → Landlock → seccomp (the policy's filter, then the runtime's broker filter,
// whose listener the supervisor takes) → execve. Each step fails closed.
#pragma once
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "git/guard.h"
#include "terminal.h"

namespace shellrt {

struct SandboxSpec {
  const Bundle *bundle = nullptr;
  std::string home, workspace;
  std::vector<std::string> command;
  uid_t uid = 0;  // inside the user namespace
  gid_t gid = 0;
  std::vector<std::string> hostEnvironment;  // NAME=value of the supervisor
  int reportFd = -1;  // setup notes and the fatal error go here (the supervisor logs them)
  Terminal *terminal = nullptr;
  int notifySocket = -1;  // where the sandbox's sock_diag socket goes (sockets/sandbox_sockets.h)
  int ackFd = -1;  // read end: the supervisor has taken the seccomp listener when it writes
  int statusFd = -1;  // write end: the init reports the command's wait status here
  std::vector<std::string> hidden;  // host files kept out of the sandbox's view
  git::StartProtection git;  // the workspace's repository, held (git/guard.h)
  std::vector<std::string> socketPaths;  // host sockets (or their directories) a rule names: in view
  // PEM: the system's roots and the sandbox's TLS authority, where the proxy ends TLS
  // (egress/tls.h); empty where it does not.
  std::string trustStore;
};

// Never returns: execs the command, or reports why not and exits 125.
[[noreturn]] void runSandbox(const SandboxSpec &spec);

}  // namespace shellrt
