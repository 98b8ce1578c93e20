#include "mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "cgroup.h"
#include "descriptors.h"
#include "files.h"
#include "landlock.h"

namespace shellrt {

namespace {


bool fail(std::string &error, const std::string &what) {
  error = what + ": " + std::strerror(errno);
  return false;
}

// mkdir -p, or an empty file for a file mount point.
bool makeMountPoint(const std::string &path, bool directory) {
  for (size_t slash = 1; (slash = path.find('/', slash)) != std::string::npos; ++slash)
    mkdir(path.substr(0, slash).c_str(), 0755);
  if (directory) return mkdir(path.c_str(), 0755) == 0 || errno == EEXIST;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno == EEXIST;
  close(fd);
  return true;
}

// The missing directories above `path`, made from the top down into `made`; false when an
// existing one is not a directory.
bool makeParents(const std::string &path, std::vector<std::string> &made) {
  std::string parent = path.substr(0, path.rfind('/'));
  struct stat st;
  if (stat(parent.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  if (!makeParents(parent, made) || mkdir(parent.c_str(), 0755) != 0) return false;
  made.push_back(parent);
  return true;
}

bool bindInto(const std::string &source, const std::string &target, bool writable, std::string &error) {
  struct stat st;
  if (stat(source.c_str(), &st) != 0) return fail(error, "stat " + source);
  if (!makeMountPoint(target, S_ISDIR(st.st_mode))) return fail(error, "mount point " + target);
  if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return fail(error, "bind " + source);
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (writable ? 0 : MS_RDONLY);
  if (mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0) return fail(error, "remount " + target);
  return true;
}

// The host's cgroup hierarchies, wherever a bind brought them in (a filesystem that defaults
// to allow binds all of /), are read-only: cgroupfs checks file modes only, so a sandbox that
// is root on the host (allow_root) could otherwise raise its own limits or leave its cgroup.
bool cgroupsReadOnly(size_t &count, std::string &error) {
  std::vector<CgroupMount> mounts;
  // The host's /proc is still there, at /oldroot: this process is `self` in it too.
  if (!cgroupMounts("/oldroot/proc/self/mountinfo", mounts)) return fail(error, "read the mount table");
  for (const CgroupMount &m : mounts) {
    if (m.point.compare(0, 9, "/newroot/") != 0) continue;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (mount(nullptr, m.point.c_str(), nullptr, flags, nullptr) != 0) return fail(error, "make " + m.point + " read-only");
    ++count;
  }
  return true;
}

// Scratch directories (absolute paths) of the mount plan.
std::vector<std::string> scratchPaths(const Bundle &bundle) {
  std::vector<std::string> out;
  for (const MountEntry &m : bundle.mounts)
    if (m.kind == MountEntry::Kind::Scratch) out.push_back("/" + m.path.rel);
  return out;
}

bool beneath(const std::string &path, const std::string &dir) { return path != dir && pathWithin(path, dir); }

bool mountScratch(const std::string &path, std::string &error) {
  std::string target = "/newroot" + path;
  if (!makeMountPoint(target, true) || mount("scratch", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
    return fail(error, "scratch " + path);
  return true;
}

// Every allowed path bound from the host, shortest first so that a writable workspace binds
// over a read-only home. A scratch directory is an empty tmpfs instead, and nothing of the
// host's beneath it is bound but the workspace and the home, which are the user's wherever
// they are (a workspace in /tmp).
bool bindAllowed(const SandboxSpec &spec, std::vector<std::pair<std::string, bool>> &ordered, size_t &bound,
                 std::vector<std::string> &missing, std::string &error) {
  const Bundle &bundle = *spec.bundle;
  struct Bind {
    bool writable = false, startup = false;
  };
  std::map<std::string, Bind> binds;
  if (!bundle.landlock) binds["/"].writable = true;
  for (const LandlockRule &rule : bundle.landlockRules) {
    for (const std::string &path : resolveRule(rule.path, spec)) {
      Bind &b = binds[path];
      b.writable = b.writable || (rule.access & kLandlockWriteRights);
      b.startup = b.startup || rule.path.root != SandboxPath::Root::Absolute;
    }
  }
  std::vector<std::string> scratch = scratchPaths(bundle);
  for (const std::string &s : scratch) binds.try_emplace(s);
  // A host socket the policy names must be in view to be reached (read-only: a connect
  // needs no write access to the mount); the broker decides each connect.
  for (const std::string &socket : spec.socketPaths) binds.try_emplace(socket).first->second.startup = true;
  std::vector<std::pair<std::string, Bind>> sorted(binds.begin(), binds.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](auto &a, auto &b) { return a.first.size() < b.first.size(); });
  for (auto &[path, bind] : sorted) {
    std::string target = "/newroot" + (path == "/" ? std::string() : path);
    if (std::find(scratch.begin(), scratch.end(), path) != scratch.end() && !bind.startup) {
      // Beneath /dev: mounted once the sandbox's own /dev is (devicesAndScratch).
      if (!beneath(path, "/dev") && !mountScratch(path, error)) return false;
      continue;
    }
    const std::string &bindPath = path;  // a structured binding, which clang 14's lambdas cannot capture
    if (!bind.startup && std::any_of(scratch.begin(), scratch.end(), [&](auto &s) { return beneath(bindPath, s); })) continue;
    std::string source = "/oldroot" + (path == "/" ? std::string() : path);
    if (access(source.c_str(), F_OK) != 0) {
      missing.push_back(path);
      continue;  // Landlock's rule for it is skipped the same way
    }
    if (!bindInto(source, target, bind.writable, error)) return false;
    ordered.emplace_back(path, bind.writable);
    ++bound;
  }
  return true;
}

// Fresh /proc for the new PID namespace; /dev with the harmless devices only, the pty, and
// the scratch directories beneath /dev; /dev/shm and /tmp exist even where the policy makes
// no scratch directory of them.
bool procAndDevices(const Bundle &bundle, const std::string &console, const std::vector<std::pair<std::string, bool>> &ordered,
                    std::string &error) {
  makeMountPoint("/newroot/proc", true);
  if (mount("proc", "/newroot/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    return fail(error, "mount /proc");
  makeMountPoint("/newroot/dev", true);
  if (mount("dev", "/newroot/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") != 0) return fail(error, "mount /dev");
  for (const char *dev : {"null", "zero", "full", "random", "urandom", "tty"}) {
    std::string source = std::string("/oldroot/dev/") + dev, target = std::string("/newroot/dev/") + dev;
    if (access(source.c_str(), F_OK) != 0) continue;
    makeMountPoint(target, false);
    if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) return fail(error, "bind " + source);
  }
  makeMountPoint("/newroot/dev/pts", true);
  if (mount("devpts", "/newroot/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") == 0) {
    symlink("pts/ptmx", "/newroot/dev/ptmx");
  }
  // The pty lives in the host's devpts instance; the sandbox sees it as /dev/console, so
  // that ttyname() finds it.
  if (!console.empty()) {
    makeMountPoint("/newroot/dev/console", false);
    if (mount(("/oldroot" + console).c_str(), "/newroot/dev/console", nullptr, MS_BIND, nullptr) != 0)
      return fail(error, "bind the pty");
  }
  std::vector<std::string> scratch = scratchPaths(bundle);
  for (const std::string &dir : scratch)
    if (beneath(dir, "/dev") && !mountScratch(dir, error)) return false;
  for (const char *dir : {"/dev/shm", "/tmp"}) {
    bool bound = std::any_of(ordered.begin(), ordered.end(), [&](auto &b) { return b.first == dir; });
    if (bound || std::find(scratch.begin(), scratch.end(), dir) != scratch.end()) continue;
    makeMountPoint(std::string("/newroot") + dir, true);
    mount("tmp", (std::string("/newroot") + dir).c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  }
  return true;
}

// A protected path that does not exist yet (a hook not written) must not be creatable
// either: an empty read-only directory takes its place while the sandbox runs, and the
// guardian removes it afterwards (guardian.h). Its missing parents are made too. Only
// beneath a path bound from the host: elsewhere the sandbox's root is an empty tmpfs, where
// nothing of the host can be reached to begin with. Not beneath a .git that does not exist:
// that would keep `git init` from working, and the git guard checks what it makes there.
bool placeholder(const std::string &target, const MountEntry &m, const std::vector<std::pair<std::string, bool>> &ordered,
                 std::vector<Placeholder> &placeholders, std::string &error, bool &made) {
  std::string hostPath = target.substr(std::strlen("/newroot"));
  bool hostBacked = std::any_of(ordered.begin(), ordered.end(),
                                [&](const auto &bind) { return beneath(hostPath, bind.first); });
  size_t git = (target + "/").find("/.git/");
  bool repositoryToBe = git != std::string::npos && access(target.substr(0, git + 5).c_str(), F_OK) != 0;
  std::vector<std::string> parents;
  made = false;
  if (!hostBacked || repositoryToBe || !makeParents(target, parents) || mkdir(target.c_str(), 0) != 0) return true;
  parents.insert(parents.begin(), target);
  for (const std::string &dir : parents)
    if (std::optional<Placeholder> p = placeholderAt(dir, dir.substr(std::strlen("/newroot")))) placeholders.push_back(*p);
  if (mount("placeholder", target.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0000") != 0)
    return fail(error, "protect " + target + " (" + m.rule.display() + ")");
  made = true;
  return true;
}

bool readOnly(const std::string &target, bool noexecInstead, std::string &error) {
  if (mount(target.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) return fail(error, "rebind " + target);
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (noexecInstead ? MS_NOEXEC : MS_RDONLY);
  if (mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0) return fail(error, "remount " + target);
  return true;
}

// The mount plan: what Landlock cannot express.
bool applyMountPlan(const SandboxSpec &spec, const std::vector<std::pair<std::string, bool>> &ordered,
                    std::vector<Placeholder> &placeholders, size_t &planned, size_t &absent, std::string &error) {
  for (const MountEntry &m : spec.bundle->mounts) {
    if (m.kind == MountEntry::Kind::Scratch) continue;  // mounted with the binds
    std::string target = "/newroot" + m.path.resolve(spec.home, spec.workspace);
    struct stat st;
    if (lstat(target.c_str(), &st) != 0) {
      bool made = false;
      if (!placeholder(target, m, ordered, placeholders, error, made)) return false;
      ++(made ? planned : absent);
      continue;
    }
    if (m.kind == MountEntry::Kind::Mask) {
      int r = S_ISDIR(st.st_mode)
                  ? mount("mask", target.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0000")
                  : mount("/newroot/dev/null", target.c_str(), nullptr, MS_BIND, nullptr);
      if (r != 0) return fail(error, "mask " + target + " (" + m.rule.display() + ")");
    } else if (!readOnly(target, m.kind == MountEntry::Kind::NoExec, error)) {
      return fail(error, error + " (" + m.rule.display() + ")");
    }
    ++planned;
  }
  // The guardian removes the placeholders in this order, where still empty: deepest first.
  auto depth = [](const Placeholder &p) { return std::count(p.path.begin(), p.path.end(), '/'); };
  std::stable_sort(placeholders.begin(), placeholders.end(),
                   [&](const Placeholder &a, const Placeholder &b) { return depth(a) > depth(b); });
  return true;
}

// The git guard's start (git/guard.h): the repository's directories pinned as mount points
// (a rename of a mount point fails), then what git reads as configuration or code read-only.
bool protectRepository(const git::StartProtection &git, size_t &count, std::string &error) {
  for (const std::string &dir : git.pinned) {
    std::string target = "/newroot" + dir;
    if (access(target.c_str(), F_OK) != 0) continue;  // not in the sandbox's view
    if (mount(target.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) return fail(error, "pin " + dir);
    ++count;
  }
  for (const std::string &path : git.readOnly) {
    std::string target = "/newroot" + path;
    if (access(target.c_str(), F_OK) != 0) continue;
    if (!readOnly(target, false, error)) return false;
    ++count;
  }
  return true;
}

// A file of the runtime's own, written in this namespace's scratch root (read-only to all).
bool writeScratchFile(const char *path, const std::string &text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  bool written = fd >= 0 && writeAll(fd, text);
  if (fd >= 0) close(fd);
  return written;
}

// `source` bound over `target` (both files), read-only, without devices or set-id.
bool bindFileReadOnly(const char *source, const std::string &target) {
  return mount(source, target.c_str(), nullptr, MS_BIND, nullptr) == 0 &&
         mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) == 0;
}

// The sandbox's trust store (spec.trustStore: the system's roots and its TLS authority),
// written in this namespace's scratch root and bound read-only over the system's store where
// the view has one, so that programs that read no variable trust it too; else at
// /run/shellrt, made in the sandbox's own root (never in a directory bound from the host).
// `path`: where the variables point (sandbox.cpp).
bool installTrustStore(const SandboxSpec &spec, std::string &path, std::string &error) {
  if (spec.trustStore.empty()) return true;
  const char *source = "/trust-store.pem";
  if (!writeScratchFile(source, spec.trustStore)) return fail(error, "write the sandbox's trust store");
  auto bindAt = [&](const std::string &at) {
    return bindFileReadOnly(source, "/newroot" + at) || fail(error, "bind the trust store at " + at);
  };
  for (const char *system : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}) {
    struct stat st;
    if (lstat((std::string("/newroot") + system).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (!bindAt(system)) return false;
    if (path.empty()) path = system;
  }
  if (!path.empty()) return true;
  struct stat root, run;
  if (stat("/newroot", &root) != 0) return fail(error, "stat the sandbox's root");
  if (stat("/newroot/run", &run) == 0 && run.st_dev != root.st_dev) {
    errno = EEXIST;
    return fail(error, "the sandbox's trust store has no place: the view has no system store and /run is the host's "
                       "(allow reading /etc/ssl/certs)");
  }
  path = "/run/shellrt/ca-certificates.crt";
  return (makeMountPoint("/newroot" + path, false) || fail(error, "make " + path)) && bindAt(path);
}

// The sandbox's /etc/resolv.conf names its own resolver (egress/dns.h), bound read-only over
// the host's where the view has one (through a symbolic link such as systemd-resolved's, to
// the file it names in the view); without one, glibc asks 127.0.0.1 anyway.
bool installResolverConfig(std::string &error) {
  std::string target = "/newroot/etc/resolv.conf";
  struct stat st;
  if (lstat(target.c_str(), &st) != 0) return true;
  if (S_ISLNK(st.st_mode)) {
    std::string named = linkTarget(target);
    if (named.empty() || named[0] != '/') return true;
    target = "/newroot" + named;
    if (lstat(target.c_str(), &st) != 0) return true;
  }
  if (!S_ISREG(st.st_mode)) return true;
  const char *source = "/resolv.conf";
  if (!writeScratchFile(source, "# the sandbox's resolver, served by shellrt's egress proxy\nnameserver 127.0.0.1\n"))
    return fail(error, "write the sandbox's resolv.conf");
  return bindFileReadOnly(source, target) || fail(error, "bind the sandbox's resolv.conf");
}

bool hideFiles(const std::vector<std::string> &hidden, std::string &error) {
  for (const std::string &path : hidden) {
    std::string target = "/newroot" + path;
    if (access(target.c_str(), F_OK) != 0) continue;  // not in the sandbox's view anyway
    if (!bindFileReadOnly("/newroot/dev/null", target)) return fail(error, "hide " + path);
  }
  return true;
}

// The allowed paths this machine lacks, named (the first few): a policy written for another
// layout (/lib64, /snap) says here why a program cannot find what it was allowed.
std::string missingList(const std::vector<std::string> &missing) {
  constexpr size_t kShown = 8;
  std::string out;
  for (size_t i = 0; i < missing.size() && i < kShown; ++i) out += (i ? ", " : " (") + missing[i];
  if (missing.size() > kShown) out += ", …";
  return missing.empty() ? out : out + ")";
}

bool enterRoot(std::string &error) {
  if (chdir("/newroot") != 0) return fail(error, "chdir /newroot");
  if (syscall(SYS_pivot_root, ".", ".") != 0) return fail(error, "pivot_root into the sandbox");
  if (umount2(".", MNT_DETACH) != 0) return fail(error, "detach the host's root");
  if (chdir("/") != 0) return fail(error, "chdir /");
  return true;
}

}  // namespace

bool buildRoot(const SandboxSpec &spec, std::vector<Placeholder> &placeholders, std::string &trustStore, std::string &notes,
               std::string &error) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return fail(error, "make / private");
  // A scratch tmpfs holds the new root; the host's root stays reachable at /oldroot until
  // the end, then is detached.
  if (mount("shellrt", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) return fail(error, "tmpfs");
  mkdir("/tmp/newroot", 0755);
  mkdir("/tmp/oldroot", 0755);
  if (syscall(SYS_pivot_root, "/tmp", "/tmp/oldroot") != 0) return fail(error, "pivot_root");
  if (chdir("/") != 0) return fail(error, "chdir /");
  if (mount("newroot", "/newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) return fail(error, "root tmpfs");

  std::vector<std::pair<std::string, bool>> ordered;
  size_t bound = 0, cgroups = 0, planned = 0, absent = 0, git = 0;
  std::vector<std::string> missing;
  if (!bindAllowed(spec, ordered, bound, missing, error) || !cgroupsReadOnly(cgroups, error) ||
      !procAndDevices(*spec.bundle, spec.terminal->slavePath(), ordered, error) ||
      !applyMountPlan(spec, ordered, placeholders, planned, absent, error) || !protectRepository(spec.git, git, error) ||
      !installTrustStore(spec, trustStore, error) || !installResolverConfig(error) || !hideFiles(spec.hidden, error) || !enterRoot(error))
    return false;
  notes = "mounts: " + std::to_string(bound) + " paths bound, " + std::to_string(missing.size()) + " missing" +
          missingList(missing) + ", " +
          std::to_string(planned) + " plan entries applied, " + std::to_string(absent) + " absent, " +
          std::to_string(git) + " git paths held (" + std::to_string(spec.git.nestedRepositories) + " nested repositories" +
          (spec.git.nestedWalkComplete ? "" : "; the workspace is larger than the start looks through: the rest "
                                                  "checked while the session runs") + ")" + (cgroups ? ", " + std::to_string(cgroups) + " cgroup mounts read-only" : "");
  return true;
}

}  // namespace shellrt
