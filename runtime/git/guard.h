// The git guard: the host's git never runs a command, hook or configuration that a session
// wrote (docs/threat-model.md, "Git"). Two halves:
// - at the start, the workspace's repository is held in the kernel: its git directories are
//   mount points (a sandbox cannot rename `.git` away and put its own in its place), and
//   everything git reads as configuration or code (config, config.worktree, commondir,
//   hooks, included files, the hooks directory a config names) is bound read-only, for every
//   submodule and linked worktree that exists too;
// - at the end (the supervisor's guardian, however the supervisor ended), every repository
//   in the workspace is checked: what git would read as configuration or code that changed
//   during the session and is not harmless (a config with settings that run something, a
//   hook, a commondir pointing elsewhere, a rebase plan that runs commands, a merge strategy
//   a stopped rebase or cherry-pick would run as a program) is renamed aside, where git does
//   not look, and reported.
// Changes are found by ctime, which no process can set back: a file created, written,
// renamed or linked into place during the session has a ctime after its start.
#pragma once
#include <dirent.h>
#include <time.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config_file.h"

namespace shellrt::git {

struct StartProtection {
  std::vector<std::string> pinned;    // directories made mount points of their own
  std::vector<std::string> readOnly;  // files and directories bound read-only
  // A linked worktree's main repository: the workspace's git data lives there, so the
  // sandbox gets it with the workspace's rights (its config and hooks read-only).
  std::string linkedCommonDir;
  // The configurations bound read-only (config, config.worktree) with their settings at the
  // start: git inside rewrites one through the supervisor (git/config_broker.h) when the
  // rewrite adds nothing unsafe to these, and the end's check judges it against them too.
  std::map<std::string, std::vector<Setting>> heldConfigs;
  // Repositories below the workspace's top (work trees with a `.git`, and bare ones: see
  // isGitDirectory), held as its own is; all of them unless the
  // workspace has more directory entries than the start reads (the rest are checked while
  // the session runs, git/live_check.h).
  size_t nestedRepositories = 0;
  bool nestedWalkComplete = true;
};

// What the start spends looking for nested repositories, at most: directory entries read,
// and time (a filesystem without entry types costs an lstat each: 20,000 took 200 ms on one).
constexpr size_t kNestedWalkEntries = 20000;
constexpr int kNestedWalkMs = 10;

// What the sandbox's view holds of the workspace's repository, and of those nested in it.
StartProtection protectWorkspaceRepository(const std::string &workspace, const std::string &home);

struct Finding {
  std::string path, reason, movedTo;
};

// A directory entry that is a directory (not a link to one), by the entry's type where the
// filesystem gives it.
bool isDirectoryEntry(const dirent &e, const std::string &path);

// Whether git takes `dir` itself for a git directory: a HEAD it accepts (a link into refs/, a
// `ref: refs/...` line, or an object name), with objects and refs there or in the directory
// its commondir names. No `.git` need name it: git run in such a directory, or below it,
// uses it as a bare repository (git 2.39's safe.bareRepository is `all` by default), its
// config and hooks included. Errs towards yes (objects and refs only need to exist), never
// waits (a HEAD that is not a regular file or link is none).
bool isGitDirectory(const std::string &dir);

// One check of repositories, the end's (auditSession) or one while the session runs
// (live_check.h): what changed since `since`, judged, and moved aside when unsafe. Each git
// directory is checked once.
class SessionCheck {
public:
  // `live`: while the session runs (live_check.h), when the held configurations are left to
  // the supervisor's checks.
  SessionCheck(std::string workspace, std::string home, const StartProtection &start, timespec since,
               bool live = false);
  // Every .git below `dir`: directories, and the files and links that name one; and every
  // directory that is a git directory of itself (isGitDirectory). `enter`, when given, is
  // told of each directory before it is listed (false: left out), and the walk then goes
  // into git directories too.
  void walk(const std::string &dir, int depth, const std::function<bool(const std::string &)> &enter = nullptr);
  // A `.git` directory, file or link.
  void dotGit(const std::string &path);
  void gitDir(const std::string &dir);

  std::vector<Finding> findings;
  // What the checked repositories' configurations name outside their git directories
  // (included files, hooks directories), each with the git directory that names it.
  std::vector<std::pair<std::string, std::string>> outside;
  // The git directories checked, as real paths.
  const std::set<std::string> &checked() const { return checked_; }

private:
  bool changed(const std::string &path, bool followLink = true) const;
  bool changedAt(int at, const std::string &name, bool followLink = true) const;
  void quarantine(const std::string &path, const std::string &reason);
  void config(const std::string &path, const std::string &dir);
  void commondir(const std::string &dir);
  void hooks(const std::string &dir, const std::string &gitDir);
  void rebasePlan(const std::string &path);
  void mergeStrategies(const std::string &dir);
  void legacyRemotes(const std::string &dir);
  std::vector<std::string> writtenIn(const std::string &dir, const std::string &ignoredSuffix) const;

  std::string workspace_, home_;
  const StartProtection &start_;
  timespec since_;
  bool live_;
  std::set<std::string> checked_;
};

// Checks every repository in the workspace, and a linked worktree's main repository, for
// what changed since `since`; moves aside what is unsafe. A held configuration that git
// rewrote is judged by what it adds to its settings at the start.
std::vector<Finding> auditSession(const std::string &workspace, const StartProtection &start, const std::string &home,
                                  timespec since);

}  // namespace shellrt::git
