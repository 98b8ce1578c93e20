// The git guard while the session runs (guard.h): what the start cannot hold in the kernel —
// a repository the sandbox makes in a subdirectory (with a `.git`, or a directory made a
// bare repository), a submodule's or worktree's git directory it makes, a repository that
// was in the workspace beyond the start's walk — is checked as soon as
// the sandbox writes there, not only at the end, so that a host program running git there
// meanwhile (an editor scanning subfolders) finds it already moved aside. Every directory of
// the workspace is watched (inotify: unprivileged, one watch per directory), and what its
// repositories take from outside it from when it is learnt (a git directory that a `.git`
// names, in a cache of the home that the policy opens; an included file); a batch of
// events checks each repository it touches once, as the end's check does. What remains: the
// time between a write and its check (the guardian's wake-up and one repository's check,
// 0.5 ms measured in bench/git_guard.sh), and directories past the kernel's limit of watches
// (fs.inotify.max_user_watches), said at the start and checked at the end only.
#pragma once
#include <time.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "guard.h"

namespace shellrt::git {

class LiveCheck {
public:
  LiveCheck(std::string workspace, std::string home, const StartProtection &start, timespec since);
  ~LiveCheck();
  LiveCheck(const LiveCheck &) = delete;
  LiveCheck &operator=(const LiveCheck &) = delete;

  // The descriptor to wait on (readable when events are pending); -1 without inotify.
  int fd() const { return fd_; }
  // Watches every directory of the workspace, checking the repositories found on the way
  // (the sandbox may have written one before its directory was watched).
  std::vector<Finding> watchWorkspace();
  // Reads pending events (one read) and checks the repositories they touch.
  std::vector<Finding> react();
  size_t watched() const { return paths_.size(); }
  // Why the session must end, or empty: the sandbox keeps writing what the host's git would
  // run. Each write is moved aside within a fraction of a millisecond, but one rewritten in
  // a loop is there most of the time (measured: 93 % of a host's reads found it, at 460
  // rewrites a second). A path moved aside kMaxPerPath times, or kMaxInSession moved aside in
  // all, ends it: a tool that installs hooks once (pre-commit, husky) stays well below.
  std::string persistence() const { return persistence_; }
  // Directories left unwatched at the kernel's limit (ENOSPC); 0 when every one is watched.
  size_t unwatched() const { return unwatched_; }

private:
  void watchTree(const std::string &dir, SessionCheck &check);
  void checkAt(const std::string &dir, const std::string &name, SessionCheck &check);
  void learn(const SessionCheck &check);
  bool watch(const std::string &dir);
  std::vector<Finding> followOutside(const SessionCheck &check);
  void count(const std::vector<Finding> &findings);

  static constexpr int kMaxPerPath = 3, kMaxInSession = 20;
  std::string workspace_, home_;
  const StartProtection &start_;
  timespec since_;
  int fd_ = -1;
  size_t unwatched_ = 0;
  std::map<int, std::string> paths_;             // watch → directory
  std::set<std::string> gitDirs_;                // known git directories
  std::map<std::string, std::string> outside_;   // an included file or hooks directory → its git directory
  std::set<std::string> followed_;               // what is watched outside the workspace
  std::map<std::string, int> movedAside_;        // each path moved aside, how many times
  int movedInAll_ = 0;
  std::string persistence_;
};

}  // namespace shellrt::git
