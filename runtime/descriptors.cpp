#include "descriptors.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace shellrt {

namespace {

// [first, last]: close_range (Linux 5.9), else one by one up to the descriptor limit.
bool closeRange(unsigned first, unsigned last) {
  if (syscall(SYS_close_range, first, last, 0) == 0) return true;
  if (errno != ENOSYS) return false;
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  for (unsigned fd = first; fd <= last && fd < limit.rlim_cur; ++fd) close(static_cast<int>(fd));
  return true;
}

}  // namespace

bool closeAllBut(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned first = 3;
  for (int fd : keep) {
    if (fd < static_cast<int>(first)) continue;
    if (static_cast<unsigned>(fd) > first && !closeRange(first, fd - 1)) return false;
    first = fd + 1;
  }
  return closeRange(first, ~0u);
}

void sayLine(const std::string &line) { writeAll(STDERR_FILENO, line + "\n"); }

void readLines(int fd, const std::function<void(const std::string &)> &line) {
  std::string pending;
  while (readSomeLines(fd, pending, line)) {
  }
}

bool readSomeLines(int fd, std::string &pending, const std::function<void(const std::string &)> &line) {
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return false;
  pending.append(buffer, n);
  for (size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1))
    line(pending.substr(0, end));
  return true;
}

bool writeAll(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool readExactly(int fd, void *data, size_t size) {
  auto *at = static_cast<char *>(data);
  while (size > 0) {
    ssize_t n = read(fd, at, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace shellrt
