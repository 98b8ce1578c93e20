// Placements end to end (docs/language.md §7): for random filesystem policies and concrete
// homes and workspaces, every start that the runtime's check (shellrt::placementHolds, on the
// bundle the compiler writes) takes keeps every assert and test expectation that holds with
// the namespaces apart. The ground truth is the sandbox's own: each rule's path resolved at
// that start, all rules then absolute, decided by ir::evaluateFile, as Landlock and the mount
// plan decide them on real paths.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "backends/bundle.h"
#include "bundle/bundle.h"
#include "bundle/placement.h"
#include "ir/evaluate.h"
#include "test_support.h"
#include "verify/placements.h"

namespace shellc {
namespace {

const std::vector<std::string> kPaths = {"\"/a\"", "\"/a/b\"", "\"/a/b/c\"", "\"/t\"", "\"~/x\"", "\"~/x/y\"",
                                         "home", "workspace", "workspace / \"g\"", "\"/\""};
const std::vector<std::string> kRights = {"read", "write", "read, write"};

std::string randomFilesystemPolicy(std::mt19937 &rng) {
  auto pick = [&](const std::vector<std::string> &v) { return v[rng() % v.size()]; };
  std::ostringstream out;
  out << "policy placed\nfilesystem {\n";
  for (int i = 0, n = 3 + rng() % 5; i < n; ++i)
    out << "  " << pick({"allow", "allow", "deny"}) << " " << pick(kRights) << " " << pick(kPaths) << "\n";
  out << "}\n";
  for (int i = 0; i < 3; ++i) out << "assert " << pick({"never", "always"}) << " " << pick({"read", "write"}) << " " << pick(kPaths) << "\n";
  out << "test \"t\" {\n";
  for (int i = 0; i < 3; ++i)
    out << "  expect " << pick({"allow", "deny"}) << " " << pick({"read", "write"}) << " "
        << pick({"\"/a/b/f\"", "\"/t/f\"", "\"~/x/f\"", "\"~/f\"", "workspace / \"g/f\"", "workspace / \"f\""}) << "\n";
  out << "}\n";
  return out.str();
}

backends::Placements placementsOf(const ir::Policy &policy) {
  backends::Placements out;
  for (const verify::Assumption &a : verify::placementAssumptions(policy))
    out.refused.push_back({verify::startConditions(a.placement), a.placement.text + ", " + a.why()});
  for (const verify::NamedPath &n : verify::namedPaths(policy)) out.named.push_back({n.path, n.by});
  return out;
}

ir::Path concrete(const ir::Path &path, const std::string &home, const std::string &workspace) {
  std::string base = path.root == ir::PathRoot::Home ? home : path.root == ir::PathRoot::Workspace ? workspace : "";
  std::string full = path.rel.empty() ? base : base + "/" + path.rel;
  return {ir::PathRoot::Absolute, full.empty() ? "" : full.substr(1)};
}

// The filesystem as the kernel sees it at this start: every rule on the path it resolves to.
ir::Filesystem concreteFilesystem(const ir::Filesystem &fs, const std::string &home, const std::string &workspace) {
  ir::Filesystem out = fs;
  for (ir::FsRule &rule : out.rules) rule.path = concrete(rule.path, home, workspace);
  return out;
}

struct Judged {
  int accepted = 0, refused = 0, properties = 0;
};

// Each assert and expectation that holds apart, judged at the start (home, workspace).
void judgeStart(const ir::Policy &policy, const std::string &home, const std::string &workspace, const std::string &text,
                Judged &judged) {
  ir::Filesystem real = concreteFilesystem(policy.filesystem, home, workspace);
  for (const ir::Assert &a : policy.asserts)
    for (const ir::AccessWord &word : ir::kAccessWords) {
      if (!(a.request.access & word.bit) || verify::counterexampleBeneath(policy.filesystem, a.request.path, word.bit, a.never))
        continue;
      ++judged.properties;
      std::optional<ir::Path> broken =
          verify::counterexampleBeneath(real, concrete(a.request.path, home, workspace), word.bit, a.never);
      ASSERT_FALSE(broken) << "assert " << (a.never ? "never " : "always ") << word.word << " " << a.request.path.display()
                           << " broken at " << broken->display() << " with HOME=" << home << " workspace=" << workspace
                           << "\n" << text;
    }
  for (const ir::Test &test : policy.tests)
    for (const ir::Expectation &e : test.expectations) {
      bool expected = e.outcome == ir::Expectation::Outcome::Allow;
      auto right = static_cast<ir::Access>(e.request.access);
      if (ir::evaluateFile(policy.filesystem, e.request.path, right).allow != expected) continue;
      ++judged.properties;
      ASSERT_EQ(ir::evaluateFile(real, concrete(e.request.path, home, workspace), right).allow, expected)
          << "expect " << (expected ? "allow " : "deny ") << e.request.path.display() << " turned with HOME=" << home
          << " workspace=" << workspace << "\n" << text;
    }
}

TEST(PlacementSoundness, EveryStartTheRuntimeTakesKeepsWhatHoldsApart) {
  const std::vector<std::string> dirs = {"/a", "/a/b", "/a/b/c", "/a/b/c/d", "/a/x", "/t", "/t/u", "/h", "/h/x", "/h/x/y/w", "/h/w"};
  std::mt19937 rng(11);
  Judged judged;
  for (int i = 0; i < 150; ++i) {
    std::string text = randomFilesystemPolicy(rng);
    auto checked = testing::checkText(text);
    ASSERT_TRUE(checked->output.ok) << checked->rendered << text;
    const ir::Policy &policy = checked->output.policy;
    backends::Bundle built;
    std::string error;
    backends::SourceNames names("/", SHELLC_SOURCE_DIR "/stdlib");
    ASSERT_TRUE(backends::buildBundle(policy, checked->sources, names, "0", built, error, placementsOf(policy))) << error;
    shellrt::Bundle bundle;
    ASSERT_TRUE(shellrt::parseBundle(backends::canonicalJson(built.json), bundle, error)) << error;
    for (const std::string &home : dirs)
      for (const std::string &workspace : dirs) {
        std::string why;
        if (!shellrt::placementHolds(bundle, workspace, home, why)) {
          ++judged.refused;
          continue;
        }
        ++judged.accepted;
        judgeStart(policy, home, workspace, text, judged);
        if (HasFatalFailure()) return;
      }
  }
  EXPECT_GT(judged.accepted, 2000);
  EXPECT_GT(judged.refused, 2000);
  EXPECT_GT(judged.properties, 5000);
}

}  // namespace
}  // namespace shellc
