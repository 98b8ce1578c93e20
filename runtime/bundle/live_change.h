// What a running sandbox can take from a new bundle (`shellrt --reload`, docs/cli.md): the
// network and inference sections, which the supervisor's processes hold and can swap; not the
// layers the kernel already holds in the sandbox's processes (Landlock, seccomp, mounts, the
// process section's identity, limits and environment, the Unix socket rules the broker was
// started with), which cannot be loosened in place and must not be said to have changed.
#pragma once
#include <string>

namespace shellrt {

// The first static section in which `fresh` differs from `running` (both bundles' text,
// already read as bundles), or "" when only the network and inference sections differ.
// Where a rule was written (file and line) does not count: a rule added above another moves
// it without changing it.
std::string changedStaticLayer(const std::string &running, const std::string &fresh);

}  // namespace shellrt
