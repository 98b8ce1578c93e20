#include "terminal.h"

#include "descriptors.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace shellrt {

namespace {
termios savedMode;
}  // namespace

bool Terminal::open() {
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return true;
  master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) return false;
  // Opened before the sandbox's root replaces the host's /dev/pts.
  slavePath_ = ptsname(master_);
  slave_ = ::open(slavePath_.c_str(), O_RDWR | O_NOCTTY);
  if (slave_ < 0) return false;
  resize();
  return true;
}

bool Terminal::attachInChild() {
  if (slave_ < 0) return true;
  close(master_);
  // The same pty, opened again through the sandbox's /dev/console: the descriptor opened
  // before has a path in the host's devpts, which the sandbox cannot see, and ttyname()
  // (`tty`, ssh, sudo prompts) would say "not a tty".
  int console = ::open("/dev/console", O_RDWR | O_NOCTTY);
  int terminal = console >= 0 ? console : slave_;
  if (ioctl(terminal, TIOCSCTTY, 0) != 0) return false;
  for (int fd = 0; fd <= 2; ++fd)
    if (dup2(terminal, fd) < 0) return false;
  if (console >= 0) close(console);
  close(slave_);
  return true;
}

void Terminal::resize() {
  winsize size;
  if (master_ >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0) ioctl(master_, TIOCSWINSZ, &size);
}

void Terminal::restore() {
  if (saved_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedMode);
  saved_ = false;
}

bool Terminal::relay() {
  if (master_ < 0) return false;
  close(slave_);
  slave_ = -1;
  if (tcgetattr(STDIN_FILENO, &savedMode) == 0) {
    saved_ = true;
    termios raw = savedMode;
    cfmakeraw(&raw);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
  }
  char buffer[8192];
  bool hungUp = false;
  for (;;) {
    // Raw mode makes Ctrl-D a byte: end of input or an error on the terminal is a hangup.
    pollfd fds[2] = {{master_, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(master_, buffer, sizeof buffer);
      if (n <= 0) break;  // EIO: the sandbox closed its side
      if (!writeAll(STDOUT_FILENO, buffer, static_cast<size_t>(n))) {
        hungUp = true;
        break;
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
      if (n <= 0 && !(n < 0 && errno == EINTR)) {
        hungUp = true;
        break;
      }
      if (n > 0 && !writeAll(master_, buffer, static_cast<size_t>(n))) break;
    }
  }
  restore();
  return hungUp;
}

}  // namespace shellrt
