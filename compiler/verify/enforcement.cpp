#include "verify/enforcement.h"

#include <optional>

#include "ir/evaluate.h"
#include "ir/mount_plan.h"
#include "verify/requests.h"

namespace shellc::verify {
namespace {

struct Allowed {
  ir::Path path;
  ir::Access right;
  const ir::FsRule *by;
};

// A request at or beneath `top` with one of `rights` that a rule allows.
std::optional<Allowed> allowedBeneath(const ir::Filesystem &fs, const ir::Path &top, uint8_t rights) {
  std::vector<ir::Path> paths = {top};
  for (const ir::FsRule &rule : fs.rules)
    if (rule.path.root == top.root && ir::covers(top, rule.path) && !(rule.path == top)) paths.push_back(rule.path);
  for (const ir::Path &path : paths)
    for (ir::Access right : {ir::kRead, ir::kWrite, ir::kExec}) {
      if (!(rights & right)) continue;
      ir::FileDecision d = ir::evaluateFile(fs, path, right);
      if (d.allow && !d.deciding.empty()) return Allowed{path, right, d.deciding.front()};
    }
  return std::nullopt;
}

std::string requestText(const Allowed &a) { return ir::accessText(a.right) + " \"" + a.path.display() + "\""; }

// A mask (for a denied read) hides the path: what the rules allow beneath it besides
// reading fails too.
void reportMaskOverreach(const ir::Filesystem &fs, DiagnosticEngine &diags) {
  for (const ir::MountEntry &mask : ir::planMounts(fs)) {
    if (mask.kind != ir::MountEntry::Kind::Mask) continue;
    uint8_t denied = 0;
    for (const ir::FsRule &rule : fs.rules)
      if (!rule.allow && rule.path == mask.path && sameStatement(rule.id, mask.rule)) denied |= rule.access;
    std::optional<Allowed> lost = allowedBeneath(fs, mask.path, (ir::kWrite | ir::kExec) & ~denied);
    if (!lost) continue;
    diags
        .warning("unenforceable", lost->by->id.span,
                 "rule " + ruleLabel(lost->by->id) + " allows " + requestText(*lost) +
                     ", which the sandbox cannot grant: Landlock cannot refuse reading inside an allowed "
                     "directory, so the runtime masks \"" + mask.path.display() + "\" with an empty read-only "
                     "directory, and every access beneath it fails")
        .withNote(mask.rule.span, "the deny it enforces: " + ruleLabel(mask.rule))
        .withHint("deny every right there (deny read, write, exec), or allow the path outside \"" +
                  mask.path.display() + "\"");
  }
}

// runtime/mounts.cpp builds these; what the rules allow beyond them cannot happen.
struct SandboxDirectory {
  const char *path;
  uint8_t provides;
  const char *what;
};
const SandboxDirectory kSandboxDirectories[] = {
    {"sys", 0, "the sandbox has no /sys"},
    {"proc", ir::kRead | ir::kWrite, "the sandbox's /proc is its own, mounted noexec"},
    {"dev", ir::kRead | ir::kWrite, "the sandbox's /dev holds only the harmless devices, mounted noexec"},
};

void reportSandboxDirectories(const ir::Filesystem &fs, DiagnosticEngine &diags) {
  for (const SandboxDirectory &dir : kSandboxDirectories) {
    std::optional<Allowed> lost =
        allowedBeneath(fs, {ir::PathRoot::Absolute, dir.path}, (ir::kRead | ir::kWrite | ir::kExec) & ~dir.provides);
    if (!lost) continue;
    diags.warning("unenforceable", lost->by->id.span,
                  "rule " + ruleLabel(lost->by->id) + " allows " + requestText(*lost) +
                      ", which the sandbox cannot grant: " + dir.what);
  }
}

}  // namespace

void reportUnenforceable(const ir::Policy &policy, DiagnosticEngine &diags) {
  reportMaskOverreach(policy.filesystem, diags);
  reportSandboxDirectories(policy.filesystem, diags);
}

}  // namespace shellc::verify
