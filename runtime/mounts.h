#pragma once
#include <string>

#include "bundle.h"

namespace shellrt {

// Builds the sandbox's root in its own mount namespace and pivots into it: the paths the
// policy allows bound from the host (read-only unless writable, never setuid or devices),
// a fresh /proc, a minimal /dev, no /sys, then the bundle's mount plan (read-only rebinds and
// masks for the denies Landlock cannot express).
// `console`: the host path of the sandbox's pty, if it has one, shown as /dev/console.
bool buildRoot(const Bundle &bundle, const std::string &home, const std::string &workspace,
               const std::string &console, std::string &notes, std::string &error);

}  // namespace shellrt
