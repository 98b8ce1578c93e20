// The filesystem backend: a Landlock ruleset for what Landlock can express (allows beneath
// paths), and the mount plan (ir/mount_plan.h) for what it cannot, as bundle sections.
#pragma once
#include <llvm/Support/JSON.h>

#include "backends/rule_source.h"
#include "ir/mount_plan.h"
#include "ir/policy.h"

namespace shellc::backends {

// Landlock access rights by ABI version. Debian 12's uapi header stops at ABI 2, so the
// later rights are spelled here with their kernel values (include/uapi/linux/landlock.h).
struct LandlockRight {
  const char *name;
  uint64_t bit;
  int abi;  // the first ABI version that knows it
};
const std::vector<LandlockRight> &landlockFsRights();
uint64_t landlockBits(uint8_t access);  // ir::Access bits -> Landlock fs rights

struct FilesystemPlan {
  bool landlock = true;  // false when the layer defaults to allow: nothing to restrict
  std::vector<std::pair<ir::Path, uint64_t>> landlockRules;  // path -> granted rights
  std::vector<std::vector<ir::RuleId>> landlockRuleSources;  // parallel to landlockRules
  std::vector<ir::MountEntry> mounts;  // ir::planMounts
};

FilesystemPlan planFilesystem(const ir::Filesystem &fs);

llvm::json::Value pathJson(const ir::Path &path);
llvm::json::Value landlockJson(const ir::Filesystem &fs, const FilesystemPlan &plan, const SourceNames &names);
llvm::json::Value mountsJson(const FilesystemPlan &plan, const SourceNames &names);
llvm::json::Value unixSocketsJson(const ir::Filesystem &fs, const SourceNames &names);

}  // namespace shellc::backends
