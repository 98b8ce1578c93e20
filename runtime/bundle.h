// What the runtime needs from a bundle (docs/bundle.md), read and validated up front so
// that nothing is half-applied when a section turns out to be malformed.
#pragma once
#include <linux/filter.h>

#include <optional>
#include <string>
#include <vector>

namespace shellrt {

struct SandboxPath {
  enum class Root { Absolute, Home, Workspace } root = Root::Absolute;
  std::string rel;
  std::string resolve(const std::string &home, const std::string &workspace) const;
};

struct RuleSource {
  std::string file;
  uint64_t line = 0;
  std::string name;
  std::string display() const;
};

struct LandlockRule {
  SandboxPath path;
  uint64_t access = 0;
  std::vector<RuleSource> rules;
};

struct MountEntry {
  enum class Kind { ReadOnly, Mask, NoExec } kind;
  SandboxPath path;
  RuleSource rule;
};

struct Limit {
  int resource;
  uint64_t value;
};

struct Bundle {
  std::string policy;
  // process
  std::optional<uint32_t> uid, gid;
  bool allowRoot = false;
  std::vector<Limit> limits;
  uint64_t wallTimeMs = 0;
  std::vector<std::string> envPass;
  std::vector<std::pair<std::string, std::string>> envSet;
  // landlock
  bool landlock = false;
  bool hardRequirement = false;
  uint64_t handledAccess = 0;
  std::vector<LandlockRule> landlockRules;
  std::vector<std::pair<uint64_t, int>> rightAbi;  // bit -> first ABI
  // mounts
  std::vector<MountEntry> mounts;
  // seccomp: the program for the running architecture
  std::vector<sock_filter> seccomp;
  uint64_t seccompRules = 0;
  // The rules whose action is `notify`: the supervisor decides those calls, and logs them.
  struct NotifyRule {
    uint64_t nr;
    std::string syscall;
    RuleSource rule;
  };
  std::vector<NotifyRule> notifyRules;
};

// Reads `path`; false with `error` when it is not a bundle this runtime understands.
bool loadBundle(const std::string &path, Bundle &out, std::string &error);

}  // namespace shellrt
