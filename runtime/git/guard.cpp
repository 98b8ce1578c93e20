#include "guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

#include "bundle/bundle.h"
#include "config_file.h"

namespace shellrt::git {

namespace {

// A file as git reads it (through links), a regular one only: a FIFO the sandbox left in
// place of a config must not hold the guardian, nor the supervisor waiting for it.
bool readSmallFile(const std::string &path, std::string &text) {
  std::string ignored;
  return readBoundedFile(path, kMaxConfigBytes, text, ignored);
}

bool isDirectory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::string realPath(const std::string &path) {
  char out[PATH_MAX];
  return realpath(path.c_str(), out) ? std::string(out) : std::string();
}

// "gitdir: PATH" of a .git file, relative to the file's directory; empty when it is none.
std::string gitfileTarget(const std::string &gitfile) {
  std::string text;
  if (!readSmallFile(gitfile, text) || text.rfind("gitdir: ", 0) != 0) return {};
  std::string target = text.substr(0, text.find('\n')).substr(8);
  if (target.empty()) return {};
  return normalisePath(target[0] == '/' ? target : parentOf(gitfile) + "/" + target);
}

// Where a git directory's `commondir` file points (git reads config and hooks there).
std::string commonDirOf(const std::string &gitDir) {
  std::string text;
  if (!readSmallFile(gitDir + "/commondir", text)) return gitDir;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return gitDir;
  return normalisePath(text[0] == '/' ? text : gitDir + "/" + text);
}

bool readConfig(const std::string &path, std::vector<Setting> &settings, std::string &error) {
  std::string text;
  if (!readSmallFile(path, text)) return error = "cannot be read", false;
  return parseConfig(text, settings, error);
}

std::vector<std::string> childDirectories(const std::string &dir) {
  std::vector<std::string> out;
  DIR *d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent *e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    if (isDirectoryEntry(*e, path)) out.push_back(path);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// The git directories inside one: submodules (modules/NAME, where NAME may hold slashes,
// and nest) and linked worktrees (worktrees/ID). `between` gets the directories on the way.
void nestedGitDirs(const std::string &gitDir, std::vector<std::string> &out, std::vector<std::string> *between) {
  auto visit = [&](auto &self, const std::string &dir, int depth) -> void {
    if (depth > 16) return;
    for (const std::string &child : childDirectories(dir)) {
      if (exists(child + "/HEAD") || exists(child + "/config")) {
        out.push_back(child);
        nestedGitDirs(child, out, between);
      } else {
        if (between) between->push_back(child);
        self(self, child, depth + 1);
      }
    }
  };
  for (const char *container : {"/modules", "/worktrees"}) {
    if (!isDirectory(gitDir + container)) continue;
    if (between) between->push_back(gitDir + container);
    visit(visit, gitDir + container, 0);
  }
}

std::vector<std::string> hooksPaths(const std::vector<Setting> &settings, const std::string &workTree,
                                    const std::string &home) {
  std::vector<std::string> out;
  for (const Setting &s : settings) {
    if (s.key != "core.hookspath" || s.value.empty()) continue;
    if (s.value[0] == '/') out.push_back(normalisePath(s.value));
    else if (s.value.rfind("~/", 0) == 0) out.push_back(normalisePath(home + s.value.substr(1)));
    else out.push_back(normalisePath(workTree + "/" + s.value));
  }
  return out;
}

}  // namespace

bool isDirectoryEntry(const dirent &e, const std::string &path) {
  struct stat st;
  return e.d_type == DT_DIR || (e.d_type == DT_UNKNOWN && lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode));
}

namespace {

// What git reads of a HEAD to accept it: its first 255 bytes, or a link's target. A regular
// file only, opened without waiting (git would wait on a FIFO: it would run nothing).
bool headIsValid(const std::string &head) {
  struct stat st;
  char text[256];
  if (lstat(head.c_str(), &st) != 0) return false;
  if (S_ISLNK(st.st_mode)) {
    ssize_t n = readlink(head.c_str(), text, sizeof text - 1);
    return n >= 5 && std::string(text, n).rfind("refs/", 0) == 0;
  }
  int fd = open(head.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) return false;
  ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, text, sizeof text - 1) : -1;
  close(fd);
  if (n < 0) return false;
  std::string start(text, n);
  if (start.rfind("ref:", 0) == 0) {
    size_t name = start.find_first_not_of(" \t\n\r\v\f", 4);
    if (name != std::string::npos && start.compare(name, 5, "refs/") == 0) return true;
  }
  // An object name: forty hexadecimal digits first (a SHA-256 name begins so too).
  return start.size() >= 40 && std::all_of(start.begin(), start.begin() + 40, [](unsigned char c) { return isxdigit(c); });
}

}  // namespace

bool isGitDirectory(const std::string &dir) {
  if (!headIsValid(dir + "/HEAD")) return false;
  std::string common = commonDirOf(dir);
  return exists(common + "/objects") && exists(common + "/refs");
}

namespace {

// What git takes configuration or code from in one git directory, held: the directory pinned,
// its config, config.worktree, commondir and hooks read-only, the files its config includes
// and its hooksPath where they exist; its configurations' settings kept for the broker.
void holdGitDir(StartProtection &p, const std::string &dir, const std::string &workTree, const std::string &home) {
  p.pinned.push_back(dir);
  for (const char *file : {"/config", "/config.worktree", "/commondir", "/hooks"})
    if (exists(dir + file)) p.readOnly.push_back(dir + file);
  for (const char *file : {"/config", "/config.worktree"}) {
    std::vector<Setting> held;
    std::string ignored;
    // One that cannot be read is held read-only, and never rewritten.
    if (readConfig(dir + file, held, ignored)) p.heldConfigs[realPath(dir) + file] = std::move(held);
  }
  std::vector<Setting> settings;
  std::string ignored;
  if (!readConfig(dir + "/config", settings, ignored)) return;
  for (const std::string &included : includedFiles(settings, dir, home))
    if (exists(included)) p.readOnly.push_back(included);
  for (const std::string &hooks : hooksPaths(settings, workTree, home))
    if (isDirectory(hooks)) p.readOnly.push_back(hooks);
}

// The git directory `gitDir` of the repository whose work tree is `workTree` (a bare one's is
// itself), held with its common one and theirs nested (submodules', worktrees'). The
// workspace's own may have a common directory outside the workspace (a linked worktree's).
void holdGitDirectories(StartProtection &p, const std::string &gitDir, const std::string &workTree,
                        const std::string &workspace, const std::string &home) {
  std::string commonDir = realPath(commonDirOf(gitDir));
  if (!commonDir.empty() && !pathWithin(commonDir, workspace)) {
    if (workTree != workspace) return;  // a nested one's data outside the workspace: not in view
    p.linkedCommonDir = commonDir;
  }
  std::vector<std::string> gitDirs{gitDir};
  if (!commonDir.empty() && commonDir != gitDir) gitDirs.push_back(commonDir);
  for (size_t i = 0, top = gitDirs.size(); i < top; ++i) {
    std::string dir = gitDirs[i];  // a copy: the list grows
    nestedGitDirs(dir, gitDirs, &p.pinned);
  }
  for (const std::string &dir : gitDirs)  // a submodule's, held already with the repository above it
    if (std::find(p.pinned.begin(), p.pinned.end(), dir) == p.pinned.end()) holdGitDir(p, dir, workTree, home);
}

// The repository whose work tree is `workTree`, held: its git directory is `.git`, or the one
// a .git file names.
void holdRepository(StartProtection &p, const std::string &workTree, const std::string &workspace, const std::string &home) {
  std::string dotGit = workTree + "/.git", gitDir;
  struct stat st;
  if (lstat(dotGit.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) gitDir = dotGit;
  else if (S_ISREG(st.st_mode)) gitDir = realPath(gitfileTarget(dotGit));
  if (gitDir.empty() || !isDirectory(gitDir)) return;
  holdGitDirectories(p, gitDir, workTree, workspace, home);
}

struct NestedRepositories {
  std::vector<std::string> workTrees;  // directories that hold a `.git`
  std::vector<std::string> bare;       // directories that are git directories of themselves
  bool complete = true;                // no directory entry was left unread
};

// The repositories below the workspace's top, there at the start, found breadth first by
// reading at most kNestedWalkEntries directory entries within kNestedWalkMs (git directories'
// insides are not read). A workspace that is a bare repository itself is left to the checks
// while the session runs and at its end.
NestedRepositories nestedRepositories(const std::string &workspace) {
  NestedRepositories found;
  std::vector<std::string> queue{workspace};
  size_t read = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kNestedWalkMs);
  for (size_t next = 0; next < queue.size() && found.complete; ++next) {
    DIR *d = opendir(queue[next].c_str());
    if (!d) continue;
    std::vector<std::string> subdirs;
    bool head = false;
    while (dirent *e = readdir(d)) {
      std::string name = e->d_name;
      if (++read > kNestedWalkEntries || (read % 64 == 0 && std::chrono::steady_clock::now() > deadline)) {
        found.complete = false;
        break;
      }
      if (name == "." || name == "..") continue;
      std::string path = queue[next] + "/" + name;
      head = head || name == "HEAD";
      if (name == ".git") {
        if (next > 0) found.workTrees.push_back(queue[next]);
      } else if (isDirectoryEntry(*e, path)) {
        subdirs.push_back(path);
      }
    }
    closedir(d);
    if (next > 0 && head && isGitDirectory(queue[next])) found.bare.push_back(queue[next]);
    else queue.insert(queue.end(), subdirs.begin(), subdirs.end());
  }
  return found;
}

}  // namespace

StartProtection protectWorkspaceRepository(const std::string &workspace, const std::string &home) {
  StartProtection p;
  holdRepository(p, workspace, workspace, home);
  NestedRepositories nested = nestedRepositories(workspace);
  for (const std::string &workTree : nested.workTrees) holdRepository(p, workTree, workspace, home);
  for (const std::string &gitDir : nested.bare) holdGitDirectories(p, gitDir, gitDir, workspace, home);
  p.nestedRepositories = nested.workTrees.size() + nested.bare.size();
  p.nestedWalkComplete = nested.complete;
  return p;
}

SessionCheck::SessionCheck(std::string workspace, std::string home, const StartProtection &start, timespec since,
                           bool live)
    : workspace_(std::move(workspace)), home_(std::move(home)), start_(start), since_(since), live_(live) {}

void SessionCheck::gitDir(const std::string &dir) {
  std::string real = realPath(dir);
  if (real.empty() || !checked_.insert(real).second) return;
  config(real + "/config", real);
  config(real + "/config.worktree", real);
  commondir(real);
  hooks(real + "/hooks", real);
  rebasePlan(real + "/rebase-merge/git-rebase-todo");
  mergeStrategies(real);
  legacyRemotes(real);
  std::vector<std::string> nested;
  nestedGitDirs(real, nested, nullptr);
  for (const std::string &n : nested) gitDir(n);
}

void SessionCheck::walk(const std::string &dir, int depth, const std::function<bool(const std::string &)> &enter) {
  if (depth > 64 || (enter && !enter(dir))) return;
  DIR *d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> subdirs;
  bool head = false;
  while (dirent *e = readdir(d)) {
    std::string name = e->d_name, path = dir + "/" + name;
    if (name == "." || name == "..") continue;
    if (name == ".git") dotGit(path);
    head = head || name == "HEAD";
    if ((name != ".git" || enter) && isDirectoryEntry(*e, path)) subdirs.push_back(path);
  }
  closedir(d);
  if (head && isGitDirectory(dir)) {
    gitDir(dir);
    if (!enter) return;  // its insides are checked as a git directory's, as a .git's are
  }
  for (const std::string &sub : subdirs) walk(sub, depth + 1, enter);
}

bool SessionCheck::changed(const std::string &path, bool followLink) const { return changedAt(AT_FDCWD, path, followLink); }

// `name` in directory `at` (or a path, with AT_FDCWD): made or changed since the start; a link
// also when what it points to was.
bool SessionCheck::changedAt(int at, const std::string &name, bool followLink) const {
  struct stat st;
  auto after = [&](const struct stat &s) {
    return s.st_ctim.tv_sec > since_.tv_sec || (s.st_ctim.tv_sec == since_.tv_sec && s.st_ctim.tv_nsec >= since_.tv_nsec);
  };
  if (fstatat(at, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  if (after(st)) return true;
  return followLink && S_ISLNK(st.st_mode) && fstatat(at, name.c_str(), &st, 0) == 0 && after(st);
}

namespace {

// A directory held for a rename in it: its real path opened with no link on the way; -1 when
// that path has one by now (a directory swapped for a link since it was resolved).
int pinDirectory(const std::string &dir) {
  std::string real = realPath(dir);
  if (real.empty()) return -1;
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS;
  return static_cast<int>(syscall(SYS_openat2, AT_FDCWD, real.c_str(), &how, sizeof how));
}

}  // namespace

// Never a directory: git reads none as a configuration, hook, commondir or plan, and one made
// during the session may be a placeholder that holds a path in the sandbox (mounts.cpp), which
// a rename would let go of while the session runs. The rename is made in the directory as it
// is when it is pinned, of an entry changed in the session there: a directory of the path
// that the sandbox swaps for a link to one of the user's, after the check, makes the rename
// fail (reported), never move the user's own file.
void SessionCheck::quarantine(const std::string &path, const std::string &reason) {
  std::string dir = parentOf(path), name = path.substr(path.rfind('/') + 1);
  int at = pinDirectory(dir);
  struct stat st;
  bool isDir = at >= 0 && fstatat(at, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
  std::string aside = name + ".shellc-quarantine";
  for (int n = 2; at >= 0 && !isDir && fstatat(at, aside.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0; ++n)
    aside = name + ".shellc-quarantine-" + std::to_string(n);
  bool moved = at >= 0 && !isDir && changedAt(at, name) && renameat(at, name.c_str(), at, aside.c_str()) == 0;
  if (at >= 0) close(at);
  if (!isDir) findings.push_back({path, reason, moved ? dir + "/" + aside : std::string()});
}

void SessionCheck::dotGit(const std::string &path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) return gitDir(path);
  std::string target = S_ISREG(st.st_mode) ? gitfileTarget(path) : realPath(path);
  if (!target.empty() && isDirectory(target)) gitDir(target);
}

void SessionCheck::config(const std::string &path, const std::string &dir) {
  if (!exists(path)) return;
  std::vector<Setting> settings;
  std::string error;
  bool readable = readConfig(path, settings, error);
  auto held = start_.heldConfigs.find(path);
  // A held one changes only through the supervisor's checked rewrites (config_broker.h), in
  // place: read while one is under way, it would look cut short. Judged at the end only.
  bool judged = !(live_ && held != start_.heldConfigs.end());
  if (judged && changed(path)) {
    if (!readable) return quarantine(path, "a configuration written in the session that git may read (" + error + ")");
    std::vector<Setting> unsafe = held == start_.heldConfigs.end()
                                      ? unsafeSettings(settings, dir, workspace_)
                                      : addedUnsafeSettings(settings, held->second, dir, workspace_);
    if (!unsafe.empty()) return quarantine(path, "a configuration written in the session sets " + keysOf(unsafe));
  }
  // An unchanged configuration can still name files the session wrote.
  for (const std::string &included : includedFiles(settings, dir, home_)) {
    outside.push_back({included, dir});
    if (changed(included)) quarantine(included, "a file that " + path + " includes, written in the session");
  }
  for (const std::string &hooksDir : hooksPaths(settings, workspace_, home_)) hooks(hooksDir, dir);
}

void SessionCheck::commondir(const std::string &dir) {
  std::string path = dir + "/commondir";
  if (!exists(path) || !changed(path)) return;
  // A linked worktree's (worktrees/ID) points back to the repository that holds it; one that
  // names the git directory itself (or is empty, which git reads so) sends git nowhere else.
  std::string owner = parentOf(parentOf(dir)), target = realPath(commonDirOf(dir));
  bool linkedWorktree = parentOf(dir) == owner + "/worktrees";
  if ((linkedWorktree && target == realPath(owner)) || target == realPath(dir)) return;
  quarantine(path, "a commondir written in the session, pointing git at " + commonDirOf(dir));
}

// The entries of `dir` written in the session, but those moved aside already and those whose
// name ends with `ignoredSuffix` (when given).
std::vector<std::string> SessionCheck::writtenIn(const std::string &dir, const std::string &ignoredSuffix) const {
  std::vector<std::string> written;
  DIR *d = opendir(dir.c_str());
  if (!d) return written;
  while (dirent *e = readdir(d)) {
    std::string name = e->d_name;
    bool ignored = !ignoredSuffix.empty() && name.size() > ignoredSuffix.size() &&
                   name.compare(name.size() - ignoredSuffix.size(), ignoredSuffix.size(), ignoredSuffix) == 0;
    if (name == "." || name == ".." || ignored || name.find(".shellc-quarantine") != std::string::npos) continue;
    if (changed(dir + "/" + name)) written.push_back(dir + "/" + name);
  }
  closedir(d);
  return written;
}

void SessionCheck::hooks(const std::string &dir, const std::string &gitDir) {
  if (dir.compare(0, gitDir.size() + 1, gitDir + "/") != 0) outside.push_back({dir, gitDir});
  for (const std::string &hook : writtenIn(dir, ".sample")) quarantine(hook, "a hook written in the session");
}

void SessionCheck::rebasePlan(const std::string &path) {
  std::string text;
  if (!changed(path) || !readSmallFile(path, text)) return;
  for (size_t at = 0; at < text.size();) {
    size_t start = text.find_first_not_of(" \t", at), end = text.find('\n', at);
    std::string word = start == std::string::npos ? "" : text.substr(start, text.find_first_of(" \t\n", start) - start);
    if (word == "exec" || word == "x") return quarantine(path, "a rebase plan written in the session runs commands");
    at = end == std::string::npos ? text.size() : end + 1;
  }
}

// The merge strategy that a rebase or cherry-pick in progress resumes with: git runs any but
// its own as the program git-merge-NAME, and a NAME with a slash (`../x`) is found in the work
// tree, which the sandbox writes. One that cannot be read is moved aside too.
void SessionCheck::mergeStrategies(const std::string &dir) {
  static const std::set<std::string> gitsOwn = {"ort", "recursive", "resolve", "octopus", "ours", "subtree"};
  auto foreign = [](std::string name) {
    if (!name.empty() && name.back() == '\n') name.pop_back();  // git reads the file as one line
    return !gitsOwn.count(name);
  };
  std::string text, path = dir + "/rebase-merge/strategy";
  if (changed(path) && (!readSmallFile(path, text) || foreign(text)))
    quarantine(path, "a rebase's state written in the session names a merge strategy git would run as a program");
  path = dir + "/sequencer/opts";
  std::vector<Setting> settings;
  std::string error;
  if (!changed(path)) return;
  if (!readConfig(path, settings, error))
    return quarantine(path, "a cherry-pick's state written in the session that git may read (" + error + ")");
  for (const Setting &s : settings)
    if (s.key == "options.strategy" && foreign(s.value))
      return quarantine(path, "a cherry-pick's state written in the session names a merge strategy git would run as a program");
}

// Remotes in git's legacy form, a file each in remotes/ or branches/ of the git directory:
// git reads one for a remote that no config names (`origin` when none is configured), so
// that the user's next `git push` would carry the repository where the file says. Git never
// writes them; one written in the session is moved aside.
void SessionCheck::legacyRemotes(const std::string &dir) {
  for (const char *kind : {"/remotes", "/branches"})
    for (const std::string &path : writtenIn(dir + kind, ""))
      quarantine(path, "a remote written in the session in git's legacy form, where the user's git push would go");
}

std::vector<Finding> auditSession(const std::string &workspace, const StartProtection &start, const std::string &home,
                                  timespec since) {
  SessionCheck check(workspace, home, start, since);
  check.walk(workspace, 0);
  if (!start.linkedCommonDir.empty()) check.gitDir(start.linkedCommonDir);
  return check.findings;
}

}  // namespace shellrt::git
