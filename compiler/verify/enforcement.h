// Where what runs is stricter than what the rules say. A deny that Landlock cannot express
// (inside an allowed directory) is enforced by the mount plan, and a mask refuses every
// access beneath its path, not only the denied one; and the sandbox's /proc, /dev and /sys
// are its own, not the host's. A request the rules allow there fails at run time: the
// policy does not mean what it says, and its tests and proofs describe a sandbox that does
// not exist. Decided with ir::evaluateFile on the paths the policy names (the other paths
// beneath one are decided as it is).
#pragma once
#include "ir/policy.h"
#include "support/diagnostics.h"

namespace shellc::verify {

void reportUnenforceable(const ir::Policy &policy, DiagnosticEngine &diags);

}  // namespace shellc::verify
