#pragma once
#include <string>
#include <vector>

#include "placeholder.h"
#include "sandbox.h"

namespace shellrt {

// Builds the sandbox's root in its own mount namespace and pivots into it: the paths the
// policy allows bound from the host (read-only unless writable, never setuid or devices),
// a fresh /proc, a minimal /dev, no /sys (unless an allowed path brings the host's in: its
// cgroup hierarchies are then read-only), then the bundle's mount plan (read-only rebinds and
// masks for the denies Landlock cannot express).
// The sandbox's pty, if it has one, is shown as /dev/console.
// `placeholders` gets the empty directories made to protect paths that did not exist yet
// (placeholder.h); the guardian removes them when the sandbox ends.
// `hidden`: host files the sandbox must not see even where the policy allows their directory
// (the runtime itself, the bundle: an agent that rewrote them would own the next session).
// The git guard's start (spec.git) pins the workspace's repository and holds what git reads.
// `trustStore`: where the sandbox's trust store is in its view (spec.trustStore), if it has one.
bool buildRoot(const SandboxSpec &spec, std::vector<Placeholder> &placeholders, std::string &trustStore, std::string &notes,
               std::string &error);

}  // namespace shellrt
