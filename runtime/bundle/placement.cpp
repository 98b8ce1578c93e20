#include "bundle/placement.h"

namespace shellrt {
namespace {

const char *startName(bool workspace) { return workspace ? "workspace" : "home"; }

// A rule on `path` at or inside a start-up directory that its own namespace is not inside:
// the proofs read that path as the rule's namespace only, while it is also the directory's.
// (A workspace rule inside the home is the workspace inside the home, which they cover.)
bool ruleOutside(const SandboxPath &path, const RuleSource &rule, const std::string &workspace, const std::string &home,
                 std::string &error) {
  if (path.rel.empty()) return true;  // a rule on a namespace's root covers it wholly, as proved
  std::string resolved = path.resolve(home, workspace);
  for (bool workspaceDir : {true, false}) {
    const std::string &dir = workspaceDir ? workspace : home;
    std::string ownRoot = SandboxPath{path.root, ""}.resolve(home, workspace);
    if (pathWithin(ownRoot, dir) || !pathWithin(resolved, dir)) continue;
    std::string rel = resolved.size() > dir.size() ? resolved.substr(dir.size() + 1) : "";
    std::string written = workspaceDir ? (rel.empty() ? "workspace" : "workspace / \"" + rel + "\"") : "\"~" + (rel.empty() ? "" : "/" + rel) + "\"";
    error = "the " + std::string(startName(workspaceDir)) + " " + dir + " holds " + resolved + ", which " + rule.display() +
            " names as another path than the " + startName(workspaceDir) + "'s: the policy's proofs do not cover this start; "
            "write the rule's path as " + written + ", or start elsewhere";
    return false;
  }
  return true;
}

}  // namespace

bool placementHolds(const Bundle &bundle, const std::string &workspace, const std::string &home, std::string &error) {
  if (pathWithin(home, workspace)) {
    error = "the workspace " + workspace + (home == workspace ? " is the home directory" : " contains the home directory " + home) +
            ": the policy's rules on home paths (~/.ssh, ~/.aws) would not hold; give the project's directory (--workspace DIR)";
    return false;
  }
  for (const LandlockRule &r : bundle.landlockRules)
    if (!ruleOutside(r.path, r.rules.front(), workspace, home, error)) return false;
  for (const MountEntry &m : bundle.mounts)
    if (!ruleOutside(m.path, m.rule, workspace, home, error)) return false;
  for (const SocketRule &s : bundle.unixSockets)
    if (!ruleOutside(s.path, s.rule, workspace, home, error)) return false;
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
