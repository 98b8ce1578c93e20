#include "init.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace shellrt {

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
volatile pid_t command = 0;

void forward(int signal) {
  // The command's process group: a shell's jobs get what a terminal would send them.
  if (command > 0 && kill(-command, signal) != 0) kill(command, signal);
}

sigset_t forwardedSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwarded) sigaddset(&set, s);
  return set;
}

// In the command, before exec: a process group of its own, in the terminal's foreground
// when there is one, so that Ctrl-C reaches it once (not also through the init).
void becomeForeground() {
  setpgid(0, 0);
  if (!isatty(STDIN_FILENO)) return;
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, &old);
  tcsetpgrp(STDIN_FILENO, getpid());
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

[[noreturn]] void finish(int statusFd, int status) {
  std::string line = "status " + std::to_string(status) + "\n";
  ssize_t ignored = write(statusFd, line.data(), line.size());
  (void)ignored;
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

}  // namespace

void runInit(int statusFd, int closeInInit, int (*exec)(void *), void *context) {
  sigset_t forwarded = forwardedSet(), old;
  sigprocmask(SIG_BLOCK, &forwarded, &old);  // none is lost between fork and the handlers
  pid_t child = fork();
  if (child < 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return;
  }
  if (child == 0) {
    close(statusFd);
    becomeForeground();
    sigprocmask(SIG_SETMASK, &old, nullptr);
    _exit(exec(context));
  }
  command = child;
  close(closeInInit);
  prctl(PR_SET_DUMPABLE, 0);
  prctl(PR_SET_NAME, "init");
  struct sigaction action {};
  action.sa_handler = forward;
  action.sa_flags = SA_RESTART;
  for (int s : kForwarded) sigaction(s, &action, nullptr);
  sigprocmask(SIG_SETMASK, &old, nullptr);
  for (;;) {
    int status;
    pid_t done = waitpid(-1, &status, 0);
    if (done == child) finish(statusFd, status);  // what is left dies with PID 1
    if (done < 0 && errno == ECHILD) _exit(125);   // cannot happen: the command is a child
  }
}

}  // namespace shellrt
