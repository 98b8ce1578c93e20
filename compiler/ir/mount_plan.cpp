#include "ir/mount_plan.h"

#include "ir/evaluate.h"

namespace shellc::ir {
namespace {

// Whether `inner` is `outer` or beneath it within one root: covers() less its rule that "/"
// covers the start-up directories too (the plan treats other roots apart, below).
bool within(const Path &inner, const Path &outer) { return inner.root == outer.root && covers(outer, inner); }

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
