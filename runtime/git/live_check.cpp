#include "live_check.h"

#include <errno.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "bundle/bundle.h"

namespace shellrt::git {

namespace {

// What makes or changes a file that git reads: created, moved in, written (each write, so that
// one held open is seen too), its mode changed (a hook made executable).
constexpr uint32_t kEvents =
    IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_ONLYDIR | IN_DONT_FOLLOW;

// A file just created is empty until its first write (its own event): judged then, not as an
// empty file that git would read otherwise (an empty commondir, a config cut short). A link
// made to a file (symbolic, or a second name) has its content already.
bool contentFollows(const inotify_event &e, const std::string &path) {
  if (!(e.mask & IN_CREATE) || (e.mask & IN_ISDIR)) return false;
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1;
}

}  // namespace

LiveCheck::LiveCheck(std::string workspace, std::string home, const StartProtection &start, timespec since)
    : workspace_(std::move(workspace)), home_(std::move(home)), start_(start), since_(since) {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

LiveCheck::~LiveCheck() {
  if (fd_ >= 0) close(fd_);
}

std::vector<Finding> LiveCheck::watchWorkspace() {
  SessionCheck check(workspace_, home_, start_, since_, true);
  if (fd_ >= 0) watchTree(workspace_, check);
  if (!start_.linkedCommonDir.empty()) check.gitDir(start_.linkedCommonDir);
  learn(check);
  std::vector<Finding> findings = check.findings, outside = followOutside(check);
  findings.insert(findings.end(), outside.begin(), outside.end());
  return findings;
}

// false with errno when the kernel refused it (ENOSPC: past its limit of watches, counted).
bool LiveCheck::watch(const std::string &dir) {
  int wd = inotify_add_watch(fd_, dir.c_str(), kEvents);
  if (wd >= 0) paths_[wd] = dir;
  else unwatched_ += errno == ENOSPC;
  return wd >= 0;
}

// What the workspace's repositories take from outside it, where the sandbox may write too (a
// cache in the home that the policy opens): a git directory that a `.git` file or link names
// (watched with its hooks and the state of a rebase or cherry-pick; what is made in it later
// is watched as it comes), an included file and a hooks directory (their directories). Each is
// watched from when it is learnt, then checked again, so that a write made before its watch
// is seen too; what that check learns is followed in turn.
std::vector<Finding> LiveCheck::followOutside(const SessionCheck &first) {
  std::vector<Finding> findings;
  const SessionCheck *learnt = &first;
  std::unique_ptr<SessionCheck> again;
  for (int round = 0; fd_ >= 0 && round < 8; ++round) {
    std::set<std::string> fresh;
    for (const std::string &dir : learnt->checked())
      if (!pathWithin(dir, workspace_) && followed_.insert(dir).second) {
        watch(dir);
        for (const char *inside : {"/hooks", "/rebase-merge", "/sequencer"}) watch(dir + inside);
        fresh.insert(dir);
      }
    for (const auto &[path, gitDir] : learnt->outside)
      if (!pathWithin(path, workspace_) && followed_.insert(path).second) {
        watch(parentOf(path));
        watch(path);  // a hooks directory (a file is no directory to watch: refused, harmless)
        fresh.insert(gitDir);
      }
    if (fresh.empty()) break;
    again = std::make_unique<SessionCheck>(workspace_, home_, start_, since_, true);
    for (const std::string &dir : fresh) again->gitDir(dir);
    learn(*again);
    findings.insert(findings.end(), again->findings.begin(), again->findings.end());
    learnt = again.get();
  }
  return findings;
}

// Watch first, then list: what is made in between shows in the listing, what after in events.
// A directory watched already (moved within the workspace) keeps its watch under its new path.
void LiveCheck::watchTree(const std::string &dir, SessionCheck &check) {
  check.walk(dir, 0, [this](const std::string &each) {
    return watch(each) || errno == ENOSPC;  // past the limit, still listed for repositories
  });
}

// The repository that an event at DIR/NAME touches, checked: a `.git` made or changed there,
// DIR become a git directory of itself (what makes one: its HEAD, objects, refs, commondir),
// a file in or below a git directory known, or one that a repository's configuration names
// outside it (an included file, a hooks directory).
void LiveCheck::checkAt(const std::string &dir, const std::string &name, SessionCheck &check) {
  std::string path = dir + "/" + name;
  if (name == ".git") return check.dotGit(path);
  bool makesGitDirectory = name == "HEAD" || name == "objects" || name == "refs" || name == "commondir";
  if (makesGitDirectory && isGitDirectory(dir)) return check.gitDir(dir);
  for (const std::string &p : {path, dir}) {
    auto named = outside_.find(p);
    if (named != outside_.end()) check.gitDir(named->second);
  }
  // A directory that is not a git directory yet (no HEAD git accepts, no objects or refs)
  // is one git does not use: it is learnt when it becomes one (the event of that part). One
  // outside the workspace is as far up as `/`.
  for (std::string at = dir;; at = parentOf(at)) {
    if (gitDirs_.count(at)) return check.gitDir(at);
    if (at.size() <= 1) break;
  }
}

// One read's events, one check of each repository they touch: a sandbox that rewrites a file
// in a loop is checked again at each read, not once for as long as its events keep coming.
std::vector<Finding> LiveCheck::react() {
  SessionCheck check(workspace_, home_, start_, since_, true);
  alignas(inotify_event) char buffer[1 << 16];
  ssize_t n = read(fd_, buffer, sizeof buffer);
  if (n > 0) {
    for (char *at = buffer; at < buffer + n;) {
      const auto *e = reinterpret_cast<const inotify_event *>(at);
      at += sizeof(inotify_event) + e->len;
      if (e->mask & IN_Q_OVERFLOW) {  // events were lost: look at everything again
        watchTree(workspace_, check);
        continue;
      }
      if (e->mask & IN_IGNORED) {
        paths_.erase(e->wd);
        continue;
      }
      auto dir = paths_.find(e->wd);
      if (dir == paths_.end() || e->len == 0) continue;
      std::string name = e->name, path = dir->second + "/" + name;
      if ((e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO))) watchTree(path, check);
      if (!contentFollows(*e, path)) checkAt(dir->second, name, check);
    }
  }
  learn(check);
  std::vector<Finding> findings = check.findings, outside = followOutside(check);
  findings.insert(findings.end(), outside.begin(), outside.end());
  count(findings);
  return findings;
}

void LiveCheck::count(const std::vector<Finding> &findings) {
  for (const Finding &f : findings) {
    int times = ++movedAside_[f.path];
    ++movedInAll_;
    if (!persistence_.empty()) continue;
    if (times >= kMaxPerPath)
      persistence_ = "the sandbox wrote " + f.path + " " + std::to_string(times) + " times, each moved aside";
    else if (movedInAll_ >= kMaxInSession)
      persistence_ = "the sandbox wrote " + std::to_string(movedInAll_) + " files that the host's git would run";
  }
}

void LiveCheck::learn(const SessionCheck &check) {
  gitDirs_.insert(check.checked().begin(), check.checked().end());
  for (const auto &[path, gitDir] : check.outside) outside_[path] = gitDir;
}

}  // namespace shellrt::git
