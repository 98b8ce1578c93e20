#include "ir/mount_plan.h"

namespace shellc::ir {
namespace {

// Whether `inner` is `outer` or beneath it (both symbolic: roots are separate namespaces
// until the sandbox starts).
bool within(const Path &inner, const Path &outer) {
  if (inner.root != outer.root) return false;
  if (outer.rel.empty()) return true;
  return inner.rel == outer.rel ||
         (inner.rel.size() > outer.rel.size() && inner.rel.compare(0, outer.rel.size(), outer.rel) == 0 &&
          inner.rel[outer.rel.size()] == '/');
}

}  // namespace

std::vector<MountEntry> planMounts(const Filesystem &fs) {
  std::vector<MountEntry> mounts;
  // Scratch directories first: the runtime mounts the entries in order, and a deny beneath
  // one (a mask in /tmp) applies to what is mounted there.
  for (const Scratch &s : fs.scratch) mounts.push_back({MountEntry::Kind::Scratch, s.path, s.id});
  // A deny Landlock cannot express: some allow at or above the path grants what it denies
  // (or, when the layer defaults to allow, Landlock restricts nothing). Home and workspace
  // are only known at start-up and may lie beneath any path an absolute rule names (a home
  // in /tmp): across roots the plan assumes the worst, and the runtime applies the entry
  // where the path exists.
  for (const FsRule &rule : fs.rules) {
    if (rule.allow) continue;
    uint8_t granted = 0;
    for (const FsRule &allow : fs.rules)
      if (allow.allow && (within(rule.path, allow.path) || rule.path.root != allow.path.root)) granted |= allow.access;
    uint8_t needed = (fs.defaultAllow ? rule.access : (rule.access & granted)) & kPathAccess;
    if (!needed) continue;  // Landlock's default already refuses it
    MountEntry::Kind kind = (needed & kRead)    ? MountEntry::Kind::Mask
                            : (needed & kWrite) ? MountEntry::Kind::ReadOnly
                                                : MountEntry::Kind::NoExec;
    mounts.push_back({kind, rule.path, rule.id});
  }
  return mounts;
}

}  // namespace shellc::ir
