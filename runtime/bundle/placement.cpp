#include "bundle/placement.h"

namespace shellrt {
namespace {

const char *startName(bool workspace) { return workspace ? "workspace" : "home"; }

// A rule's (or an assert's, a test's: `namer`) `path` at or inside a start-up directory that
// its own namespace is not inside: the proofs read that path as its namespace's only, while
// it is also the directory's.
// (A workspace rule inside the home is the workspace inside the home, which they cover.)
bool ruleOutside(const SandboxPath &path, const std::string &namer, const std::string &workspace, const std::string &home,
                 std::string &error) {
  if (path.rel.empty()) return true;  // a rule on a namespace's root covers it wholly, as proved
  std::string resolved = path.resolve(home, workspace);
  for (bool workspaceDir : {true, false}) {
    const std::string &dir = workspaceDir ? workspace : home;
    std::string ownRoot = SandboxPath{path.root, ""}.resolve(home, workspace);
    if (pathWithin(ownRoot, dir) || !pathWithin(resolved, dir)) continue;
    std::string rel = resolved.size() > dir.size() ? resolved.substr(dir.size() + 1) : "";
    std::string written = workspaceDir ? (rel.empty() ? "workspace" : "workspace / \"" + rel + "\"") : "\"~" + (rel.empty() ? "" : "/" + rel) + "\"";
    error = "the " + std::string(startName(workspaceDir)) + " " + dir + " holds " + resolved + ", which " + namer +
            " names as another path than the " + startName(workspaceDir) + "'s: the policy's proofs do not cover this start; "
            "write its path as " + written + ", or start elsewhere";
    return false;
  }
  return true;
}

// Devices, processes and the kernel's objects hold no one's files: the verifier considers no
// start there (every rule on a device would otherwise be a place for a home).
bool inPseudoFilesystem(const std::string &dir, bool workspaceDir, std::string &error) {
  for (const char *top : {"/dev", "/proc", "/sys"}) {
    if (!pathWithin(dir, top)) continue;
    error = std::string("the ") + startName(workspaceDir) + " " + dir + " lies in " + top +
            ", which holds devices and the kernel's objects, not files to work on: " +
            (workspaceDir ? "give the project's directory (--workspace DIR)" : "set HOME to a directory of your own");
    return true;
  }
  return false;
}

}  // namespace

bool placementHolds(const Bundle &bundle, const std::string &workspace, const std::string &home, std::string &error) {
  if (inPseudoFilesystem(workspace, true, error) || inPseudoFilesystem(home, false, error)) return false;
  if (pathWithin(home, workspace)) {
    error = "the workspace " + workspace + (home == workspace ? " is the home directory" : " contains the home directory " + home) +
            ": the policy's rules on home paths (~/.ssh, ~/.aws) would not hold; give the project's directory (--workspace DIR)";
    return false;
  }
  for (const LandlockRule &r : bundle.landlockRules)
    if (!ruleOutside(r.path, r.rules.front().display(), workspace, home, error)) return false;
  for (const MountEntry &m : bundle.mounts)
    if (!ruleOutside(m.path, m.rule.display(), workspace, home, error)) return false;
  for (const SocketRule &s : bundle.unixSockets)
    if (!ruleOutside(s.path, s.rule.display(), workspace, home, error)) return false;
  for (const NamedPath &n : bundle.namedPaths)
    if (!ruleOutside(n.path, n.by, workspace, home, error)) return false;
  for (const RefusedPlacement &refused : bundle.refusedPlacements) {
    bool holds = true;
    std::string who;
    for (const RefusedPlacement::Condition &c : refused.inside) {
      holds = holds && pathWithin(c.workspace ? workspace : home, c.path.resolve(home, workspace));
      who += std::string(who.empty() ? "the " : " and the ") + startName(c.workspace) + " " + (c.workspace ? workspace : home);
    }
    if (!holds) continue;
    error = who + (refused.inside.size() > 1 ? " lie" : " lies") + " where the policy's proofs do not hold: " + refused.why +
            "; start elsewhere (--workspace DIR, or another HOME), or change the policy";
    return false;
  }
  return true;
}

}  // namespace shellrt
