// The mount plan: what Landlock cannot express (a deny inside an allowed directory), and the
// scratch directories, as mounts the runtime makes. The backend writes it into the bundle and
// the verifier reports what it costs, so it lives with the rules it is computed from.
#pragma once
#include <vector>

#include "ir/policy.h"

namespace shellc::ir {

struct MountEntry {
  enum class Kind { ReadOnly, Mask, NoExec, Scratch };
  Kind kind;
  Path path;
  RuleId rule;
};

// The entries in the order the runtime mounts them.
std::vector<MountEntry> planMounts(const Filesystem &fs);

}  // namespace shellc::ir
