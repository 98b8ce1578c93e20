// The git guard's live check (runtime/git/live_check.h) on a real directory tree with real
// inotify: what a session writes into a repository the kernel does not hold is moved aside
// while the session runs; a file is judged when it has its content, not when it is created;
// held configurations are left to the supervisor; a sandbox that keeps rewriting is told.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>
#include <stdio.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "git/live_check.h"

namespace {

namespace fs = std::filesystem;
using shellrt::git::Finding;
using shellrt::git::isGitDirectory;
using shellrt::git::LiveCheck;
using shellrt::git::SessionCheck;
using shellrt::git::StartProtection;

class LiveCheckTest : public ::testing::Test {
protected:
  void SetUp() override {
    char dir[] = "/tmp/live-check-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    ws = dir;
    fs::create_directories(ws + "/.git/hooks");
    write(ws + "/.git/HEAD", "ref: refs/heads/main\n");
    write(ws + "/.git/config", "[core]\n\tbare = false\n");
    clock_gettime(CLOCK_REALTIME, &since);
  }
  void TearDown() override { fs::remove_all(ws); }

  static void write(const std::string &path, const std::string &text, std::ios::openmode mode = std::ios::trunc) {
    std::ofstream(path, std::ios::out | mode) << text;
  }
  // A git directory (its HEAD, what git looks for) made during the session.
  void repository(const std::string &gitDir) {
    fs::create_directories(ws + "/" + gitDir);
    write(ws + "/" + gitDir + "/HEAD", "ref: refs/heads/main\n");
  }
  // What the live check reports within `ms`, from batches of events as they come.
  static std::vector<Finding> events(LiveCheck &live, int ms) {
    std::vector<Finding> all;
    pollfd p{live.fd(), POLLIN, 0};
    while (poll(&p, 1, ms) > 0)
      for (Finding &f : live.react()) all.push_back(f);
    return all;
  }

  // What the live check moves aside within 300 ms: these paths, in this order.
  static void expectMovedAside(LiveCheck &live, const std::vector<std::string> &paths) {
    std::vector<std::string> found;
    for (const Finding &f : events(live, 300)) found.push_back(f.path);
    EXPECT_EQ(found, paths);
  }
  // The live check of the workspace, its directories watched, nothing found yet.
  LiveCheck &startWatching() {
    live_.emplace(ws, "/nonexistent", start, since);
    EXPECT_GE(live_->fd(), 0);
    EXPECT_TRUE(live_->watchWorkspace().empty());
    return *live_;
  }

  std::string ws;
  timespec since{};
  StartProtection start;
  std::optional<LiveCheck> live_;
};

TEST_F(LiveCheckTest, ARepositoryMadeDuringTheSessionIsMovedAsideAsItIsWritten) {
  LiveCheck &live = startWatching();
  repository("a/b/.git");
  fs::create_directories(ws + "/a/b/.git/hooks");
  write(ws + "/a/b/.git/config", "[core]\n\tfsmonitor = touch /tmp/x\n");
  write(ws + "/a/b/.git/hooks/pre-commit", "#!/bin/sh\n");
  write(ws + "/a/b/.git/hooks/pre-commit.sample", "#!/bin/sh\n");
  std::vector<Finding> found = events(live, 300);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].path, ws + "/a/b/.git/config");
  EXPECT_NE(found[0].reason.find("core.fsmonitor"), std::string::npos);
  EXPECT_EQ(found[1].path, ws + "/a/b/.git/hooks/pre-commit");
  EXPECT_FALSE(fs::exists(ws + "/a/b/.git/config"));
  EXPECT_TRUE(fs::exists(ws + "/a/b/.git/config.shellc-quarantine"));
  EXPECT_TRUE(fs::exists(ws + "/a/b/.git/hooks/pre-commit.sample"));
  EXPECT_TRUE(live.persistence().empty());
}

// git writes a linked worktree's commondir as any file: created empty, then written. Judged
// empty, it would name the worktree's own git directory and be refused.
TEST_F(LiveCheckTest, AFileIsJudgedWithItsContentNotWhenCreatedEmpty) {
  LiveCheck live(ws, "/nonexistent", start, since);
  live.watchWorkspace();
  repository(".git/worktrees/wt");
  {
    std::ofstream commondir(ws + "/.git/worktrees/wt/commondir");
    EXPECT_TRUE(events(live, 100).empty());
    commondir << "../..\n";
  }
  EXPECT_TRUE(events(live, 200).empty());
  EXPECT_TRUE(fs::exists(ws + "/.git/worktrees/wt/commondir"));
  write(ws + "/.git/worktrees/wt/commondir", "/elsewhere\n");
  std::vector<Finding> found = events(live, 200);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].reason.find("pointing git at /elsewhere"), std::string::npos);
}

// The workspace's own config, held by the kernel and rewritten only by the supervisor, in
// place: not judged while the session runs (a rewrite read half-way would look cut short),
// and judged at the end against what it held at the start.
TEST_F(LiveCheckTest, AHeldConfigIsLeftToTheSupervisorUntilTheEnd) {
  start.heldConfigs[fs::canonical(ws).string() + "/.git/config"] = {};
  LiveCheck live(fs::canonical(ws).string(), "/nonexistent", start, since);
  live.watchWorkspace();
  write(ws + "/.git/config", "[core]\n\tfsmonitor = x\n[co");
  EXPECT_TRUE(events(live, 200).empty());
  std::vector<Finding> atEnd = shellrt::git::auditSession(fs::canonical(ws).string(), start, "/nonexistent", since);
  ASSERT_EQ(atEnd.size(), 1u);
  EXPECT_NE(atEnd[0].reason.find("that git may read (line 3"), std::string::npos) << atEnd[0].reason;
}

TEST_F(LiveCheckTest, ASandboxThatKeepsRewritingOnePathIsTold) {
  LiveCheck live(ws, "/nonexistent", start, since);
  live.watchWorkspace();
  repository("r/.git");
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(live.persistence().empty()) << i;
    write(ws + "/r/.git/config", "[core]\n\tfsmonitor = x\n");
    EXPECT_EQ(events(live, 200).size(), 1u) << i;
  }
  EXPECT_NE(live.persistence().find("r/.git/config 3 times"), std::string::npos) << live.persistence();
}

// No `.git` names it, yet git run there or below uses it as a bare repository, its config
// included (a pager, an alias): made so during the session, it is checked as any other.
TEST_F(LiveCheckTest, ADirectoryMadeABareRepositoryIsCheckedAsOne) {
  LiveCheck &live = startWatching();
  fs::create_directories(ws + "/src/foo");
  write(ws + "/src/config", "[core]\n\tpager = touch /tmp/x\n");
  write(ws + "/src/HEAD", "ref: refs/heads/main\n");
  EXPECT_TRUE(events(live, 200).empty());  // not a git directory yet: git ignores it
  fs::create_directories(ws + "/src/objects");
  fs::create_directories(ws + "/src/refs");
  std::vector<Finding> found = events(live, 300);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, ws + "/src/config");
  EXPECT_NE(found[0].reason.find("core.pager"), std::string::npos);
  // Known now: what is written into it later is checked too.
  fs::create_directories(ws + "/src/hooks");
  write(ws + "/src/hooks/post-checkout", "#!/bin/sh\n");
  found = events(live, 300);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, ws + "/src/hooks/post-checkout");
  // A project's own HEAD and config, in a directory git does not take for a repository.
  fs::create_directories(ws + "/doc");
  write(ws + "/doc/HEAD", "ref: refs/heads/main\n");
  write(ws + "/doc/config", "[core]\n\tpager = less\n");
  EXPECT_TRUE(events(live, 200).empty());
  EXPECT_TRUE(fs::exists(ws + "/doc/config"));
}

// isGitDirectory against git's own discovery, on directories made every way that matters:
// HEAD's content and kind, objects and refs there or not, a commondir that names them.
TEST_F(LiveCheckTest, IsGitDirectoryAgreesWithGit) {
  const std::vector<std::string> heads = {
      "ref: refs/heads/main\n", "ref:refs/x", "ref: \t refs/x", "ref: heads/x", "refs/heads/main\n",
      std::string(40, 'a'), std::string(39, 'a'), std::string(40, 'F') + "\n", "", "garbage",
      "ref: refs/heads/main\n" + std::string(400, 'x')};
  fs::create_directories(ws + "/common/objects");
  fs::create_directories(ws + "/common/refs");
  fs::create_directories(ws + "/empty");
  int cases = 0, directories = 0;
  auto check = [&](const std::string &dir) {
    // GIT_CEILING_DIRECTORIES: git looks no further up than the directory itself.
    std::string command = "cd '" + dir + "' && GIT_CEILING_DIRECTORIES='" + ws +
                          "' git rev-parse --git-dir 2>/dev/null";
    FILE *out = popen(command.c_str(), "r");
    ASSERT_NE(out, nullptr);
    char line[4096] = "";
    bool gitSays = fgets(line, sizeof line, out) && std::string(line) == ".\n";
    pclose(out);
    EXPECT_EQ(isGitDirectory(dir), gitSays) << dir;
    ++cases;
    directories += gitSays;
  };
  for (size_t h = 0; h < heads.size() + 3; ++h)
    for (int parts = 0; parts < 4; ++parts)
      for (const char *commondir : {"", "../common", "../empty"}) {
        std::string dir = ws + "/case-" + std::to_string(cases);
        fs::create_directories(dir);
        if (h < heads.size()) write(dir + "/HEAD", heads[h]);
        else if (h == heads.size()) fs::create_symlink("refs/heads/main", dir + "/HEAD");
        else if (h == heads.size() + 1) fs::create_symlink("heads/main", dir + "/HEAD");
        else fs::create_directories(dir + "/HEAD");
        if (parts & 1) fs::create_directories(dir + "/objects");
        if (parts & 2) fs::create_directories(dir + "/refs");
        if (*commondir) write(dir + "/commondir", std::string(commondir) + "\n");
        check(dir);
      }
  EXPECT_EQ(cases, static_cast<int>((heads.size() + 3) * 4 * 3));
  // Seven HEADs git accepts, each with objects and refs of its own or through ../common.
  EXPECT_EQ(directories, 7 * 5);
}

// A rebase or cherry-pick resumed on the host runs the merge strategy its state names: git's
// own are kept, any other (git would run git-merge-NAME) is moved aside.
TEST_F(LiveCheckTest, AMergeStrategyGitWouldRunAsAProgramIsMovedAside) {
  LiveCheck &live = startWatching();
  fs::create_directories(ws + "/.git/rebase-merge");
  fs::create_directories(ws + "/.git/sequencer");
  write(ws + "/.git/rebase-merge/strategy", "ort\n");
  write(ws + "/.git/sequencer/opts", "[options]\n\tstrategy = resolve\n");
  EXPECT_TRUE(events(live, 200).empty());
  write(ws + "/.git/rebase-merge/strategy", "../evil\n");
  write(ws + "/.git/sequencer/opts", "[options]\n\tstrategy = ../evil\n");
  expectMovedAside(live, {ws + "/.git/rebase-merge/strategy", ws + "/.git/sequencer/opts"});
}

// The sandbox swaps a directory it wrote an unsafe config in for a link to a directory of the
// user's, over and over, while the guard checks it: what the guard moves aside is only ever
// the sandbox's file, never the user's, whichever moment the swap falls on.
TEST_F(LiveCheckTest, ADirectorySwappedForALinkNeverSendsTheRenameToTheUsersFiles) {
  std::string user = ws + "-user";
  for (const std::string &dir : {user, ws + "/src"}) {
    fs::create_directories(dir + "/objects");
    fs::create_directories(dir + "/refs");
    write(dir + "/HEAD", "ref: refs/heads/main\n");
  }
  write(user + "/config", "[core]\n\tpager = the user's own\n");
  usleep(20000);
  clock_gettime(CLOCK_REALTIME, &since);  // the user's config is older than the session
  int sandboxDir = open((ws + "/src").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(sandboxDir, 0);
  fs::create_symlink(user, ws + "/alt");
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    while (!stop) renameat2(AT_FDCWD, (ws + "/src").c_str(), AT_FDCWD, (ws + "/alt").c_str(), RENAME_EXCHANGE);
  });
  int moved = 0;
  for (int i = 0; i < 3000; ++i) {
    int fd = openat(sandboxDir, "config", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "[core]\n\tpager = x\n", 18), 18);
    close(fd);
    SessionCheck check(ws, "/nonexistent", start, since);
    check.gitDir(ws + "/src");
    for (const Finding &f : check.findings) moved += !f.movedTo.empty();
  }
  stop = true;
  swapper.join();
  close(sandboxDir);
  EXPECT_GT(moved, 0);  // the check did run on the sandbox's config
  std::vector<std::string> left;
  for (const auto &e : fs::directory_iterator(user)) left.push_back(e.path().filename());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"HEAD", "config", "objects", "refs"}));
  fs::remove_all(user);
}

// A `.git` file naming a git directory outside the workspace, where the sandbox may write too
// (a cache in the home that the policy opens): what is written there is checked as it is
// written, not only at the end.
TEST_F(LiveCheckTest, AGitDirectoryOutsideTheWorkspaceIsWatchedOnceNamed) {
  std::string cache = ws + "-cache";
  LiveCheck &live = startWatching();
  fs::create_directories(cache + "/gd/objects");
  fs::create_directories(cache + "/gd/refs");
  fs::create_directories(cache + "/gd/hooks");
  write(cache + "/gd/HEAD", "ref: refs/heads/main\n");
  write(cache + "/gd/config", "[core]\n\tbare = false\n");
  fs::create_directories(ws + "/sub");
  write(ws + "/sub/.git", "gitdir: " + cache + "/gd\n");
  EXPECT_TRUE(events(live, 200).empty());  // learnt, and harmless so far
  write(cache + "/gd/config", "[core]\n\tfsmonitor = touch /tmp/x\n");
  write(cache + "/gd/hooks/pre-commit", "#!/bin/sh\n");
  expectMovedAside(live, {cache + "/gd/config", cache + "/gd/hooks/pre-commit"});
  fs::remove_all(cache);
}

}  // namespace
