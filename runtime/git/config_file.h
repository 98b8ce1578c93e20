// Git's configuration files, read the way git reads them, to judge one that a session
// wrote: which of its settings make the host's git run something, or look elsewhere.
#pragma once
#include <string>
#include <vector>

namespace shellrt::git {

struct Setting {
  std::string key;    // section[.subsection].name: section and name lowercased, as git does
  std::string value;  // unquoted and unescaped; "true" for a bare name
  unsigned line = 0;
};

// False, with the line and why, on anything git's own reader would refuse or that this one
// does not know: a file that cannot be read is never judged harmless.
bool parseConfig(const std::string &text, std::vector<Setting> &out, std::string &error);

// The settings a session may leave in a configuration that the host's git will read: what
// git itself writes for init, clone, submodules and worktrees, and names and preferences
// that run nothing. Everything else (core.fsmonitor, core.hooksPath, aliases, filters,
// diff and merge drivers, credential helpers, includes, pagers, editors, ssh commands,
// url rewrites…) is refused, so that a key added in a later git is refused too.
// core.worktree is harmless only pointing inside `workspace` (relative to `gitDir`).
std::vector<Setting> unsafeSettings(const std::vector<Setting> &settings, const std::string &gitDir,
                                    const std::string &workspace);

// The settings of `now` that `before` does not hold with the same value and that the host's
// git would run or follow: unsafe ones, and those that send the user's own pushes and
// fetches somewhere new (another url or a pushurl for a remote `before` had; a branch made
// to track a remote it did not have: the user's next `git push` would send the repository
// there). A user's own alias or hooks path, there at the start, may stay when git rewrites
// the file; remotes may be added, and fetched from.
std::vector<Setting> addedUnsafeSettings(const std::vector<Setting> &now, const std::vector<Setting> &before,
                                         const std::string &gitDir, const std::string &workspace);

// "core.fsmonitor, alias.co": the keys, for a report.
std::string keysOf(const std::vector<Setting> &settings);

// The files a configuration includes (include.path, includeIf.*.path), as absolute paths;
// relative ones are relative to the configuration's directory, as git reads them; "~/"
// against `home`.
std::vector<std::string> includedFiles(const std::vector<Setting> &settings, const std::string &configDir,
                                       const std::string &home);

// Lexically normalised absolute path: no ".", "..", or repeated slashes.
std::string normalisePath(const std::string &path);

// The directory a path names its file in: "/" for "/x", "." for a bare name.
std::string parentOf(const std::string &path);

// The most of a configuration (or a file git reads as one) that the guard reads.
constexpr size_t kMaxConfigBytes = 1 << 20;

}  // namespace shellrt::git
