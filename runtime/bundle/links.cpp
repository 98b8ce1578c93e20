#include "bundle/links.h"

#include <climits>
#include <cstdlib>
#include <set>
#include <utility>
#include <vector>

namespace shellrt {
namespace {

// What the filesystem rules give a path: the Landlock rights of the rules above it, and the
// kinds of the mounts above it (a read-only bind, a mask).
using Rights = std::pair<uint64_t, std::set<MountEntry::Kind>>;

// One path a rule names: as written (resolved at start for `~` and workspace), and as the
// kernel resolves it.
struct Named {
  std::string written, real;
  const RuleSource *rule;
  uint64_t access;                // a Landlock rule's
  const MountEntry::Kind *mount;  // a mount's
};

// The sandbox's own /proc, /dev and scratch directories are not the host's: their links
// are read inside, where they are made.
bool madeInside(const std::string &path, const Bundle &bundle) {
  for (const char *own : {"/proc", "/sys", "/dev"})
    if (pathWithin(path, own)) return true;
  for (const MountEntry &m : bundle.mounts)
    if (m.kind == MountEntry::Kind::Scratch && m.path.root == SandboxPath::Root::Absolute && pathWithin(path, "/" + m.path.rel))
      return true;
  return false;
}

std::vector<Named> rulePaths(const Bundle &bundle, const std::string &workspace, const std::string &home) {
  std::vector<Named> out;
  auto add = [&](const SandboxPath &path, const RuleSource &rule, uint64_t access, const MountEntry::Kind *mount) {
    std::string written = path.resolve(home, workspace);
    char real[PATH_MAX];
    if (madeInside(written, bundle) || !realpath(written.c_str(), real)) return;  // a missing path is skipped
    out.push_back({written, real, &rule, access, mount});
  };
  for (const LandlockRule &r : bundle.landlockRules) add(r.path, r.rules.front(), r.access, nullptr);
  for (const MountEntry &m : bundle.mounts)
    if (m.kind != MountEntry::Kind::Scratch) add(m.path, m.rule, 0, &m.kind);
  return out;
}

// The rights of `path` where each rule's path is read `asWritten` (the proofs) or as the
// kernel resolves it.
Rights rightsOf(const std::string &path, const std::vector<Named> &named, bool asWritten) {
  Rights rights{0, {}};
  for (const Named &n : named) {
    if (!pathWithin(path, asWritten ? n.written : n.real)) continue;
    rights.first |= n.access;
    if (n.mount) rights.second.insert(*n.mount);
  }
  return rights;
}

}  // namespace

bool linksHold(const Bundle &bundle, const std::string &workspace, const std::string &home, std::string &error) {
  std::vector<Named> named = rulePaths(bundle, workspace, home);
  for (const Named &n : named) {
    if (n.real == n.written) continue;
    Rights kernel = rightsOf(n.real, named, false);
    if (rightsOf(n.written, named, true) == kernel && rightsOf(n.real, named, true) == kernel) continue;
    error = n.rule->display() + " names " + n.written + ", which is " + n.real +
            " on this machine (a symbolic link): the kernel gives both names the rules of both, and the policy's rules "
            "decide them otherwise, so its proofs do not cover this start; name " + n.real + " in the policy";
    return false;
  }
  return true;
}

}  // namespace shellrt
