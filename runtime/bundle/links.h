// Symbolic links in the paths rules name (docs/language.md §17, "What the proofs assume").
// The verifier reads each path as written; the kernel resolves a rule's path when the
// sandbox starts, so a rule on "/lib" covers "/usr/lib" on a merged-/usr system, and both
// names get the rights of both. Where the rules decide the two names alike (the usual case:
// "/lib" and "/usr" both read and exec) nothing differs; otherwise the start is refused.
#pragma once
#include <string>

#include "bundle/bundle.h"

namespace shellrt {

// `workspace` and `home` absolute and resolved. False and why, naming the rule and the path
// to write instead.
bool linksHold(const Bundle &bundle, const std::string &workspace, const std::string &home, std::string &error);

}  // namespace shellrt
