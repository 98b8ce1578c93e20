// The process that made a call the supervisor answers (notify.h), for the time of that call:
// its memory, descriptors and view of the filesystem, reached through a pidfd that is checked
// to be the caller's before anything is read. Shared by the socket broker and the git
// configuration broker, which both do a call on the agent's behalf with arguments copied
// once, so that no other thread of the agent can change them between the check and the use.
#pragma once
#include <linux/seccomp.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace shellrt {

// A path that process `pid` passed at `address` (NUL-terminated, at most PATH_MAX bytes),
// read without a pidfd: for a first look whose answer the kernel decides anyway.
bool readPathOf(pid_t pid, uint64_t address, std::string &out);

class Caller {
public:
  Caller(const seccomp_notif &call, int listener);
  ~Caller();
  Caller(const Caller &) = delete;
  Caller &operator=(const Caller &) = delete;

  bool valid() const { return valid_; }
  const seccomp_notif &call() const { return call_; }

  bool read(uint64_t address, void *out, size_t size) const;
  bool write(uint64_t address, const void *data, size_t size) const;
  // A path the caller passed (NUL-terminated, at most PATH_MAX bytes), copied once.
  bool readPath(uint64_t address, std::string &out) const;
  // A descriptor of the caller, as one of ours (closed with the Caller); -errno when none.
  int descriptor(uint64_t agentFd);
  // `path` resolved as the caller's kernel would (absolute from its root, relative from its
  // cwd or from `dirFd`), never leaving that root nor going above the cwd or the directory,
  // and never through /proc's magic links; the file pinned (O_PATH, ours). -errno when none
  // (EACCES for a path that would leave).
  int pin(const std::string &path, int64_t dirFd);

private:
  int directory(const char *which);

  const seccomp_notif &call_;
  int pidfd_ = -1;
  bool valid_ = false;
  std::vector<int> owned_;
};

}  // namespace shellrt
