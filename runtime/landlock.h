#pragma once
#include <linux/landlock.h>

#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "sandbox.h"

namespace shellrt {

// The running kernel's Landlock ABI, 0 without Landlock.
int landlockAbi();

// Newer than Debian 12's uapi header: the ABI 6 scopes, ABI 4's TCP bind right, and
// struct landlock_ruleset_attr as of ABI 6.
constexpr uint64_t kScopeAbstractUnixSocket = 1ull << 0;
constexpr uint64_t kScopeSignal = 1ull << 1;
constexpr uint64_t kNetBindTcp = 1ull << 0;
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

// One rule on one path; a missing path grants nothing (one never drops the whole ruleset)
// and counts in `missing`.
bool addRule(int ruleset, const std::string &path, uint64_t access, size_t &applied, size_t &missing,
             std::string &error);

// Applies the bundle's Landlock ruleset, gated by the running kernel's ABI. Returns false
// with `error` when it must not start (a hard requirement not met); `notes` says what was
// skipped under best_effort and the figures applied.
// `trustStore`: the sandbox's trust store in its view (mounts.h), readable whatever the rules.
bool applyLandlock(const SandboxSpec &spec, const std::string &trustStore, std::string &notes, std::string &error);

// The rights that change what is beneath a path (a bind of it must be writable).
constexpr uint64_t kLandlockWriteRights =
    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
    LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER | (1ull << 14) /* truncate, ABI 3 */;

// The host paths a rule grants: its path, and for the workspace itself also the main
// repository of a linked worktree (git/guard.h), which holds the workspace's git data.
std::vector<std::string> resolveRule(const SandboxPath &path, const SandboxSpec &spec);

}  // namespace shellrt
