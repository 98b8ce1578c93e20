#include "git/config_broker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "bundle/bundle.h"
#include "caller.h"
#include "descriptors.h"

namespace shellrt {

namespace {

std::string baseName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

seccomp_notif_resp answer(const seccomp_notif &call, int64_t result) {
  seccomp_notif_resp response{};
  response.id = call.id;
  if (result < 0) response.error = static_cast<int32_t>(result);
  else response.val = result;
  return response;
}

// The agent's own rename, decided by the kernel with the mounts in place.
seccomp_notif_resp goesOn(const seccomp_notif &call) {
  seccomp_notif_resp response{};
  response.id = call.id;
  response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  return response;
}

// `text` in place of the file's bytes (its inode is what the sandbox's read-only view shows);
// if the write fails half-way (a full disk), the old bytes go back. 0 or the errno.
int rewriteInPlace(const std::string &path, const std::string &text) {
  std::string old, ignored;
  if (!readBoundedFile(path, git::kMaxConfigBytes, old, ignored)) return EPERM;
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  bool written = writeAll(fd, text);
  int saved = errno;
  if (!written && (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0 || !writeAll(fd, old))) saved = EIO;
  close(fd);
  return written ? 0 : saved;
}

// Where a rename's two paths are in the call's arguments, for each of the three calls.
struct RenameArgs {
  uint64_t oldPath, newPath, flags = 0;
  int64_t oldDir = AT_FDCWD, newDir = AT_FDCWD;
};

RenameArgs renameArgs(const seccomp_notif &call) {
  const auto &a = call.data.args;
#ifdef SYS_rename
  if (call.data.nr == SYS_rename) return {a[0], a[1]};
#endif
  RenameArgs r{a[1], a[3]};
  r.oldDir = static_cast<int32_t>(a[0]);
  r.newDir = static_cast<int32_t>(a[2]);
  if (call.data.nr == SYS_renameat2) r.flags = a[4];
  return r;
}

}  // namespace

bool isBrokeredRename(uint32_t nr) {
#ifdef SYS_rename
  if (nr == SYS_rename) return true;
#endif
  return nr == SYS_renameat || nr == SYS_renameat2;
}

ConfigBroker::ConfigBroker(const git::StartProtection &held, const std::string &workspace, AuditLog &audit)
    : workspace_(workspace), audit_(audit) {
  for (const auto &[path, settings] : held.heldConfigs) {
    struct stat st;
    std::string dir = git::parentOf(path);
    if (stat(dir.c_str(), &st) == 0) held_.push_back({st.st_dev, st.st_ino, dir, baseName(path), &settings});
  }
}

// The held configuration that the call renames its lock file over, or none. Both paths are
// copied once and resolved in the caller's view; their directories must be the held one's.
const ConfigBroker::Held *ConfigBroker::target(Caller &caller) const {
  RenameArgs args = renameArgs(caller.call());
  std::string from, to;
  if (args.flags != 0 || !caller.readPath(args.newPath, to) || !caller.readPath(args.oldPath, from)) return nullptr;
  std::string name = baseName(to);
  if (baseName(from) != name + ".lock") return nullptr;
  auto directory = [&](const std::string &path, int64_t dirFd, struct stat &st) {
    int fd = caller.pin(git::parentOf(path), dirFd);
    return fd >= 0 && fstat(fd, &st) == 0;
  };
  struct stat toDir, fromDir;
  if (!directory(to, args.newDir, toDir) || !directory(from, args.oldDir, fromDir)) return nullptr;
  for (const Held &h : held_)
    if (h.name == name && h.dev == toDir.st_dev && h.ino == toDir.st_ino && h.dev == fromDir.st_dev &&
        h.ino == fromDir.st_ino)
      return &h;
  return nullptr;
}

// Why the lock's bytes may not replace the held configuration; empty when they may.
std::string ConfigBroker::refusal(const Held &held, const std::string &text, bool readable) const {
  if (!readable) return "its lock file is not a regular file of its own (a link, a FIFO, or larger than 1 MiB)";
  std::vector<git::Setting> settings;
  std::string error;
  if (!git::parseConfig(text, settings, error)) return "git would not read it (" + error + ")";
  std::vector<git::Setting> added = git::addedUnsafeSettings(settings, *held.atStart, held.dir, workspace_);
  return added.empty() ? std::string() : "it would set " + git::keysOf(added) + ", which the host's git would run or follow";
}

// The lock's bytes into the held configuration, when they add nothing unsafe; 0 or -errno.
int64_t ConfigBroker::install(const Held &held, int callerPid) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string config = held.dir + "/" + held.name, text;
  std::string ignored;
  // The lock as git left it: not a link to a file the sandbox cannot read, nor a second name.
  bool readable = readBoundedFile(config + ".lock", git::kMaxConfigBytes, text, ignored, true);
  std::string why = refusal(held, text, readable);
  if (!why.empty()) {
    audit_.event("git_config", {{"path", config}, {"decision", std::string("deny")}, {"why", why},
                                {"caller_pid", int64_t(callerPid)}});
    return -EPERM;
  }
  if (int error = rewriteInPlace(config, text)) return -error;
  unlink((config + ".lock").c_str());
  audit_.event("git_config", {{"path", config}, {"decision", std::string("allow")}, {"caller_pid", int64_t(callerPid)}});
  return 0;
}

// Most renames are of other files (a build's, git's own locks): judged by the target's name,
// read once, they go on at once, without the pidfd and the checks that a held one takes.
bool ConfigBroker::mayBeHeld(const seccomp_notif &call) const {
  std::string to;
  if (!readPathOf(call.pid, renameArgs(call).newPath, to)) return false;
  std::string name = baseName(to);
  return std::any_of(held_.begin(), held_.end(), [&](const Held &h) { return h.name == name; });
}

seccomp_notif_resp ConfigBroker::handle(const seccomp_notif &call, int listener) const {
  if (!mayBeHeld(call)) return goesOn(call);
  Caller caller(call, listener);
  if (!caller.valid()) return answer(call, -ESRCH);  // the caller is gone; the kernel drops the answer
  const Held *held = target(caller);
  return held ? answer(call, install(*held, static_cast<int>(call.pid))) : goesOn(call);
}

}  // namespace shellrt
