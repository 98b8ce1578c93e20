// The git guard's live check (runtime/git/live_check.h) on a real directory tree with real
// inotify: what a session writes into a repository the kernel does not hold is moved aside
// while the session runs; a file is judged when it has its content, not when it is created;
// held configurations are left to the supervisor; a sandbox that keeps rewriting is told.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "git/live_check.h"

namespace {

namespace fs = std::filesystem;
using shellrt::git::Finding;
using shellrt::git::LiveCheck;
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

  std::string ws;
  timespec since{};
};

TEST_F(LiveCheckTest, ARepositoryMadeDuringTheSessionIsMovedAsideAsItIsWritten) {
  StartProtection start;
  LiveCheck live(ws, "/nonexistent", start, since);
  ASSERT_GE(live.fd(), 0);
  EXPECT_TRUE(live.watchWorkspace().empty());
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
  StartProtection start;
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
  StartProtection start;
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
  StartProtection start;
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

}  // namespace
