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
#include <vector>

#include "ir/policy.h"

namespace shellc::verify {

struct Placement {
  std::string text;  // "with the home inside \"/tmp\"", for reports
  // The rules that cover a start-up directory from outside its namespace, re-rooted onto
  // the whole of it (their identities kept, so that reports name the rule as written).
  std::vector<ir::FsRule> added;
  bool workspaceInHome = false;
  ir::Path workspaceAt{ir::PathRoot::Home, ""};  // where in the home, when it is there
  // The absolute paths a start-up directory lies inside, with its root: an assert on one of
  // them covers that whole directory too.
  std::vector<std::pair<ir::Path, ir::PathRoot>> inside;
};

// The placements that change some decision, in the order a report should prefer (where users
// keep homes and checkouts first: paths the policy lets write), without two that add the
// same rules.
std::vector<Placement> placementsOf(const ir::Policy &policy);

// A placement under which an assert would not hold: the policy's proofs assume the sandbox
// never starts there, and shellrt refuses to (the bundle records it).
struct Assumption {
  Placement placement;
  std::string why;  // the assert, and a request it would decide the other way, with the rules
};

// The placements that break an assert, each named once: a placement that only narrows one
// already refused (the same directory inside, and more) is left out. No solver: a placement
// adds rules on the whole of a start-up directory, so the pattern itself or a rule's path
// inside it decides the question, and ir::evaluateFile decides that request.
std::vector<Assumption> placementAssumptions(const ir::Policy &policy);

// A path at or beneath `pattern` that `fs` allows (`never`) or refuses (else) for `right`,
// if there is one: found among the pattern itself and each rule's path inside it that could
// decide so (a unit test compares it with the solver).
std::optional<ir::Path> counterexampleBeneath(const ir::Filesystem &fs, const ir::Path &pattern, ir::Access right, bool never);

// The requests `request` stands for under `placement`, as patterns in the separate
// namespaces the decision functions read: itself where the placement adds rules on its root,
// and the whole of a start-up directory that lies inside it. Empty: the placement changes
// nothing of it.
std::vector<ir::Request> placedRequests(const ir::Request &request, const Placement &placement);

}  // namespace shellc::verify
