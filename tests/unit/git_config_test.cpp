// The git guard's reader of git's configuration files (runtime/git/config_file.h): it reads
// what git reads, refuses what it cannot read, and judges a session's settings.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "git/config_file.h"

namespace {

using shellrt::git::parseConfig;
using shellrt::git::Setting;
using shellrt::git::unsafeSettings;

std::vector<Setting> parsed(const std::string &text) {
  std::vector<Setting> out;
  std::string error;
  EXPECT_TRUE(parseConfig(text, out, error)) << error;
  return out;
}

std::vector<std::string> keys(const std::vector<Setting> &settings) {
  std::vector<std::string> out;
  for (const Setting &s : settings) out.push_back(s.key + "=" + s.value);
  return out;
}

TEST(GitConfig, ReadsWhatGitWrites) {
  auto s = parsed("[core]\n\trepositoryformatversion = 0\n\tbare = false\n[remote \"origin\"]\n"
                  "\turl = https://example.invalid/x.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n");
  EXPECT_EQ(keys(s), (std::vector<std::string>{"core.repositoryformatversion=0", "core.bare=false",
                                               "remote.origin.url=https://example.invalid/x.git",
                                               "remote.origin.fetch=+refs/heads/*:refs/remotes/origin/*"}));
}

TEST(GitConfig, SpellingsGitAcceptsAreNormalised) {
  // Case of sections and names, the old [section.sub] form, a key on the header's line,
  // bare booleans, quotes, escapes, comments and continuation lines.
  auto s = parsed("[CoRe] FSMonitor = \"touch x\" # c\n[Remote.Origin]\nURL\n[alias]\n\tx = !sh \\\n -c 'y' ; z\n");
  EXPECT_EQ(keys(s), (std::vector<std::string>{"core.fsmonitor=touch x", "remote.origin.url=true",
                                               "alias.x=!sh  -c 'y'"}));
  EXPECT_EQ(parsed("[a \"Sub\\\"q\"]\nk=\"v;#\"\n")[0].key, "a.Sub\"q.k");
  EXPECT_EQ(parsed("[a \"Sub\\\"q\"]\nk=\"v;#\"\n")[0].value, "v;#");
}

TEST(GitConfig, RefusesWhatItCannotRead) {
  for (const char *text : {"[core\n", "k = v\n", "[core]\n1k = v\n", "[core]\nk = \"open\n", "[core]\nk = a\\q\n",
                           "[core]\nk v\n", "[core unquoted]\n"}) {
    std::vector<Setting> out;
    std::string error;
    EXPECT_FALSE(parseConfig(text, out, error)) << text;
    EXPECT_NE(error.find("line "), std::string::npos) << error;
  }
}

TEST(GitConfig, OnlyHarmlessSettingsAreKept) {
  const std::string ws = "/home/u/project", gitDir = ws + "/.git/modules/sub";
  auto harmless = parsed("[core]\n\trepositoryformatversion = 0\n\tworktree = ../../../sub\n[remote \"origin\"]\n"
                         "\turl = /x\n[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n"
                         "[submodule \"s\"]\n\turl = ./s\n\tactive = true\n[user]\n\temail = a@b\n");
  EXPECT_TRUE(unsafeSettings(harmless, gitDir, ws).empty());
  auto harmful = parsed("[core]\n\tfsmonitor = x\n\thooksPath = h\n\tworktree = /home/u\n\tsshCommand = x\n"
                        "\tpager = x\n[alias]\n\tst = !x\n[filter \"f\"]\n\tclean = x\n[diff \"d\"]\n\ttextconv = x\n"
                        "[include]\n\tpath = x\n[includeIf \"gitdir:/\"]\n\tpath = x\n[credential]\n\thelper = x\n"
                        "[url \"ext::sh\"]\n\tinsteadOf = https://\n[remote \"o\"]\n\tuploadpack = x\n[unknown]\n\tkey = x\n");
  EXPECT_EQ(shellrt::git::keysOf(unsafeSettings(harmful, gitDir, ws)),
            "core.fsmonitor, core.hookspath, core.worktree, core.sshcommand, core.pager, alias.st, filter.f.clean, "
            "diff.d.textconv, include.path, includeif.gitdir:/.path, credential.helper, url.ext::sh.insteadof, "
            "remote.o.uploadpack, unknown.key");
}

// A rewrite may keep what the user had (an alias, a hooks path) but add nothing unsafe, nor
// give an unsafe key another value.
TEST(GitConfig, ARewriteMayKeepTheUsersOwnSettingsButAddNone) {
  const std::string ws = "/w", gitDir = "/w/.git";
  auto before = parsed("[core]\n\tbare = false\n[alias]\n\tco = checkout\n[core]\n\thooksPath = .githooks\n");
  auto kept = parsed("[core]\n\tbare = false\n\thooksPath = .githooks\n[alias]\n\tco = checkout\n"
                     "[submodule \"s\"]\n\turl = ../s\n\tactive = true\n");
  EXPECT_TRUE(shellrt::git::addedUnsafeSettings(kept, before, gitDir, ws).empty());
  auto changed = parsed("[core]\n\thooksPath = elsewhere\n[alias]\n\tco = checkout\n\tst = !sh\n");
  EXPECT_EQ(shellrt::git::keysOf(shellrt::git::addedUnsafeSettings(changed, before, gitDir, ws)),
            "core.hookspath, alias.st");
}

// Remotes may be added and fetched from, but the user's own remotes keep their URLs and
// their branches track no remote made in the session: their next push would go there.
TEST(GitConfig, ARewriteSendsNoneOfTheUsersPushesElsewhere) {
  const std::string ws = "/w", gitDir = "/w/.git";
  auto before = parsed("[remote \"origin\"]\n\turl = https://host/me/project\n[branch \"main\"]\n\tremote = origin\n");
  auto added = parsed("[remote \"origin\"]\n\turl = https://host/me/project\n[branch \"main\"]\n\tremote = origin\n"
                      "[remote \"inner.x\"]\n\turl = /w/inner\n\tpushurl = /w/inner\n\tfetch = +refs/heads/*:refs/remotes/inner.x/*\n"
                      "[branch \"feature/a.b\"]\n\tremote = origin\n[branch \"local\"]\n\tremote = .\n");
  EXPECT_TRUE(shellrt::git::addedUnsafeSettings(added, before, gitDir, ws).empty());
  auto redirected = parsed("[remote \"origin\"]\n\turl = https://elsewhere/x\n\tpushurl = https://elsewhere/y\n"
                           "[remote \"inner.x\"]\n\turl = /w/inner\n[branch \"main\"]\n\tremote = inner.x\n"
                           "[branch \"dev\"]\n\tpushRemote = inner.x\n");
  EXPECT_EQ(shellrt::git::keysOf(shellrt::git::addedUnsafeSettings(redirected, before, gitDir, ws)),
            "remote.origin.url, remote.origin.pushurl, branch.main.remote, branch.dev.pushremote");
}

TEST(GitConfig, IncludesResolveAsGitResolvesThem) {
  auto s = parsed("[include]\n\tpath = ../shared.gitconfig\n[includeIf \"onbranch:main\"]\n\tpath = ~/x\n"
                  "[include]\n\tpath = /etc/y\n");
  EXPECT_EQ(shellrt::git::includedFiles(s, "/w/.git", "/home/u"),
            (std::vector<std::string>{"/w/shared.gitconfig", "/home/u/x", "/etc/y"}));
}

}  // namespace

namespace {

// Git's own reading of a file: `git config --file F --list -z`, or nothing when git refuses it.
bool gitReads(const std::string &text, std::vector<std::string> &out) {
  char path[] = "/tmp/shellc-gitconfig-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return false;
  close(fd);
  std::string command = std::string("git config --file ") + path + " --list -z 2>/dev/null";
  FILE *pipe = popen(command.c_str(), "r");
  std::string listing;
  char buffer[4096];
  for (size_t n; pipe && (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) listing.append(buffer, n);
  bool ok = pipe && pclose(pipe) == 0;
  unlink(path);
  out.clear();
  for (size_t at = 0, end; ok && (end = listing.find('\0', at)) != std::string::npos; at = end + 1) {
    std::string entry = listing.substr(at, end - at);
    size_t newline = entry.find('\n');
    out.push_back(newline == std::string::npos ? entry + "=true" : entry.substr(0, newline) + "=" + entry.substr(newline + 1));
  }
  return ok;
}

// Random files from the pieces of git's syntax; wherever git reads one, this reader must read
// the same settings (a difference would let a session's setting pass unseen).
TEST(GitConfig, ReadsAsGitReadsOnRandomFiles) {
  const char *headers[] = {"[core]", "[CoRe]", "[remote \"Or\\\"ig\"]", "[alias]", "[a.B]", "[x-y \"s p\"]", "[core] ", "\t[core]"};
  const char *names[] = {"fsmonitor", "hooksPath", "URL", "a-b", "k1"};
  const char *values[] = {"plain", " spaced  ", "\"quoted ; # kept\"", "a\\tb", "a\\\\b", "x \\\"y\\\"", "line\\\n next",
                          "v ; comment", "v # comment", "\"\"", "", "mi\"x\"ed", "\\n"};
  const char *extras[] = {"", "\n", "# comment\n", "; comment\n", "   \n", "\r\n"};
  unsigned seed = 1;
  auto pick = [&](unsigned n) { seed = seed * 1103515245u + 12345u; return (seed >> 16) % n; };
  int compared = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text;
    for (int line = 0, lines = 1 + pick(8); line < lines; ++line) {
      if (line == 0 || pick(3) == 0) text += std::string(headers[pick(8)]) + (pick(2) ? "\n" : " ");
      text += std::string(pick(2) ? "\t" : "") + names[pick(5)];
      if (pick(5)) text += std::string(pick(2) ? " = " : "=") + values[pick(13)];
      text += "\n";
      text += extras[pick(6)];
    }
    std::vector<std::string> expected;
    if (!gitReads(text, expected)) continue;
    std::vector<Setting> settings;
    std::string error;
    ASSERT_TRUE(parseConfig(text, settings, error)) << error << "\n" << text;
    EXPECT_EQ(keys(settings), expected) << text;
    ++compared;
  }
  EXPECT_GT(compared, 100);
}

}  // namespace
