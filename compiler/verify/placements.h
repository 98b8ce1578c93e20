// Where the workspace and the home can lie (docs/language.md §7, "Placements"). Requests are
// written in three namespaces (absolute, `~`, workspace), and a start-up directory that lies
// inside a path another namespace's rule names gets that rule's rights on everything in it:
// HOME=/tmp/ci under `allow write "/tmp"` makes ~/.bashrc writable. shellrt refuses starts
// where a rule's path lies at or inside a start-up directory of another namespace, and a
// workspace that is or holds the home; every other placement puts a start-up directory
// strictly inside some rule paths, which then cover all of it alike. So a placement adds
// rules on the whole of a start-up directory, and the proofs are checked again with them.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/policy.h"

namespace shellc::verify {

struct Placement {
  std::string text;  // "with the home inside \"/tmp\"", for reports
  bool workspaceInHome = false;
  ir::Path workspaceAt{ir::PathRoot::Home, ""};  // where in the home, when it is there
  // The absolute paths a start-up directory lies inside, with its root: an assert on one of
  // them covers that whole directory too.
  std::vector<std::pair<ir::Path, ir::PathRoot>> inside;
};

// The placements that change some decision of `policy`, or of `ceiling` where one is given
// (both are then read under each), in the order a report should prefer (where users keep
// homes and checkouts first: paths the policy lets write).
std::vector<Placement> placementsOf(const ir::Policy &policy, const ir::Policy *ceiling = nullptr);

// The rules of `fs` that cover a start-up directory from outside its namespace under
// `placement`, re-rooted onto the whole of it (their identities kept, so that reports name
// the rule as written).
std::vector<ir::FsRule> addedRules(const ir::Filesystem &fs, const Placement &placement);
// `fs` with those rules: the decision functions then decide each namespace as placed.
ir::Filesystem placedFilesystem(const ir::Filesystem &fs, const Placement &placement);

// A placement under which an assert would not hold: the policy's proofs assume the sandbox
// never starts there, and shellrt refuses to (the bundle records it).
struct Assumption {
  Placement placement;
  // The assert or test and a request the placement would decide the other way ("assert never
  // read \"~/.ssh\" (ci.policy:9) would not hold: read \"~/.ssh\" is allowed"), and the rules
  // that decide it there.
  std::string claim;
  std::vector<std::string> deciding;
  std::string why() const;  // the claim " by " the rules
};

// The placements that break an assert or a test's expectation, each named once: a placement that only narrows one
// already refused (the same directory inside, and more) is left out. No solver: a placement
// adds rules on the whole of a start-up directory, so the pattern itself or a rule's path
// inside it decides the question, and ir::evaluateFile decides that request.
std::vector<Assumption> placementAssumptions(const ir::Policy &policy);
// Where `placement` puts the start-up directories, as the bundle records a refused start:
// each start-up directory at or inside a path (a home path for a workspace in the home).
std::vector<std::pair<ir::PathRoot, ir::Path>> startConditions(const Placement &placement);

// Whether shellrt refuses `placement` by one of `assumptions` (or a wider one).
bool refusedBy(const std::vector<Assumption> &assumptions, const Placement &placement);

// A path at or beneath `pattern` that `fs` allows (`never`) or refuses (else) for `right`,
// if there is one: found among the pattern itself and each rule's path inside it that could
// decide so (a unit test compares it with the solver).
std::optional<ir::Path> counterexampleBeneath(const ir::Filesystem &fs, const ir::Path &pattern, ir::Access right, bool never);

// The requests an assert's `request` stands for under `placement`, as patterns in the
// separate namespaces the decision functions read: itself where the placement adds rules on
// its root (`added`), and the whole of a start-up directory that lies inside it. Empty: the
// placement changes nothing of it.
std::vector<ir::Request> placedRequests(const ir::Request &request, const Placement &placement,
                                        const std::vector<ir::FsRule> &added);

// How one concrete file request (of `shellc explain`) is decided where the sandbox starts
// otherwise than the namespaces apart: `where` is a start that decides it the other way,
// `refusedWhy` says why shellrt refuses that start ("" where it takes it). Read: each
// placement of placementsOf for a request in the home or the workspace; for an absolute path,
// the home or the workspace (or both, the workspace in the home) at each directory above it;
// for a home path, the workspace at each directory of the home above it.
struct PlacedVerdict {
  std::string where;
  std::string decision;               // "allow"
  std::vector<std::string> deciding;  // the rules that decide it, labelled
  std::string refusedWhy;
};
std::vector<PlacedVerdict> placedVerdicts(const ir::Policy &policy, const ir::Request &request);

// What `policy` allows and `ceiling` forbids at a start shellrt takes under `policy` (the
// namespaces apart are the solver's, in proveWithin): each placement of placementsOf both,
// and the start-up directories at each directory above a path the ceiling's rules name
// (its rules there cover the start's paths). At most one request a start.
struct PlacedExcess {
  std::string where, request;  // "with the home inside \"/tmp\"", "read \"~/.ssh\""
  std::string decision, ceilingDecision;
  std::vector<ir::RuleId> deciding, ceilingDeciding;
};
std::vector<PlacedExcess> placedExcesses(const ir::Policy &policy, const ir::Policy &ceiling);

// The paths that asserts and tests name: shellrt refuses a start where one lies at or inside
// a start-up directory of another namespace, as it refuses one where a rule's path does.
// Every start it takes then leaves each named path apart from the start-up directories or
// holds a start-up directory strictly inside it, which placementsOf covers.
struct NamedPath {
  ir::Path path;
  std::string by;  // "assert never write \"/usr\" (ci.policy:9)", "test 'agent'"
};
std::vector<NamedPath> namedPaths(const ir::Policy &policy);

}  // namespace shellc::verify
