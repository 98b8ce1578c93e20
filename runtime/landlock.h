#pragma once
#include <string>

#include "bundle/bundle.h"

namespace shellrt {

// Applies the bundle's Landlock ruleset, gated by the running kernel's ABI. Returns false
// with `error` when it must not start (a hard requirement not met); `notes` says what was
// skipped under best_effort and the figures applied.
bool applyLandlock(const Bundle &bundle, const std::string &home, const std::string &workspace,
                   std::string &notes, std::string &error);

}  // namespace shellrt
