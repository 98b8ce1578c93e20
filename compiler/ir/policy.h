// The checked, normalised policy: one rule set per layer. Every later stage (verifier,
// backends, explain, tests) reads this, never the syntax tree.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/source.h"

namespace shellc::ir {

// Where a rule came from: its @name if it has one, and always its file:line.
struct RuleId {
  std::string name;
  std::string file;
  uint32_t line = 0;
  Span span;
  std::string display() const { return name.empty() ? file + ":" + std::to_string(line) : name; }
};

// ---------------------------------------------------------------- filesystem
// Paths are resolved when the sandbox starts: `~` and the workspace are not known earlier.
enum class PathRoot { Absolute, Home, Workspace };
struct Path {
  PathRoot root = PathRoot::Absolute;
  std::string rel;  // normalised, no leading '/', "" = the root itself (Absolute: "" = "/")
  std::string display() const;
  bool operator==(const Path &) const = default;
  auto operator<=>(const Path &) const = default;
};

// `connect`: to a Unix socket at the path whose listener is outside the sandbox (the
// sandbox's own sockets are always its own to reach). Never allowed by default.
enum Access : uint8_t { kRead = 1, kWrite = 2, kExec = 4, kConnect = 8 };
// The language's words for them, for parsing and printing alike.
struct AccessWord {
  Access bit;
  const char *word;
};
constexpr std::array<AccessWord, 4> kAccessWords = {{{kRead, "read"}, {kWrite, "write"}, {kExec, "exec"}, {kConnect, "connect"}}};
// "read, write": the words of `access`, in the table's order.
std::string accessText(uint8_t access);
// The rights the mount plan and Landlock govern; `connect` is the socket broker's.
constexpr uint8_t kPathAccess = kRead | kWrite | kExec;

struct FsRule {
  RuleId id;
  bool allow = true;
  uint8_t access = 0;  // Access bits
  Path path;           // the path and everything beneath it
};

enum class Compatibility { BestEffort, HardRequirement };

// A scratch directory: an empty tmpfs of the sandbox's own in place of the host's
// directory, gone when the sandbox ends. Rights on it are the rules', as anywhere.
struct Scratch {
  RuleId id;
  Path path;  // absolute
};

struct Filesystem {
  bool defaultAllow = false;
  Compatibility compatibility = Compatibility::BestEffort;
  std::vector<FsRule> rules;
  std::vector<Scratch> scratch;
};

// ---------------------------------------------------------------- process
enum class Limit { OpenFiles, Processes, Memory, FileSize, Stack, Core, CpuTime, WallTime };
struct Process {
  std::optional<uint32_t> uid, gid;
  bool allowRoot = false;
  std::vector<std::pair<std::string, int>> capabilities;  // CAP_ name and number
  std::map<Limit, uint64_t> limits;  // sizes in bytes, times in milliseconds
  std::vector<std::string> envPass;
  std::vector<std::pair<std::string, std::string>> envSet;
};

// ---------------------------------------------------------------- syscalls
enum class Arch { X86_64, AArch64 };
constexpr std::array<Arch, 2> kAllArches = {Arch::X86_64, Arch::AArch64};
const char *archName(Arch arch);

// Ordered from least to most strict: when several rules match, the greatest wins.
enum class ActionKind { Allow, Log, Notify, Errno, Trap, KillThread, KillProcess };
struct SyscallAction {
  ActionKind kind = ActionKind::Errno;
  uint16_t errnoValue = 1;  // EPERM
  bool operator==(const SyscallAction &) const = default;
};
// `errno(EPERM)`, `kill`, `log`...: an action as the language writes it.
std::string actionText(const SyscallAction &action);
// The language's action words, for parsing rules and test outcomes: `deny` is errno(EPERM),
// `kill` and `kill_process` the same; `errno` takes a value.
struct ActionWord {
  const char *word;
  ActionKind kind;
};
constexpr std::array<ActionWord, 9> kActionWords = {{{"allow", ActionKind::Allow},
                                                     {"log", ActionKind::Log},
                                                     {"deny", ActionKind::Errno},
                                                     {"errno", ActionKind::Errno},
                                                     {"kill", ActionKind::KillProcess},
                                                     {"kill_process", ActionKind::KillProcess},
                                                     {"kill_thread", ActionKind::KillThread},
                                                     {"trap", ActionKind::Trap},
                                                     {"notify", ActionKind::Notify}}};

enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge, MaskedEq, MaskedNe };
// A comparison in its three notations: the language's (`arg & MASK == V` writes the masked
// ones with == and != after the mask), the bundle's (`&==`, `&!=`), and libseccomp's in an
// OCI profile (which has no masked !=).
struct CompareOpWords {
  CompareOp op;
  const char *language;
  const char *bundle;
  const char *oci;  // nullptr: libseccomp cannot say it
};
constexpr std::array<CompareOpWords, 8> kCompareOps = {{{CompareOp::Eq, "==", "==", "SCMP_CMP_EQ"},
                                                       {CompareOp::Ne, "!=", "!=", "SCMP_CMP_NE"},
                                                       {CompareOp::Lt, "<", "<", "SCMP_CMP_LT"},
                                                       {CompareOp::Le, "<=", "<=", "SCMP_CMP_LE"},
                                                       {CompareOp::Gt, ">", ">", "SCMP_CMP_GT"},
                                                       {CompareOp::Ge, ">=", ">=", "SCMP_CMP_GE"},
                                                       {CompareOp::MaskedEq, "==", "&==", "SCMP_CMP_MASKED_EQ"},
                                                       {CompareOp::MaskedNe, "!=", "&!=", nullptr}}};
const CompareOpWords &compareOpWords(CompareOp op);
// `arg & mask <op> value`: the mask is ~0 unless the rule masks the argument (MaskedEq,
// MaskedNe) or the kernel reads fewer than 64 bits of it (an `int` is the register's low 32
// bits, a `umode_t` its low 16: the checker narrows mask and value to what the kernel sees).
// `in [a, b]` becomes several rules, `not in` several Ne.
struct ArgCondition {
  unsigned index = 0;
  CompareOp op = CompareOp::Eq;
  uint64_t mask = ~0ull;
  uint64_t value = 0;
};

struct SyscallRule {
  RuleId id;
  std::string name;
  std::map<Arch, int> numbers;  // per arch where the call exists
  std::vector<ArgCondition> conditions;  // all must hold
  SyscallAction action;
};

struct Syscalls {
  SyscallAction defaultAction;  // errno(EPERM) unless the policy says otherwise
  std::vector<Arch> arches = {kAllArches.begin(), kAllArches.end()};
  std::vector<SyscallRule> rules;
};

// ---------------------------------------------------------------- network
struct PortRange {
  uint16_t low = 1, high = 65535;
};

struct HostPattern {
  enum class Kind { Exact, OneLabel, AnyLabels, Cidr };
  Kind kind = Kind::Exact;
  std::string name;  // Exact: the host; OneLabel/AnyLabels: the suffix after "*." / "**."
  std::array<uint8_t, 16> address{};  // Cidr: IPv6 form (IPv4 as ::ffff:a.b.c.d)
  unsigned prefix = 0;                // Cidr: prefix length over the 128-bit form
  bool ipv4 = false;
  std::string display() const;
};

enum class Protocol { Tcp, Http };

struct NetworkRule {
  RuleId id;
  bool allow = true;
  Protocol protocol = Protocol::Tcp;
  std::vector<HostPattern> hosts;
  std::vector<PortRange> ports;  // empty: every port
  std::vector<std::string> binaries;  // empty: any binary
  std::vector<std::string> methods;   // empty: any
  std::vector<std::string> paths;     // globs; empty: any
  bool audit = false;
};

struct Network {
  bool defaultAllow = false;
  bool audit = false;
  std::vector<NetworkRule> rules;
};

// ---------------------------------------------------------------- inference
struct Provider {
  RuleId id;
  std::string name;
  std::string endpoint;
  std::string api;  // openai | anthropic
  enum class KeySource { None, Env, File } keySource = KeySource::None;
  std::string key;  // the variable or the file, on the host side
  bool keyOptional = false;  // a missing key refuses the provider's models, not the start
  uint64_t timeoutMs = 0;
};

struct Route {
  RuleId id;
  std::string modelGlob;
  std::string provider;
  std::string rewrite;
};

struct ModelDeny {
  RuleId id;
  std::string modelGlob;
};

// A cap on what one session may spend through the router: `limit tokens N` in the inference
// block (every provider together) or in a provider's block (that provider's calls).
struct Budget {
  RuleId id;
  enum class Measure { Tokens, Requests } measure = Measure::Tokens;
  std::string provider;  // empty: the whole session
  uint64_t cap = 0;
};

// The language's words for them, for parsing and printing alike.
struct MeasureWord {
  Budget::Measure measure;
  const char *word;
};
constexpr std::array<MeasureWord, 2> kMeasureWords = {{{Budget::Measure::Tokens, "tokens"}, {Budget::Measure::Requests, "requests"}}};
const char *measureWord(Budget::Measure measure);

struct Inference {
  std::vector<Provider> providers;
  std::vector<Route> routes;
  std::vector<ModelDeny> denies;
  std::vector<Budget> budgets;
};

// ---------------------------------------------------------------- assert and test
struct Request {
  enum class Kind { File, Connect, Syscall, Route };
  Kind kind = Kind::File;
  uint8_t access = 0;  // File
  Path path;           // File
  HostPattern host;    // Connect
  std::vector<PortRange> ports;  // Connect; empty = any
  std::string binary, method, httpPath;  // Connect; empty = any
  std::string syscall;                   // Syscall
  std::map<Arch, int> syscallNumbers;    // Syscall: per arch where the call exists
  std::vector<std::optional<uint64_t>> args;  // Syscall; nullopt = any
  // Syscall: the bits of each argument the kernel reads. A pattern (assert) names what the
  // kernel sees, so `socket(AF_UNIX, *, *)` covers every register whose low 32 bits are 1.
  std::array<uint64_t, 6> argMasks = {~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
  // Syscall: set when the arguments name constants whose values differ between
  // architectures; the request then stands for that architecture only.
  std::optional<Arch> arch;
  std::string model;                     // Route
  std::string provider;                  // Route => provider
  Span span;
};

struct Assert {
  RuleId id;
  bool never = true;
  Request request;
};

struct Expectation {
  enum class Outcome { Allow, Deny, Route, SyscallAction };
  Outcome outcome = Outcome::Allow;
  SyscallAction action;  // SyscallAction
  Request request;
  Span span;
};

struct Test {
  std::string name;
  Span span;
  std::vector<Expectation> expectations;
};

// ---------------------------------------------------------------- the whole policy
struct Policy {
  std::string name;
  std::vector<std::string> files;  // every file the policy was built from, root first
  std::map<std::string, std::string> params;  // the value each parameter took
  Filesystem filesystem;
  Process process;
  Syscalls syscalls;
  Network network;
  Inference inference;
  std::vector<Assert> asserts;
  std::vector<Test> tests;
};

}  // namespace shellc::ir
