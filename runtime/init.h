// The sandbox's PID 1: a small init between the runtime and the command, as tini and
// dumb-init are for containers. PID 1 ignores every signal it has no handler for and must
// reap what is orphaned to it; a command run as PID 1 does neither (SIGTERM from a CI
// timeout did nothing; python left zombies). The init runs under every layer of the
// policy, like the command, and cannot be read or written through /proc (not dumpable).
#pragma once
#include <string>
#include <vector>

namespace shellrt {

// Forks the command and execs it (`exec` is called in the child; it returns only on
// failure, with the exit status to use). In this process: forwards TERM, INT, HUP, QUIT,
// USR1, USR2 and WINCH to the command's process group, reaps every child, and when the
// command ends writes its wait status to `statusFd` ("status N\n") and exits with the
// status a shell would give. Returns only if the fork failed (the policy may forbid it):
// the caller then execs the command itself, as PID 1.
// `closeInInit`: a descriptor only the command keeps (the report pipe, closed at its exec).
void runInit(int statusFd, int closeInInit, int (*exec)(void *), void *context);

}  // namespace shellrt
