// What a running sandbox can take from a new bundle (`shellrt --reload`, docs/cli.md): the
// network and inference sections, which the supervisor's processes hold and can swap; not the
// layers the kernel already holds in the sandbox's processes (Landlock, seccomp, mounts, the
// process section's identity, limits and environment, the Unix socket rules the broker was
// started with), which cannot be loosened in place and must not be said to have changed.
#pragma once
#include <string>

#include "bundle/bundle.h"

namespace shellrt {

// The first static section in which `fresh` differs from `running` (both bundles' text,
// already read as bundles), or "" when only the network and inference sections differ.
// Where a rule was written (file and line) does not count: a rule added above another moves
// it without changing it.
std::string changedStaticLayer(const std::string &running, const std::string &fresh);

// Why `fresh`'s network or inference section cannot be put in force in a session that started
// with `started`, or "": what it needs that is made only at a start, where the started bundle
// asked for it - the authority that ends TLS for rules judging requests (and the sandbox's
// trust in it), the inference router (its listener, the agents' variables), a provider's key.
std::string needsNewSession(const Bundle &started, const Bundle &fresh);

}  // namespace shellrt
