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
//   hook, a commondir pointing elsewhere, a rebase plan that runs commands) is renamed
//   aside, where git does not look, and reported.
// Changes are found by ctime, which no process can set back: a file created, written,
// renamed or linked into place during the session has a ctime after its start.
#pragma once
#include <time.h>

#include <string>
#include <vector>

namespace shellrt::git {

struct StartProtection {
  std::vector<std::string> pinned;    // directories made mount points of their own
  std::vector<std::string> readOnly;  // files and directories bound read-only
  // A linked worktree's main repository: the workspace's git data lives there, so the
  // sandbox gets it with the workspace's rights (its config and hooks read-only).
  std::string linkedCommonDir;
};

StartProtection protectWorkspaceRepository(const std::string &workspace, const std::string &home);

struct Finding {
  std::string path, reason, movedTo;
};

// Checks every repository in the workspace, and the git directories in `alsoCheck` (a linked
// worktree's main repository), for what changed since `since`; moves aside what is unsafe.
std::vector<Finding> auditSession(const std::string &workspace, const std::vector<std::string> &alsoCheck,
                                  const std::string &home, timespec since);

}  // namespace shellrt::git
