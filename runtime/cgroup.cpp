#include "cgroup.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <iostream>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

#include "files.h"

namespace shellrt {

namespace {

// Controller name -> the supervisor's cgroup in that hierarchy; "" for the v2 hierarchy.
using OwnCgroups = std::map<std::string, std::string>;

bool fail(std::string &why, const std::string &what) {
  why = what;
  return false;
}

std::string errnoText(const std::string &what) { return what + ": " + std::strerror(errno); }

// `list`: words separated by blanks (cgroup.controllers) or commas (mount options).
bool hasToken(std::string list, const std::string &token) {
  std::replace(list.begin(), list.end(), ',', ' ');
  std::istringstream in(list);
  for (std::string word; in >> word;)
    if (word == token) return true;
  return false;
}

// mountinfo writes blanks and backslashes in paths as octal escapes (\040).
std::string unescape(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// /proc/self/cgroup: "ID:CONTROLLERS:PATH" per v1 hierarchy, "0::PATH" for v2.
OwnCgroups ownCgroups() {
  OwnCgroups own;
  std::string text;
  if (!readFile("/proc/self/cgroup", text)) return own;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1), path = line.substr(second + 1);
    if (controllers.empty()) own[""] = path;
    std::istringstream names(controllers);
    for (std::string name; std::getline(names, name, ',');) own[name] = path;
  }
  return own;
}

// The directory of cgroup `path` under mount `m`, or "" when the mount shows another part of
// the hierarchy (a container's bind mount of its own subtree, for one).
std::string under(const CgroupMount &m, const std::string &path) {
  if (m.root == "/") return m.point + (path == "/" ? "" : path);
  if (path == m.root) return m.point;
  if (path.compare(0, m.root.size() + 1, m.root + "/") == 0) return m.point + path.substr(m.root.size());
  return "";
}

void assign(Cgroup::Placement &p, const std::string &controller, const std::string &dir) {
  (controller == "memory" ? p.memory : p.pids) = dir;
}

bool placeV2(const std::vector<CgroupMount> &mounts, const OwnCgroups &own, const std::vector<std::string> &controllers,
             const std::string &name, Cgroup::Placement &p, std::string &why) {
  auto m = std::find_if(mounts.begin(), mounts.end(), [](const CgroupMount &m) { return m.type == "cgroup2"; });
  if (m == mounts.end() || !own.count("")) return fail(why, "not mounted");
  std::string dir = under(*m, own.at(""));
  if (dir.empty()) return fail(why, "the supervisor's cgroup is not under " + m->point);
  std::string available, enabled;
  readFile(dir + "/cgroup.controllers", available);
  readFile(dir + "/cgroup.subtree_control", enabled);
  for (const std::string &c : controllers) {
    if (!hasToken(available, c)) return fail(why, dir + " has no " + c + " controller");
    // A child gets a controller only when its parent enables it. It stays enabled: another
    // sandbox started from the same cgroup may be using it.
    if (!hasToken(enabled, c) && !writeFile(dir + "/cgroup.subtree_control", "+" + c)) {
      bool busy = errno == EBUSY;
      return fail(why, errnoText("enable " + c + " in " + dir + "/cgroup.subtree_control") +
                           (busy ? " (the cgroup holds processes: the supervisor's, at least)" : ""));
    }
    assign(p, c, dir + "/" + name);
  }
  p.version = 2;
  return true;
}

bool placeV1(const std::vector<CgroupMount> &mounts, const OwnCgroups &own, const std::vector<std::string> &controllers,
             const std::string &name, Cgroup::Placement &p, std::string &why) {
  for (const std::string &c : controllers) {
    auto m = std::find_if(mounts.begin(), mounts.end(),
                          [&](const CgroupMount &m) { return m.type == "cgroup" && hasToken(m.options, c); });
    if (m == mounts.end() || !own.count(c)) return fail(why, "no " + c + " hierarchy");
    std::string dir = under(*m, own.at(c));
    if (dir.empty()) return fail(why, "the supervisor's " + c + " cgroup is not under " + m->point);
    assign(p, c, dir + "/" + name);
  }
  p.version = 1;
  return true;
}

// Makes the cgroup's directories and writes the limits; on failure leaves nothing behind.
bool build(Cgroup::Placement &p, std::optional<uint64_t> memory, std::optional<uint64_t> processes,
           std::string &why) {
  std::vector<std::string> made;
  auto undo = [&] {
    for (const std::string &dir : made) rmdir(dir.c_str());
    return false;
  };
  for (const std::string &dir : p.dirs()) {
    if (mkdir(dir.c_str(), 0755) != 0) {
      why = errnoText("mkdir " + dir);
      return undo();
    }
    made.push_back(dir);
  }
  std::vector<std::pair<std::string, std::string>> writes;  // in order: v1 wants memsw >= the limit
  if (memory) {
    writes.push_back({p.memory + (p.version == 2 ? "/memory.max" : "/memory.limit_in_bytes"), std::to_string(*memory)});
    // Without swap in the limit, a sandbox at its limit swaps instead of being stopped.
    std::string swap = p.memory + (p.version == 2 ? "/memory.swap.max" : "/memory.memsw.limit_in_bytes");
    p.swapCapped = access(swap.c_str(), F_OK) == 0;
    if (p.swapCapped) writes.push_back({swap, p.version == 2 ? "0" : std::to_string(*memory)});
  }
  if (processes) writes.push_back({p.pids + "/pids.max", std::to_string(*processes)});
  for (auto &[file, value] : writes)
    if (!writeFile(file, value)) {
      why = errnoText("write " + value + " to " + file);
      return undo();
    }
  return true;
}

// A "KEY VALUE" line of a cgroup's event counters; 0 when absent.
uint64_t counter(const std::string &file, const std::string &key) {
  std::string text;
  if (!readFile(file, text)) return 0;
  std::istringstream in(text);
  std::string k;
  uint64_t value;
  while (in >> k >> value)
    if (k == key) return value;
  return 0;
}

std::string joined(const std::vector<std::string> &items) {
  std::string out;
  for (const std::string &item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// --- The keeper ---------------------------------------------------------------------------
// Started by root, the supervisor becomes the policy's user before it starts the sandbox, and
// that user may neither move a process into a cgroup of root's nor remove one. The keeper is
// a child of the supervisor's that keeps the rights and does those two things only: it moves
// the supervisor's own child (whatever else it is asked), and once the supervisor closes its
// socket, or dies, kills what is left in the cgroup and removes it.

bool isSupervisorsChild(pid_t pid) {
  std::string stat;
  if (!readFile("/proc/" + std::to_string(pid) + "/stat", stat)) return false;
  size_t end = stat.rfind(')');  // the command name before it may hold anything
  char state;
  long parent = 0;
  return end != std::string::npos && std::sscanf(stat.c_str() + end + 1, " %c %ld", &state, &parent) == 2 &&
         parent == getppid();
}

int moveInto(const std::vector<std::string> &dirs, pid_t pid) {
  for (const std::string &dir : dirs)
    if (!writeFile(dir + "/cgroup.procs", std::to_string(pid))) return errno;
  return 0;
}

std::vector<pid_t> members(const std::string &dir) {
  std::vector<pid_t> pids;
  std::string text;
  if (!readFile(dir + "/cgroup.procs", text)) return pids;
  std::istringstream in(text);
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  return pids;
}

// Each process is pinned (a pidfd) before it is found still inside, so that a pid recycled
// meanwhile never gets the keeper's SIGKILL. (syscall: glibc 2.36's <sys/pidfd.h> lacks C
// linkage.)
void killMembers(const std::string &dir) {
  std::vector<std::pair<pid_t, int>> pinned;
  for (pid_t pid : members(dir))
    if (int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); fd >= 0) pinned.emplace_back(pid, fd);
  std::vector<pid_t> inside = members(dir);
  for (auto [pid, fd] : pinned) {
    if (std::find(inside.begin(), inside.end(), pid) != inside.end()) syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
    close(fd);
  }
}

// A cgroup goes once its last process has exited; killed ones take a moment.
bool removeDir(const std::string &dir) {
  for (int tries = 0; tries < 200; ++tries) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
    if (errno != EBUSY) return false;
    usleep(10000);
  }
  return false;
}

[[noreturn]] void keep(int socket, const std::vector<std::string> &dirs) {
  prctl(PR_SET_NAME, "shellrt-keeper");
  for (int fd = 0; fd < 1024; ++fd)
    if (fd != socket) close(fd);
  // The terminal's signals reach the whole process group: they must not cut the removal short.
  for (int s : {SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGPIPE}) signal(s, SIG_IGN);
  pid_t pid;
  while (recv(socket, &pid, sizeof pid, 0) == static_cast<ssize_t>(sizeof pid)) {
    int result = isSupervisorsChild(pid) ? moveInto(dirs, pid) : EPERM;
    send(socket, &result, sizeof result, MSG_NOSIGNAL);
  }
  bool removed = true;
  for (const std::string &dir : dirs) {
    killMembers(dir);
    removed = removeDir(dir) && removed;
  }
  _exit(removed ? 0 : 1);
}

}  // namespace

bool cgroupMounts(const std::string &mountinfo, std::vector<CgroupMount> &out) {
  std::string text;
  if (!readFile(mountinfo, text)) return false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point, options, field, type, source, superOptions;
    fields >> id >> parent >> device >> root >> point >> options;
    while (fields >> field && field != "-") {}  // optional fields, up to the separator
    fields >> type >> source >> superOptions;
    if (type == "cgroup" || type == "cgroup2") out.push_back({unescape(root), unescape(point), type, superOptions});
  }
  return true;
}

std::vector<std::string> Cgroup::Placement::dirs() const {
  std::vector<std::string> out;
  for (const std::string *dir : {&memory, &pids})
    if (!dir->empty() && std::find(out.begin(), out.end(), *dir) == out.end()) out.push_back(*dir);
  return out;
}

bool Cgroup::create(const Bundle &bundle, std::string &notes, std::string &error) {
  if (bundle.memoryBytes) memory_ = bundle.memoryBytes;
  for (const Limit &limit : bundle.limits)
    if (limit.resource == RLIMIT_NPROC) processes_ = limit.value;
  hardRequirement_ = bundle.hardRequirement;
  if (!memory_ && !processes_) {
    notes = "cgroup: not used (the policy limits neither memory nor processes)";
    return true;
  }
  std::vector<std::string> controllers;
  if (memory_) controllers.push_back("memory");
  if (processes_) controllers.push_back("pids");
  std::vector<CgroupMount> mounts;
  cgroupMounts("/proc/self/mountinfo", mounts);  // unreadable: no hierarchy found, said below
  OwnCgroups own = ownCgroups();
  std::string name = "shellc-" + std::to_string(getpid()), v2, v1;
  if (!(placeV2(mounts, own, controllers, name, placement_, v2) && build(placement_, memory_, processes_, v2))) {
    placement_ = {};
    if (!(placeV1(mounts, own, controllers, name, placement_, v1) && build(placement_, memory_, processes_, v1)))
      return skip("the sandbox gets no cgroup (v2: " + v2 + "; v1: " + v1 + ")", notes, error);
  }
  std::string why;
  if (!startKeeper(why)) return skip(why, notes, error);
  notes = describe();
  return true;
}

bool Cgroup::startKeeper(std::string &why) {
  int ends[2];
  pid_t pid = -1;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) == 0) {
    pid = fork();
    if (pid == 0) {
      close(ends[0]);
      keep(ends[1], placement_.dirs());
    }
    if (pid < 0) {
      close(ends[0]);
      close(ends[1]);
    }
  }
  if (pid < 0) {
    why = errnoText("cannot start the cgroup's keeper");
    for (const std::string &dir : placement_.dirs()) rmdir(dir.c_str());
    return false;
  }
  close(ends[1]);
  keeper_ = pid;
  keeperSocket_ = ends[0];
  return true;
}

bool Cgroup::enter(pid_t pid, std::string &notes, std::string &error) {
  if (keeper_ < 0) return true;  // not used, or skipped: `notes` says so already
  int result = 0;
  bool answered = send(keeperSocket_, &pid, sizeof pid, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof pid) &&
                  recv(keeperSocket_, &result, sizeof result, 0) == static_cast<ssize_t>(sizeof result);
  if (!answered) result = EPIPE;
  if (result != 0) return skip(std::string("cannot move the sandbox into its cgroup: ") + std::strerror(result), notes, error);
  entered_ = true;
  return true;
}

bool Cgroup::skip(const std::string &why, std::string &notes, std::string &error) const {
  std::string limits = memory_ && processes_ ? "memory and processes" : memory_ ? "memory" : "processes";
  if (hardRequirement_) {
    error = "the policy limits " + limits + " for the whole sandbox and requires it (compatibility hard_requirement), but " + why;
    return false;
  }
  std::string processes = processes_ ? "processes bounded by RLIMIT_NPROC only" : "";
  std::string memory = memory_ ? "memory NOT limited" : "";
  notes = "cgroup: skipped, " + why + "; " + processes + (processes_ && memory_ ? ", " : "") + memory +
          " (compatibility best_effort)";
  // Said where the person who started it looks, not only in the log.
  if (memory_) std::cerr << "shellrt: warning: limit memory is not enforced: " << why << "\n";
  return true;
}

std::string Cgroup::describe() const {
  std::string out = "cgroup: v" + std::to_string(placement_.version);
  if (memory_)
    out += ", memory " + std::to_string(*memory_) + " bytes" + (placement_.swapCapped ? " (swap included)" : " (swap not limited)");
  if (processes_) out += ", processes " + std::to_string(*processes_);
  return out + ", in " + joined(placement_.dirs());
}

void Cgroup::logStops(AuditLog &audit) const {
  if (!entered_) return;
  const Placement &p = placement_;
  if (!p.memory.empty()) {
    uint64_t kills = counter(p.memory + (p.version == 2 ? "/memory.events" : "/memory.oom_control"), "oom_kill");
    if (kills) audit.event("limit", {{"limit", std::string("memory")}, {"oom_kills", int64_t(kills)}});
  }
  if (!p.pids.empty()) {
    uint64_t refused = counter(p.pids + "/pids.events", "max");
    if (refused) audit.event("limit", {{"limit", std::string("processes")}, {"forks_refused", int64_t(refused)}});
  }
}

bool Cgroup::remove(std::string &why) {
  if (keeper_ < 0) return true;
  close(keeperSocket_);  // the keeper's cue
  int status = 0;
  while (waitpid(keeper_, &status, 0) < 0 && errno == EINTR) {}
  keeper_ = -1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  why = "cannot remove the sandbox's cgroup " + joined(placement_.dirs());
  return false;
}

}  // namespace shellrt
