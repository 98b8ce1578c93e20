#include "verify/placements.h"

#include <algorithm>
#include <optional>
#include <set>

#include "ir/evaluate.h"

namespace shellc::verify {
namespace {

using ir::PathRoot;

const char *rootName(PathRoot root) { return root == PathRoot::Home ? "home" : "workspace"; }

// The rules of `where`'s namespace that cover it (and so all of a directory made inside it),
// re-rooted onto the whole of `root`. Rules on "/" are left out: they cover every namespace
// already.
std::vector<ir::FsRule> rerooted(const ir::Filesystem &fs, const ir::Path &where, PathRoot root) {
  std::vector<ir::FsRule> out;
  for (const ir::FsRule &rule : fs.rules) {
    if ((rule.path.root == PathRoot::Absolute && rule.path.rel.empty()) || rule.path.root != where.root ||
        !ir::covers(rule.path, where))
      continue;
    ir::FsRule copy = rule;
    copy.path = {root, ""};
    out.push_back(copy);
  }
  return out;
}

// Where a start-up directory can lie that matters: inside a path a rule names (it gets the
// rule), or inside a path an assert names (the assert then covers it). Its own paths' rules
// name nothing beneath it: shellrt refuses that start.
std::vector<ir::Path> candidateDirs(const ir::Policy &policy, PathRoot root) {
  std::vector<ir::Path> out;
  auto add = [&](const ir::Path &path) {
    if (path.root == root && !path.rel.empty() && std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  };
  for (const ir::FsRule &rule : policy.filesystem.rules) add(rule.path);
  for (const ir::Assert &a : policy.asserts)
    if (a.request.kind == ir::Request::Kind::File) add(a.request.path);
  return out;
}

Placement inside(const ir::Filesystem &fs, PathRoot root, const ir::Path &dir) {
  Placement p;
  p.text = std::string("with the ") + rootName(root) + " inside \"" + dir.display() + "\"";
  p.added = rerooted(fs, dir, root);
  p.inside = {{dir, root}};
  return p;
}

// The workspace inside the home: at a name no rule names, or inside a home path a rule does.
Placement workspaceInHome(const ir::Filesystem &fs, const ir::Path &at) {
  Placement p;
  p.text = at.rel.empty() ? "with the workspace inside the home" : "with the workspace inside \"" + at.display() + "\"";
  p.added = rerooted(fs, at, PathRoot::Workspace);
  p.workspaceInHome = true;
  p.workspaceAt = at;
  return p;
}

bool letsWrite(const Placement &p) {
  return std::any_of(p.added.begin(), p.added.end(), [](const ir::FsRule &r) { return r.allow && (r.access & ir::kWrite); });
}

}  // namespace

std::vector<Placement> placementsOf(const ir::Policy &policy) {
  const ir::Filesystem &fs = policy.filesystem;
  std::vector<Placement> out;
  std::vector<ir::Path> absolute = candidateDirs(policy, PathRoot::Absolute), home = candidateDirs(policy, PathRoot::Home);
  for (const ir::Path &dir : absolute)
    for (PathRoot root : {PathRoot::Home, PathRoot::Workspace}) out.push_back(inside(fs, root, dir));
  out.push_back(workspaceInHome(fs, {PathRoot::Home, ""}));
  for (const ir::Path &dir : home) out.push_back(workspaceInHome(fs, dir));
  // Both at once: the home inside an absolute path, the workspace inside the home.
  for (const ir::Path &dir : absolute) {
    Placement both = workspaceInHome(fs, {PathRoot::Home, ""});
    both.text = "with the home inside \"" + dir.display() + "\" and the workspace inside the home";
    for (PathRoot root : {PathRoot::Home, PathRoot::Workspace}) {
      std::vector<ir::FsRule> more = rerooted(fs, dir, root);
      both.added.insert(both.added.end(), more.begin(), more.end());
      both.inside.push_back({dir, root});
    }
    out.push_back(std::move(both));
  }
  std::stable_sort(out.begin(), out.end(), [](const Placement &a, const Placement &b) { return letsWrite(a) && !letsWrite(b); });
  return out;
}

std::vector<ir::Request> placedRequests(const ir::Request &request, const Placement &placement) {
  std::vector<ir::Request> out;
  if (request.kind != ir::Request::Kind::File) return out;
  const ir::Path &path = request.path;
  auto whole = [&](PathRoot root) {
    ir::Request copy = request;
    copy.path = {root, ""};
    out.push_back(copy);
  };
  bool addsOnRoot = std::any_of(placement.added.begin(), placement.added.end(),
                                [&](const ir::FsRule &r) { return r.path.root == path.root; });
  if (path.root != PathRoot::Absolute && addsOnRoot) out.push_back(request);
  if (path.root == PathRoot::Home && placement.workspaceInHome && ir::covers(path, placement.workspaceAt))
    whole(PathRoot::Workspace);
  if (path.root == PathRoot::Absolute && !path.rel.empty())
    for (const auto &[dir, root] : placement.inside)
      if (ir::covers(path, dir)) whole(root);
  return out;
}

// Complete: a path beneath `pattern` decided against the assert is covered by the rules that
// cover one of these probes and more (a probe is covered by exactly the rules that cover the
// paths just beneath it); none of those more can turn the probe's decision the other way
// without turning the path's too (deny overrides allow), so the probe is decided so too.
std::optional<ir::Path> counterexampleBeneath(const ir::Filesystem &fs, const ir::Path &pattern, ir::Access right, bool never) {
  std::vector<ir::Path> probes = {pattern};
  if (pattern.root == PathRoot::Absolute && pattern.rel.empty())  // "/" covers the start-up directories too
    for (PathRoot root : {PathRoot::Home, PathRoot::Workspace}) probes.push_back({root, ""});
  for (const ir::FsRule &rule : fs.rules)
    if ((rule.access & right) && rule.allow == never && ir::covers(pattern, rule.path)) probes.push_back(rule.path);
  for (const ir::Path &probe : probes)
    if (ir::evaluateFile(fs, probe, right).allow == never) return probe;
  return std::nullopt;
}

namespace {

// A path as a policy writes it: `"~/.ssh"`, `workspace / "x"`.
std::string written(const ir::Path &path) {
  return path.root == PathRoot::Workspace ? path.display() : "\"" + path.display() + "\"";
}

std::string assertText(const ir::Assert &a) {
  return std::string("assert ") + (a.never ? "never " : "always ") + ir::accessText(a.request.access) + " " +
         written(a.request.path) + " (" + a.id.file + ":" + std::to_string(a.id.line) + ")";
}

// Why `a` would not hold for `requests`, what it stands for under a placement decided by
// `placedFs` ("" when it would), with the deciding rules.
std::string whyBroken(const ir::Assert &a, const std::vector<ir::Request> &requests, const ir::Filesystem &placedFs) {
  for (const ir::Request &request : requests)
    for (const ir::AccessWord &word : ir::kAccessWords) {
      if (!(request.access & word.bit)) continue;
      std::optional<ir::Path> at = counterexampleBeneath(placedFs, request.path, word.bit, a.never);
      if (!at) continue;
      ir::FileDecision d = ir::evaluateFile(placedFs, *at, word.bit);
      std::string why = assertText(a) + " would not hold: " + word.word + " " + written(*at) + " is " + (d.allow ? "allowed" : "denied");
      for (size_t i = 0; i < d.deciding.size(); ++i)
        why += std::string(i ? ", " : " by ") + (d.deciding[i]->id.name.empty() ? "" : "@") + d.deciding[i]->id.display();
      return why;
    }
  return "";
}

// Where a placement puts the start-up directories, one word each.
std::set<std::string> startsOf(const Placement &p) {
  std::set<std::string> out;
  for (const auto &[dir, root] : p.inside)
    if (!(p.workspaceInHome && root == PathRoot::Workspace)) out.insert(std::string(rootName(root)) + " in " + dir.display());
  if (p.workspaceInHome) out.insert("workspace in " + p.workspaceAt.display());
  return out;
}

}  // namespace

std::vector<Assumption> placementAssumptions(const ir::Policy &policy) {
  std::vector<Assumption> out;
  std::vector<std::set<std::string>> refused;
  for (const Placement &p : placementsOf(policy)) {
    std::set<std::string> where = startsOf(p);
    if (std::any_of(refused.begin(), refused.end(),
                    [&](const auto &r) { return std::includes(where.begin(), where.end(), r.begin(), r.end()); }))
      continue;
    std::optional<ir::Filesystem> placedFs;  // made once an assert is about the paths it moves
    for (const ir::Assert &a : policy.asserts) {
      std::vector<ir::Request> requests = placedRequests(a.request, p);
      if (requests.empty()) continue;
      if (!placedFs) {
        placedFs = policy.filesystem;
        placedFs->rules.insert(placedFs->rules.end(), p.added.begin(), p.added.end());
      }
      std::string why = whyBroken(a, requests, *placedFs);
      if (why.empty()) continue;
      refused.push_back(where);
      out.push_back({p, why});
      break;
    }
  }
  return out;
}

}  // namespace shellc::verify
