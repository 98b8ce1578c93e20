#include "caller.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "bundle/bundle.h"

namespace shellrt {

namespace {

// The process a thread belongs to (its thread group), from /proc: pidfd_open takes only a
// process's id before Linux 6.9 (PIDFD_THREAD).
pid_t threadGroupOf(pid_t thread) {
  std::string text, error;
  if (!readBoundedFile("/proc/" + std::to_string(thread) + "/status", 1 << 16, text, error)) return thread;
  size_t at = text.find("\nTgid:");
  return at == std::string::npos ? thread : static_cast<pid_t>(std::atol(text.c_str() + at + 6));
}

}  // namespace

Caller::Caller(const seccomp_notif &call, int listener) : call_(call) {
  // The caller may be any thread of its process (a Go or Java program connects from many):
  // the pidfd is its process's, whose descriptors the thread shares.
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, threadGroupOf(call.pid), 0));
  __u64 id = call.id;
  // The ids could have been reused between the notification and pidfd_open: the call still
  // waiting means they were not.
  valid_ = pidfd_ >= 0 && ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

Caller::~Caller() {
  for (int fd : owned_) close(fd);
  if (pidfd_ >= 0) close(pidfd_);
}

namespace {

bool readMemoryOf(pid_t pid, uint64_t address, void *out, size_t size) {
  if (size == 0) return true;
  iovec local{out, size}, remote{reinterpret_cast<void *>(address), size};
  return process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

}  // namespace

bool Caller::read(uint64_t address, void *out, size_t size) const { return readMemoryOf(call_.pid, address, out, size); }

bool Caller::write(uint64_t address, const void *data, size_t size) const {
  iovec local{const_cast<void *>(data), size}, remote{reinterpret_cast<void *>(address), size};
  return process_vm_writev(call_.pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

// Page by page: a path may end just before an unmapped page, which a read of PATH_MAX bytes
// at once would fail on.
bool readPathOf(pid_t pid, uint64_t address, std::string &out) {
  constexpr uint64_t kPage = 4096;
  out.clear();
  while (out.size() < PATH_MAX) {
    char chunk[kPage];
    size_t take = kPage - address % kPage;
    if (!readMemoryOf(pid, address, chunk, take)) return false;
    size_t end = strnlen(chunk, take);
    out.append(chunk, end);
    if (end < take) return out.size() < PATH_MAX;
    address += take;
  }
  return false;
}

bool Caller::readPath(uint64_t address, std::string &out) const { return readPathOf(call_.pid, address, out); }

int Caller::descriptor(uint64_t agentFd) {
  int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd_, static_cast<int>(agentFd), 0));
  if (fd < 0) return -errno;
  owned_.push_back(fd);
  return fd;
}

int Caller::directory(const char *which) {
  std::string path = "/proc/" + std::to_string(call_.pid) + "/" + which;
  int fd = open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) owned_.push_back(fd);
  return fd;
}

int Caller::pin(const std::string &path, int64_t dirFd) {
  if (path.empty()) return -ENOENT;
  bool absolute = path[0] == '/';
  int base = absolute ? directory("root")
             : static_cast<int>(dirFd) == AT_FDCWD ? directory("cwd")
                                                   : descriptor(static_cast<uint64_t>(dirFd));
  if (base < 0) return -EACCES;
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_MAGICLINKS | (absolute ? RESOLVE_IN_ROOT : RESOLVE_BENEATH);
  int fd = static_cast<int>(syscall(SYS_openat2, base, path.c_str(), &how, sizeof how));
  if (fd < 0) return errno == EXDEV || errno == ELOOP ? -EACCES : -errno;
  owned_.push_back(fd);
  return fd;
}

}  // namespace shellrt
