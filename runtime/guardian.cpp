#include "guardian.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "descriptors.h"
#include "git/guard.h"
#include "git/live_check.h"
#include "placeholder.h"

namespace shellrt {

namespace {

// The sandbox's init is gone, and with it (PID 1 of its namespace) every process in it. The
// supervisor reaps it before it lets go of the lifeline; a supervisor that died instead took
// the sandbox with it (PR_SET_PDEATHSIG). Should the sandbox still run, the guardian ends it:
// nothing of a session outlives it, and this process, which holds the caller's stderr, never
// waits without end.
void awaitEnd(int pidfd) {
  if (pidfd < 0) return;  // never started, or already reaped when it was named
  pollfd p{pidfd, POLLIN, 0};
  for (int waited = 0; waited < 2; ++waited) {
    int ready;
    while ((ready = poll(&p, 1, 5000)) < 0 && errno == EINTR) {
    }
    if (ready != 0) break;
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
  }
  close(pidfd);
}

void report(const std::vector<git::Finding> &findings, AuditLog &audit) {
  for (const git::Finding &f : findings) {
    sayLine("shellrt: git: " + f.path + ": " + f.reason + "; " +
            (f.movedTo.empty() ? std::string("could not move it aside: remove it before you run git")
                               : "moved aside to " + f.movedTo));
    audit.event("git_quarantine", {{"path", f.path}, {"reason", f.reason}, {"moved_to", f.movedTo}});
  }
}

// A sandbox that keeps writing what the host's git would run is ended (git/live_check.h),
// once: the supervisor then sees its command killed.
void endSession(int sandbox, const std::string &why, AuditLog &audit) {
  sayLine("shellrt: git: " + why + ": the session is ended");
  audit.event("session_ended", {{"by", std::string("git guard")}, {"reason", why}});
  syscall(SYS_pidfd_send_signal, sandbox, SIGKILL, nullptr, 0);
}

// The live check's reach, in the audit log; on stderr too when the kernel's limit left
// directories unwatched.
void sayWatched(const git::LiveCheck &live, AuditLog &audit) {
  std::string what = live.fd() < 0 ? "git: no live check (inotify unavailable); repositories are checked at the end"
                                   : "git: the live check watches " + std::to_string(live.watched()) +
                                         " directories of the workspace";
  if (live.unwatched() > 0) {
    what += "; " + std::to_string(live.unwatched()) +
            " more are past the kernel's limit (fs.inotify.max_user_watches) and are checked at the end only";
    sayLine("shellrt: warning: " + what);
  }
  audit.event("layer", {{"applied", what}});
}

// What the supervisor says over the lifeline: placeholders to remove, the sandbox's pid.
struct Lifeline {
  int fd;
  std::vector<Placeholder> placeholders;
  int sandbox = -1;  // a pidfd, taken while the process is the supervisor's unreaped child
  std::string pending;

  // One read's lines; false once the supervisor has let go.
  bool read() {
    return readSomeLines(fd, pending, [&](const std::string &line) {
      if (line.rfind("placeholder ", 0) == 0) {
        if (std::optional<Placeholder> made = Placeholder::parse(line.substr(12))) placeholders.push_back(*made);
      } else if (line.rfind("sandbox ", 0) == 0 && sandbox < 0) {
        sandbox = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(std::stol(line.substr(8))), 0));
      }
    });
  }
};

// Until the supervisor lets go of the lifeline: its lines, and the live check's events.
void watchSession(Lifeline &lifeline, git::LiveCheck &live, AuditLog &audit) {
  bool ended = false;
  for (;;) {
    pollfd waits[2] = {{lifeline.fd, POLLIN, 0}, {live.fd(), POLLIN, 0}};
    if (poll(waits, live.fd() < 0 ? 1 : 2, -1) < 0 && errno != EINTR) return;
    if (waits[1].revents & POLLIN) {
      // The events of a moment read together, the kernel merging alike ones meanwhile: a
      // file's truncation, writes and close come as one batch, and a build writing in the
      // workspace wakes this process a few thousand times a second, not once per write (that
      // cost a write-heavy build half its time again).
      usleep(200);
      report(live.react(), audit);
      if (!ended && lifeline.sandbox >= 0 && !live.persistence().empty()) {
        endSession(lifeline.sandbox, live.persistence(), audit);
        ended = true;
      }
    }
    if ((waits[0].revents & (POLLIN | POLLHUP)) && !lifeline.read()) return;
  }
}

[[noreturn]] void guardianMain(int fd, const Guardian::Session &session, AuditLog &audit, timespec since) {
  prctl(PR_SET_NAME, "shellrt-guardian");
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) signal(s, SIG_IGN);  // a ^C is for the agent
  Lifeline lifeline{fd, {}, -1, {}};
  // The sandbox's pid first, at once: a walk of a large workspace takes seconds, and a pid
  // taken later could be another process's.
  bool open = true;
  while (lifeline.sandbox < 0 && (open = lifeline.read())) {
  }
  git::LiveCheck live(session.workspace, session.home, session.git, since);
  if (open) {
    report(live.watchWorkspace(), audit);
    sayWatched(live, audit);
    watchSession(lifeline, live, audit);
  }
  awaitEnd(lifeline.sandbox);
  for (const Placeholder &p : lifeline.placeholders) removePlaceholder(p);
  report(git::auditSession(session.workspace, session.git, session.home, since), audit);
  _exit(0);
}

}  // namespace

bool Guardian::start(const Session &session, AuditLog &audit) {
  int lifeline[2];
  if (pipe2(lifeline, O_CLOEXEC) != 0) return false;
  timespec since;
  clock_gettime(CLOCK_REALTIME_COARSE, &since);  // the clock file timestamps are taken from
  pid_t pid = fork();
  if (pid == 0) {
    // Nothing of the supervisor's is kept open but stderr and the audit log (the keeper's
    // socket, the caller's other pipes): whoever waits for those to close must not wait for
    // this process.
    close(lifeline[1]);
    closeAllBut({lifeline[0], audit.fd()});
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) dup2(null, STDIN_FILENO), dup2(null, STDOUT_FILENO);
    guardianMain(lifeline[0], session, audit, since);
  }
  close(lifeline[0]);
  if (pid < 0) {
    close(lifeline[1]);
    return false;
  }
  pid_ = pid;
  lifeline_ = lifeline[1];
  return true;
}

void Guardian::send(const std::string &line) {
  std::string text = line + "\n";
  ssize_t ignored = write(lifeline_, text.data(), text.size());  // a pipe: whole, under PIPE_BUF
  (void)ignored;
}

void Guardian::placeholder(const std::string &line) { send("placeholder " + line); }

void Guardian::sandbox(pid_t pid) { send("sandbox " + std::to_string(pid)); }

void Guardian::finish() {
  if (pid_ < 0) return;
  close(lifeline_);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace shellrt
