#include "placeholders.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace shellrt {

void Placeholders::removeNow() const {
  for (const std::string &path : paths_) rmdir(path.c_str());  // only if still empty
}

void Placeholders::remove() {
  removeNow();
  if (guardian_ < 0) return;
  close(lifeline_);
  while (waitpid(guardian_, nullptr, 0) < 0 && errno == EINTR) {
  }
  guardian_ = -1;
}

void Placeholders::guard() {
  if (paths_.empty()) return;
  int lifeline[2];
  if (pipe2(lifeline, O_CLOEXEC) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    // Only what is safe after forking a process with threads: no allocation from here on.
    // Nothing of the supervisor's is kept open (the keeper's socket, the caller's pipes):
    // whoever waits for those to close must not wait for this process.
    int keep = lifeline[0];
    if (keep > 0) syscall(SYS_close_range, 0u, static_cast<unsigned>(keep - 1), 0u);
    syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0u, 0u);
    prctl(PR_SET_NAME, "shellrt-cleanup");
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) signal(s, SIG_IGN);  // a ^C is for the agent
    char byte;
    while (read(lifeline[0], &byte, 1) != 0) {
    }  // the end of file: every copy of the write end is closed, the supervisor's last
    removeNow();
    _exit(0);
  }
  close(lifeline[0]);
  if (pid < 0) {
    close(lifeline[1]);
    return;
  }
  guardian_ = pid;
  lifeline_ = lifeline[1];
}

}  // namespace shellrt
