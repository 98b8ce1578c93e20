// The supervisor's guardian: a process forked before the sandbox exists, which outlives the
// supervisor however it ends (a return, a crash, SIGKILL) and then puts the host back:
// it removes the placeholders (the empty read-only directories that held protected paths
// that did not exist yet, mounts.cpp), and runs the git guard's end-of-session check
// (git/guard.h), reporting on stderr and in the audit log.
#pragma once
#include <sys/types.h>
#include <time.h>

#include <string>
#include <vector>

#include "audit.h"
#include "git/guard.h"

namespace shellrt {

class Guardian {
public:
  struct Session {
    std::string workspace, home;
    git::StartProtection git;  // what the git guard held at the start
  };
  // Forks it: before the supervisor has threads, so that it may allocate.
  bool start(const Session &session, AuditLog &audit);
  void placeholder(const std::string &line);  // Placeholder::line(), deepest first
  void sandbox(pid_t pid);  // it waits for that process to be gone before it checks
  // Lets it do its work, and waits for it.
  void finish();

private:
  void send(const std::string &line);
  int lifeline_ = -1;  // its end of file tells the guardian the supervisor is gone
  pid_t pid_ = -1;
};

}  // namespace shellrt
