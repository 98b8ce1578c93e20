// What the runtime needs from a bundle (docs/bundle.md), read and validated up front, all of
// it, so that nothing is half-applied when a section turns out to be malformed and no
// sandbox starts with less protection than the bundle says.
#pragma once
#include <linux/filter.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shellrt {

struct SandboxPath {
  enum class Root { Absolute, Home, Workspace } root = Root::Absolute;
  std::string rel;  // relative and normalised: no "", ".", ".." components
  std::string resolve(const std::string &home, const std::string &workspace) const;
};

// Whether the absolute, normalised `path` is `dir` or lies beneath it, on component
// boundaries ("/a/b" is within "/a", "/ab" is not); everything is within "/".
bool pathWithin(const std::string &path, const std::string &dir);

struct RuleSource {
  std::string file;
  uint64_t line = 0;
  std::string name;
  std::string display() const;
};

// Every file-system right the kernel's Landlock `abi` handles (the runtime's own table).
uint64_t landlockFsRights(int abi);

struct LandlockRule {
  SandboxPath path;
  uint64_t access = 0;
  std::vector<RuleSource> rules;  // at least one
};

struct MountEntry {
  enum class Kind { ReadOnly, Mask, NoExec, Scratch } kind;
  SandboxPath path;
  RuleSource rule;
};

struct SocketRule {
  bool allow = true;
  SandboxPath path;
  RuleSource rule;
};

struct Limit {
  int resource;
  uint64_t value;
};

// One seccomp rule as data: `conditions` all hold → `action` (a SECCOMP_RET_* value).
struct SeccompRule {
  struct Condition {
    enum class Op { Eq, Ne, Lt, Le, Gt, Ge, MaskedEq, MaskedNe } op;
    unsigned arg;
    uint64_t mask, value;
  };
  std::string syscall;
  uint32_t nr;
  std::vector<Condition> conditions;
  uint32_t action;
  RuleSource rule;
};

struct SeccompProgram {
  std::string arch;  // "x86_64" or "aarch64"
  uint32_t auditArch;
  std::vector<sock_filter> program;
  std::vector<SeccompRule> rules;
};

// The egress table and the route table: validated now, served by the proxy and the router.
struct EgressRule {
  struct Host {
    enum class Kind { Exact, OneLabelUnder, AnyLabelsUnder, Cidr } kind;
    std::string text;
  };
  bool allow, http, audit;
  std::vector<Host> hosts;
  std::vector<std::pair<uint16_t, uint16_t>> ports;
  std::vector<std::string> binaries, methods, paths;
  RuleSource rule;
};

struct Egress {
  // Refused whatever the rules say, unless a matching allow names a CIDR inside the range.
  struct Reserved {
    std::string cidr, why;
    bool onlyWhenResolved;  // private ranges: refused only when a name resolved into them
  };
  bool defaultAllow = false, auditOnly = false;
  std::vector<Reserved> alwaysDenied;
  std::vector<EgressRule> rules;
  // Whether a rule judges requests by method or path: the proxy then ends TLS for them, with
  // an authority of the session's that the sandbox trusts.
  bool judgesRequests() const;
};

struct Routes {
  struct Provider {
    std::string name, endpoint, api, keySource, keyName;
    bool keyOptional = false;  // a missing key refuses its models (503), not the start
    uint64_t timeoutMs;
    RuleSource rule;
  };
  struct Route {
    std::string model, provider, rewrite;
    RuleSource rule;
  };
  // A cap on a session's spending: of one provider, or (provider empty) of all together.
  struct Budget {
    bool tokens;  // else requests
    std::string provider;
    uint64_t cap;
    RuleSource rule;
  };
  std::vector<Provider> providers;
  std::vector<Route> routes, denied;
  std::vector<Budget> budgets;
};

// A start the policy's proofs do not cover (docs/language.md §7, "Placements"): the
// workspace or the home inside each of `inside`'s paths at once. shellrt refuses it.
struct RefusedPlacement {
  struct Condition {
    bool workspace;  // else the home
    SandboxPath path;
  };
  std::vector<Condition> inside;
  std::string why;
};

// A path an assert or a test names (`by`): a start-up directory of another namespace at or
// above it would move it out of what the proofs read, as for a rule's path.
struct NamedPath {
  SandboxPath path;
  std::string by;
};

struct Bundle {
  std::string policy;
  std::string sha256;  // of the bundle's bytes, for the audit log (set by whoever read them)
  // process
  std::optional<uint32_t> uid, gid;
  bool allowRoot = false;
  std::vector<Limit> limits;  // rlimits, set in the sandbox
  // For the sandbox as a whole, by a cgroup only: an address-space rlimit in its place broke
  // AddressSanitizer, JVMs, Go and V8, which reserve far more than they use.
  uint64_t memoryBytes = 0;
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
  // unix_sockets: the policy's `connect` rules, in order (sockets/socket_rules.h decides)
  std::vector<SocketRule> unixSockets;
  // seccomp: every architecture's program; the running architecture's, which is loaded, is
  // checked against its rules.
  uint32_t seccompDefault = 0;
  std::vector<SeccompProgram> seccompPrograms;
  size_t runningProgram = 0;  // its index in seccompPrograms
  const SeccompProgram &running() const { return seccompPrograms[runningProgram]; }
  Egress egress;
  Routes routes;
  std::vector<RefusedPlacement> refusedPlacements;
  std::vector<NamedPath> namedPaths;
};

constexpr size_t kMaxBundleBytes = 32u << 20;

// Reads a bundle's text; false with `error` ("FIELD: why") when it is not, exactly, a bundle
// this runtime understands.
bool parseBundle(const std::string &text, Bundle &out, std::string &error);

// Reads a regular file of at most `maxBytes`; false with `error` otherwise. `ownName`: only a
// file that is not a symbolic link and has no other name (a file a sandbox left, read by the
// supervisor, must not be one it could not read itself).
bool readBoundedFile(const std::string &path, size_t maxBytes, std::string &text, std::string &error,
                     bool ownName = false);

}  // namespace shellrt
