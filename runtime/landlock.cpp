#include "landlock.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace shellrt {

namespace {

// ABI 7: the kernel's audit records denials only until the next exec unless asked; the
// agent is that next exec.
constexpr unsigned kLogNewExecOn = 1u << 1;

}  // namespace

int landlockAbi() {
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

std::vector<std::string> resolveRule(const SandboxPath &path, const SandboxSpec &spec) {
  std::vector<std::string> paths{path.resolve(spec.home, spec.workspace)};
  if (path.root == SandboxPath::Root::Workspace && path.rel.empty() && !spec.git.linkedCommonDir.empty())
    paths.push_back(spec.git.linkedCommonDir);
  return paths;
}

bool addRule(int ruleset, const std::string &path, uint64_t access, size_t &applied, size_t &missing,
             std::string &error) {
  int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) {
    ++missing;
    return true;
  }
  landlock_path_beneath_attr beneath{access, fd};
  struct stat st;
  // Directory-only rights on a file are refused by the kernel: keep the file's.
  if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
    beneath.allowed_access &= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                              LANDLOCK_ACCESS_FS_READ_FILE | (1ull << 14) | (1ull << 15);
  long r = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0);
  close(fd);
  if (r < 0) {
    error = "landlock_add_rule " + path + ": " + std::strerror(errno);
    return false;
  }
  ++applied;
  return true;
}

namespace {


}  // namespace

bool applyLandlock(const SandboxSpec &spec, const std::string &trustStore, std::string &notes, std::string &error) {
  const Bundle &bundle = *spec.bundle;
  if (!bundle.landlock) {
    notes = "landlock: not used (the filesystem layer defaults to allow)";
    return true;
  }
  int abi = landlockAbi();
  if (abi == 0) {
    if (bundle.hardRequirement) {
      error = "the kernel has no Landlock, and the policy requires it (compatibility hard_requirement)";
      return false;
    }
    notes = "landlock: skipped, the kernel has none (compatibility best_effort)";
    return true;
  }
  uint64_t handled = 0, dropped = 0;
  for (auto [bit, since] : bundle.rightAbi) {
    if (!(bundle.handledAccess & bit)) continue;
    if (since <= abi) handled |= bit;
    else dropped |= bit;
  }
  if (dropped && bundle.hardRequirement) {
    error = "the kernel's Landlock ABI " + std::to_string(abi) + " lacks access rights the policy needs";
    return false;
  }
  RulesetAttr attr{handled, 0, abi >= 6 ? kScopeAbstractUnixSocket | kScopeSignal : 0};
  size_t attrSize = abi >= 6 ? sizeof attr : 8;
  int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, attrSize, 0));
  if (ruleset < 0) {
    error = std::string("landlock_create_ruleset: ") + std::strerror(errno);
    return false;
  }
  size_t applied = 0, missing = 0;
  for (const LandlockRule &rule : bundle.landlockRules) {
    for (const std::string &path : resolveRule(rule.path, spec)) {
      size_t before = missing;
      if (!addRule(ruleset, path, rule.access & handled, applied, missing, error)) return false;
      if (missing > before && bundle.hardRequirement) {
        error = "a path the policy allows is missing: " + path + " (" + rule.rules.front().display() + ")";
        return false;
      }
    }
  }
  // The trust store the runtime put in the view (mounts.h) is read wherever it is.
  if (!trustStore.empty() && (LANDLOCK_ACCESS_FS_READ_FILE & handled) && !addRule(ruleset, trustStore, LANDLOCK_ACCESS_FS_READ_FILE & handled, applied, missing, error))
    return false;
  if (syscall(SYS_landlock_restrict_self, ruleset, abi >= 7 ? kLogNewExecOn : 0) != 0) {
    error = std::string("landlock_restrict_self: ") + std::strerror(errno);
    return false;
  }
  close(ruleset);
  notes = "landlock: abi " + std::to_string(abi) + ", " + std::to_string(applied) + " rules applied, " +
          std::to_string(missing) + " paths missing" + (dropped ? ", some rights unknown to this kernel" : "");
  return true;
}

}  // namespace shellrt
