#include "verify/placements.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "ir/evaluate.h"
#include "verify/tests.h"

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

// Devices, processes and the kernel's objects: shellrt starts no sandbox with its workspace or
// home there (a policy's rules on /dev/null would otherwise each be a place for a home).
bool isPseudoFilesystem(const ir::Path &path) {
  for (const char *top : {"dev", "proc", "sys"})
    if (path.root == PathRoot::Absolute && ir::covers({PathRoot::Absolute, top}, path)) return true;
  return false;
}

// Where a start-up directory can lie that matters: inside a path a rule names (it gets the
// rule), or inside a path an assert names (the assert then covers it). Its own paths' rules
// name nothing beneath it: shellrt refuses that start.
void addCandidateDirs(const ir::Policy &policy, PathRoot root, std::vector<ir::Path> &out) {
  auto add = [&](const ir::Path &path) {
    if (path.root == root && !path.rel.empty() && !isPseudoFilesystem(path) && std::find(out.begin(), out.end(), path) == out.end())
      out.push_back(path);
  };
  for (const ir::FsRule &rule : policy.filesystem.rules) add(rule.path);
  for (const ir::Assert &a : policy.asserts)
    if (a.request.kind == ir::Request::Kind::File) add(a.request.path);
}

Placement inside(PathRoot root, const ir::Path &dir) {
  Placement p;
  p.text = std::string("with the ") + rootName(root) + " inside \"" + dir.display() + "\"";
  p.inside = {{dir, root}};
  return p;
}

// The workspace inside the home: at a name no rule names, or inside a home path a rule does.
Placement workspaceInHome(const ir::Path &at) {
  Placement p;
  p.text = at.rel.empty() ? "with the workspace inside the home" : "with the workspace inside \"" + at.display() + "\"";
  p.workspaceInHome = true;
  p.workspaceAt = at;
  return p;
}

bool letsWrite(const ir::Filesystem &fs, const Placement &p) {
  std::vector<ir::FsRule> added = addedRules(fs, p);
  return std::any_of(added.begin(), added.end(), [](const ir::FsRule &r) { return r.allow && (r.access & ir::kWrite); });
}

}  // namespace

std::vector<ir::FsRule> addedRules(const ir::Filesystem &fs, const Placement &placement) {
  std::vector<ir::FsRule> out;
  if (placement.workspaceInHome) out = rerooted(fs, placement.workspaceAt, PathRoot::Workspace);
  for (const auto &[dir, root] : placement.inside) {
    std::vector<ir::FsRule> more = rerooted(fs, dir, root);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

ir::Filesystem placedFilesystem(const ir::Filesystem &fs, const Placement &placement) {
  ir::Filesystem placed = fs;
  std::vector<ir::FsRule> added = addedRules(fs, placement);
  placed.rules.insert(placed.rules.end(), added.begin(), added.end());
  return placed;
}

std::vector<Placement> placementsOf(const ir::Policy &policy, const ir::Policy *ceiling) {
  std::vector<ir::Path> absolute, home;
  for (const ir::Policy *namer : {&policy, ceiling})
    if (namer) addCandidateDirs(*namer, PathRoot::Absolute, absolute), addCandidateDirs(*namer, PathRoot::Home, home);
  std::vector<Placement> out;
  for (const ir::Path &dir : absolute)
    for (PathRoot root : {PathRoot::Home, PathRoot::Workspace}) out.push_back(inside(root, dir));
  out.push_back(workspaceInHome({PathRoot::Home, ""}));
  for (const ir::Path &dir : home) out.push_back(workspaceInHome(dir));
  // Both at once: the home inside an absolute path, the workspace inside the home.
  for (const ir::Path &dir : absolute) {
    Placement both = workspaceInHome({PathRoot::Home, ""});
    both.text = "with the home inside \"" + dir.display() + "\" and the workspace inside the home";
    for (PathRoot root : {PathRoot::Home, PathRoot::Workspace}) both.inside.push_back({dir, root});
    out.push_back(std::move(both));
  }
  std::stable_partition(out.begin(), out.end(), [&](const Placement &p) { return letsWrite(policy.filesystem, p); });
  return out;
}

std::vector<ir::Request> placedRequests(const ir::Request &request, const Placement &placement,
                                        const std::vector<ir::FsRule> &added) {
  std::vector<ir::Request> out;
  if (request.kind != ir::Request::Kind::File) return out;
  const ir::Path &path = request.path;
  auto whole = [&](PathRoot root) {
    ir::Request copy = request;
    copy.path = {root, ""};
    out.push_back(copy);
  };
  bool addsOnRoot = std::any_of(added.begin(), added.end(),
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

// What breaks: the claim and its deciding rules (an empty claim: nothing).
struct Breach {
  std::string claim;
  std::vector<std::string> deciding;
};

// Why `a` would not hold for `requests`, what it stands for under a placement decided by
// `placedFs` (nothing when it would), with the deciding rules.
Breach whyBroken(const ir::Assert &a, const std::vector<ir::Request> &requests, const ir::Filesystem &placedFs) {
  for (const ir::Request &request : requests)
    for (const ir::AccessWord &word : ir::kAccessWords) {
      if (!(request.access & word.bit)) continue;
      std::optional<ir::Path> at = counterexampleBeneath(placedFs, request.path, word.bit, a.never);
      if (!at) continue;
      ir::FileDecision d = ir::evaluateFile(placedFs, *at, word.bit);
      Breach out{assertText(a) + " would not hold: " + word.word + " " + written(*at) + " is " + (d.allow ? "allowed" : "denied"), {}};
      for (const ir::FsRule *rule : d.deciding) out.deciding.push_back((rule->id.name.empty() ? "" : "@") + rule->id.display());
      return out;
    }
  return {};
}

// Why an expectation of `test` would fail under a placement decided by `placedFs` (nothing
// when it would not). A test names one path, not the paths beneath it: only rules added on
// its own namespace can change it (a start-up directory is never at or above a named path).
Breach whyFails(const ir::Test &test, const ir::Expectation &e, const ir::Filesystem &placedFs) {
  Verdict v = decideFile(placedFs, e.request);
  if (expectationHolds(e, v)) return {};
  Breach out{"test '" + test.name + "' would fail: expect " + expectedText(e) + " " + ir::accessText(e.request.access) +
                 " " + written(e.request.path) + ", got " + v.decision,
             {}};
  for (const MatchedRule &rule : v.rules)
    if (rule.decided) out.deciding.push_back(ruleLabel(*rule.id));
  return out;
}

// Where a placement puts the start-up directories, one word each.
std::set<std::string> startsOf(const Placement &p) {
  std::set<std::string> out;
  for (const auto &[root, dir] : startConditions(p)) out.insert(std::string(rootName(root)) + " in " + dir.display());
  return out;
}

// Why `p` breaks an assert or a test of `policy` (nothing when it breaks none).
// The placed filesystem is made when the first assert or test needs it: most placements
// move no path that one names, and a large policy has many placements.
Breach whyRefused(const ir::Policy &policy, const Placement &p) {
  std::vector<ir::FsRule> added = addedRules(policy.filesystem, p);
  std::optional<ir::Filesystem> placedFs;
  auto placed = [&]() -> const ir::Filesystem & {
    if (!placedFs) {
      placedFs = policy.filesystem;
      placedFs->rules.insert(placedFs->rules.end(), added.begin(), added.end());
    }
    return *placedFs;
  };
  for (const ir::Assert &a : policy.asserts) {
    std::vector<ir::Request> requests = placedRequests(a.request, p, added);
    Breach breach = requests.empty() ? Breach{} : whyBroken(a, requests, placed());
    if (!breach.claim.empty()) return breach;
  }
  for (const ir::Test &test : policy.tests)
    for (const ir::Expectation &e : test.expectations) {
      bool movable = e.request.kind == ir::Request::Kind::File && e.request.path.root != PathRoot::Absolute &&
                     std::any_of(added.begin(), added.end(), [&](const ir::FsRule &r) { return r.path.root == e.request.path.root; });
      Breach breach = movable ? whyFails(test, e, placed()) : Breach{};
      if (!breach.claim.empty()) return breach;
    }
  return {};
}

}  // namespace

std::vector<Assumption> placementAssumptions(const ir::Policy &policy) {
  std::vector<Assumption> out;
  for (const Placement &p : placementsOf(policy)) {
    if (refusedBy(out, p)) continue;
    Breach breach = whyRefused(policy, p);
    if (!breach.claim.empty()) out.push_back({p, breach.claim, breach.deciding});
  }
  return out;
}

std::string Assumption::why() const {
  std::string out = claim;
  for (size_t i = 0; i < deciding.size(); ++i) out += (i ? ", " : " by ") + deciding[i];
  return out;
}

std::vector<std::pair<PathRoot, ir::Path>> startConditions(const Placement &placement) {
  std::vector<std::pair<PathRoot, ir::Path>> out;
  for (const auto &[dir, root] : placement.inside)
    if (!(placement.workspaceInHome && root == PathRoot::Workspace)) out.push_back({root, dir});
  if (placement.workspaceInHome) out.push_back({PathRoot::Workspace, placement.workspaceAt});
  return out;
}

bool refusedBy(const std::vector<Assumption> &assumptions, const Placement &placement) {
  std::set<std::string> where = startsOf(placement);
  return std::any_of(assumptions.begin(), assumptions.end(), [&](const Assumption &a) {
    std::set<std::string> refused = startsOf(a.placement);
    return std::includes(where.begin(), where.end(), refused.begin(), refused.end());
  });
}

std::vector<NamedPath> namedPaths(const ir::Policy &policy) {
  std::vector<NamedPath> out;
  auto add = [&](const ir::Request &request, const std::string &by) {
    if (request.kind != ir::Request::Kind::File || request.path.rel.empty()) return;
    if (std::none_of(out.begin(), out.end(), [&](const NamedPath &n) { return n.path == request.path; }))
      out.push_back({request.path, by});
  };
  for (const ir::Assert &a : policy.asserts) add(a.request, assertText(a));
  for (const ir::Test &test : policy.tests)
    for (const ir::Expectation &e : test.expectations) add(e.request, "test '" + test.name + "'");
  return out;
}

namespace {

// A start-up directory of `root` exactly at `at`: the rules of `root`'s namespace then also
// cover the paths under `at` (written in `at`'s namespace).
struct StartAt {
  PathRoot root;
  ir::Path at;
};

std::string startText(const std::vector<StartAt> &starts) {
  std::string out;
  for (const StartAt &s : starts)
    out += std::string(out.empty() ? "with the " : " and the ") + rootName(s.root) + " at " + written(s.at);
  return out;
}

ir::Path under(const ir::Path &at, const std::string &rel) {
  return {at.root, at.rel.empty() ? rel : rel.empty() ? at.rel : at.rel + "/" + rel};
}

// Why shellrt refuses `starts` ("" where it takes them): a path of `at`'s namespace that a
// rule, an assert or a test names lies at or inside one, or a recorded placement holds.
std::string whyStartRefused(const ir::Policy &policy, const std::vector<Assumption> &assumptions,
                            const std::vector<NamedPath> &named, const std::vector<StartAt> &starts) {
  for (const StartAt &s : starts) {
    auto inside = [&](const ir::Path &path) { return path.root == s.at.root && !path.rel.empty() && ir::covers(s.at, path); };
    for (const ir::FsRule &rule : policy.filesystem.rules)
      if (inside(rule.path)) return "it holds " + written(rule.path) + ", which " + ruleLabel(rule.id) + " names";
    for (const NamedPath &n : named)
      if (inside(n.path)) return "it holds " + written(n.path) + ", which " + n.by + " names";
  }
  for (const Assumption &a : assumptions) {
    bool holds = !a.placement.workspaceInHome;
    for (const std::pair<ir::Path, PathRoot> &condition : a.placement.inside)
      holds = holds && std::any_of(starts.begin(), starts.end(), [&](const StartAt &s) {
                return s.root == condition.second && ir::covers(condition.first, s.at);
              });
    if (holds) return a.why();
  }
  return "";
}

// `fs` with each start's namespace rules re-written beneath where it starts.
ir::Filesystem startedFilesystem(const ir::Filesystem &fs, const std::vector<StartAt> &starts) {
  ir::Filesystem out = fs;
  for (const StartAt &s : starts)
    for (const ir::FsRule &rule : fs.rules)
      if (rule.path.root == s.root) {
        ir::FsRule copy = rule;
        copy.path = under(s.at, rule.path.rel);
        out.rules.push_back(copy);
      }
  return out;
}

// The directories above `path` (and itself) in its namespace, its root left out.
std::vector<ir::Path> dirsAbove(const ir::Path &path) {
  std::vector<ir::Path> out;
  for (size_t at = path.rel.find('/'); at != std::string::npos; at = path.rel.find('/', at + 1))
    out.push_back({path.root, path.rel.substr(0, at)});
  if (!path.rel.empty()) out.push_back(path);
  return out;
}

// The starts at directories above `request`'s path that change what rules cover it.
std::vector<std::vector<StartAt>> startsAbove(const ir::Request &request) {
  std::vector<std::vector<StartAt>> out;
  std::vector<ir::Path> dirs = dirsAbove(request.path);
  std::erase_if(dirs, isPseudoFilesystem);
  if (request.path.root == PathRoot::Home)
    for (const ir::Path &dir : dirs) out.push_back({{PathRoot::Workspace, dir}});
  if (request.path.root != PathRoot::Absolute) return out;
  for (PathRoot root : {PathRoot::Home, PathRoot::Workspace})
    for (const ir::Path &dir : dirs) out.push_back({{root, dir}});
  for (size_t i = 0; i < dirs.size(); ++i)
    for (size_t k = i + 1; k < dirs.size(); ++k) out.push_back({{PathRoot::Home, dirs[i]}, {PathRoot::Workspace, dirs[k]}});
  return out;
}

}  // namespace

namespace {

// Findings (PlacedVerdict, PlacedExcess: each with a `where`) that say the same of several
// starts, one each: a start that names a directory (`at`) joins the list of them ("with the
// home at "/opt", "/opt/a" or "/opt/a/b""); a placement joins silently, its text kept where
// it names fewer conditions (the home alone rather than the home and the workspace in it).
template <class Finding>
class Joined {
public:
  void add(const std::string &key, Finding finding, const std::string &at, size_t conditions) {
    auto same = std::find_if(found_.begin(), found_.end(), [&](const Found &f) { return f.key == key; });
    if (same == found_.end()) {
      found_.push_back({key, std::move(finding), {at}, conditions});
    } else if (!at.empty()) {
      same->dirs.push_back(at);
    } else if (conditions < same->conditions) {
      same->finding.where = finding.where;
      same->conditions = conditions;
    }
  }
  std::vector<Finding> all() && {
    std::vector<Finding> out;
    for (Found &f : found_) {
      for (size_t i = 1; i < f.dirs.size(); ++i) f.finding.where += (i + 1 == f.dirs.size() ? " or " : ", ") + f.dirs[i];
      out.push_back(std::move(f.finding));
    }
    return out;
  }

private:
  struct Found {
    std::string key;
    Finding finding;
    std::vector<std::string> dirs;
    size_t conditions;
  };
  std::vector<Found> found_;
};

// Where a placement puts its start-up directory (the first, for two).
ir::Path anchorOf(const Placement &p) { return p.inside.empty() ? p.workspaceAt : p.inside.front().first; }

size_t conditionsOf(const Placement &p) { return startConditions(p).size(); }

// A placement's kind: placements of one kind that decide alike are one finding.
std::string kindOf(const Placement &p) { return p.inside.empty() ? "workspace in home" : "inside " + p.inside.front().first.display(); }

// A start's kind: starts at several directories that decide alike are one finding.
std::string kindOf(const std::vector<StartAt> &starts) {
  return starts.size() > 1 ? "both " + written(starts.front().at) : rootName(starts.front().root);
}

// The decision of `request` by `placed` where it differs from `apart`'s.
std::optional<PlacedVerdict> otherwise(const Verdict &apart, const ir::Filesystem &placed, const ir::Request &request,
                                       const std::string &where, const std::string &refusedWhy) {
  Verdict v = decideFile(placed, request);
  if (v.outcome == apart.outcome) return std::nullopt;
  PlacedVerdict line{where, v.decision, {}, refusedWhy};
  for (const MatchedRule &rule : v.rules)
    if (rule.decided) line.deciding.push_back(ruleLabel(*rule.id));
  return line;
}

std::string keyOf(const std::string &kind, const PlacedVerdict &v) {
  std::string key = kind + "\n" + v.decision + "\n" + v.refusedWhy;
  for (const std::string &label : v.deciding) key += "\n" + label;
  return key;
}

// A pair of starts where one alone already decides otherwise (is in `alone`, as startText).
bool joinsAlone(const std::vector<StartAt> &starts, const std::vector<std::string> &alone) {
  return starts.size() > 1 && std::any_of(starts.begin(), starts.end(), [&](const StartAt &s) {
           return std::find(alone.begin(), alone.end(), startText({s})) != alone.end();
         });
}

}  // namespace

std::vector<PlacedVerdict> placedVerdicts(const ir::Policy &policy, const ir::Request &request) {
  if (request.kind != ir::Request::Kind::File) return {};
  const ir::Filesystem &fs = policy.filesystem;
  Verdict apart = decideFile(fs, request);
  Joined<PlacedVerdict> out;
  std::vector<Assumption> assumptions = placementAssumptions(policy);
  if (request.path.root != PathRoot::Absolute)
    for (const Placement &p : placementsOf(policy)) {
      std::vector<ir::FsRule> added = addedRules(fs, p);
      if (std::none_of(added.begin(), added.end(), [&](const ir::FsRule &r) { return r.path.root == request.path.root; })) continue;
      auto refused = std::find_if(assumptions.begin(), assumptions.end(), [&](const Assumption &a) { return refusedBy({a}, p); });
      if (auto v = otherwise(apart, placedFilesystem(fs, p), request, p.text, refused == assumptions.end() ? "" : refused->why()))
        out.add(keyOf(kindOf(p), *v), *v, "", conditionsOf(p));
    }
  std::vector<NamedPath> named = namedPaths(policy);
  std::vector<std::string> alone;  // single starts that decide it otherwise: a pair with one says nothing new
  for (const std::vector<StartAt> &starts : startsAbove(request)) {
    if (joinsAlone(starts, alone)) continue;
    std::optional<PlacedVerdict> v = otherwise(apart, startedFilesystem(fs, starts), request, startText(starts),
                                               whyStartRefused(policy, assumptions, named, starts));
    if (!v) continue;
    if (starts.size() == 1) alone.push_back(startText(starts));
    out.add(keyOf(kindOf(starts), *v), *v, written(starts.back().at), starts.size());
  }
  return std::move(out).all();
}

namespace {

std::vector<ir::RuleId> identities(const std::vector<const ir::FsRule *> &rules) {
  std::vector<ir::RuleId> out;
  for (const ir::FsRule *rule : rules) out.push_back(rule->id);
  return out;
}

// A request among `probes` that `mine` allows and `theirs` refuses, if one is. Complete for
// the paths of the probes' namespace at or beneath them: a path is decided by the rules that
// cover it, which cover exactly the deepest probe above it (the probes hold each rule path
// there) as well.
// The solver's findings are not said again: a request that exceeds with the namespaces apart
// as well, or one under a start-up directory placed in `anchor` where `anchor` itself exceeds
// (the same files, reached by another name).
std::optional<PlacedExcess> excessAmong(const ir::Filesystem &mine, const ir::Filesystem &theirs, const std::vector<ir::Path> &probes,
                                        const ir::Policy &policy, const ir::Policy &ceiling, const ir::Path &anchor) {
  auto exceedsApart = [&](const ir::Path &path, ir::Access right) {
    return ir::evaluateFile(policy.filesystem, path, right).allow && !ir::evaluateFile(ceiling.filesystem, path, right).allow;
  };
  std::vector<bool> anchorExceeds;  // by access word: the same for every probe
  for (const ir::AccessWord &word : ir::kAccessWords) anchorExceeds.push_back(exceedsApart(anchor, word.bit));
  for (const ir::Path &probe : probes)
    for (size_t w = 0; w < ir::kAccessWords.size(); ++w) {
      const ir::AccessWord &word = ir::kAccessWords[w];
      if (anchorExceeds[w]) continue;
      ir::FileDecision d = ir::evaluateFile(mine, probe, word.bit);
      if (!d.allow) continue;
      ir::FileDecision c = ir::evaluateFile(theirs, probe, word.bit);
      if (c.allow || exceedsApart(probe, word.bit)) continue;
      return PlacedExcess{"", std::string(word.word) + " " + written(probe), "allow", "deny", identities(d.deciding),
                          identities(c.deciding)};
    }
  return std::nullopt;
}

// Each rule path of `fs` and `more` in `dir`'s namespace at or beneath it, and `dir`.
std::vector<ir::Path> probesBeneath(const ir::Path &dir, const ir::Filesystem &fs, const ir::Filesystem &more) {
  std::vector<ir::Path> out = {dir};
  for (const ir::Filesystem *rules : {&fs, &more})
    for (const ir::FsRule &rule : rules->rules)
      if (rule.path.root == dir.root && ir::covers(dir, rule.path) &&
          std::find(out.begin(), out.end(), rule.path) == out.end())
        out.push_back(rule.path);
  return out;
}

std::string keyOf(const std::string &kind, const PlacedExcess &e) {
  std::string key = kind + "\n" + e.request;
  for (const auto *ids : {&e.deciding, &e.ceilingDeciding})
    for (const ir::RuleId &id : *ids) key += "\n" + ruleLabel(id);
  return key;
}

}  // namespace

std::vector<PlacedExcess> placedExcesses(const ir::Policy &policy, const ir::Policy &ceiling) {
  Joined<PlacedExcess> out;
  std::vector<Assumption> assumptions = placementAssumptions(policy);
  for (const Placement &p : placementsOf(policy, &ceiling)) {
    std::set<PathRoot> roots;
    for (const ir::Filesystem *fs : {&policy.filesystem, &ceiling.filesystem})
      for (const ir::FsRule &rule : addedRules(*fs, p)) roots.insert(rule.path.root);
    if (roots.empty() || refusedBy(assumptions, p)) continue;
    ir::Filesystem mine = placedFilesystem(policy.filesystem, p), theirs = placedFilesystem(ceiling.filesystem, p);
    for (PathRoot root : roots)
      if (auto excess = excessAmong(mine, theirs, probesBeneath({root, ""}, mine, theirs), policy, ceiling, anchorOf(p))) {
        excess->where = p.text;
        out.add(keyOf(kindOf(p), *excess), *excess, "", conditionsOf(p));
      }
  }
  // Starts above each path the ceiling's rules name.
  std::vector<NamedPath> named = namedPaths(policy);
  std::set<std::string> compared;
  std::vector<std::string> alone;  // single starts that exceed: a pair with one says nothing new
  for (const ir::FsRule &rule : ceiling.filesystem.rules) {
    ir::Request request;
    request.kind = ir::Request::Kind::File;
    request.path = rule.path;
    for (const std::vector<StartAt> &starts : startsAbove(request)) {
      std::string where = startText(starts);
      if (joinsAlone(starts, alone) || !compared.insert(where).second ||
          !whyStartRefused(policy, assumptions, named, starts).empty())
        continue;
      ir::Filesystem mine = startedFilesystem(policy.filesystem, starts), theirs = startedFilesystem(ceiling.filesystem, starts);
      std::optional<PlacedExcess> excess = excessAmong(mine, theirs, probesBeneath(starts.front().at, mine, theirs), policy, ceiling, starts.front().at);
      if (!excess) continue;
      if (starts.size() == 1) alone.push_back(where);
      excess->where = where;
      out.add(keyOf(kindOf(starts), *excess), *excess, written(starts.back().at), starts.size());
    }
  }
  return std::move(out).all();
}

}  // namespace shellc::verify
