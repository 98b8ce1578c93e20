// Where a sandbox may start (docs/language.md §7, "Placements"). The verifier proves a
// policy with the workspace, the home and absolute paths as three namespaces, and with the
// placements its asserts and tests would not survive recorded in the bundle; these checks
// make every start one its proofs cover: the workspace neither is nor holds the home, no
// path of another namespace that a rule, an assert or a test names lies at or inside a
// start-up directory, and no refused placement holds.
#pragma once
#include <string>

#include "bundle/bundle.h"

namespace shellrt {

// `workspace` and `home` absolute and resolved (realpath). False and why, with what to do.
bool placementHolds(const Bundle &bundle, const std::string &workspace, const std::string &home, std::string &error);

}  // namespace shellrt
