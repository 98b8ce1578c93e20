// The syntax tree of one policy file: what was written, with a Span on every part.
// Values stay as text here; the checker (check.cpp) gives them meaning.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "support/source.h"

namespace shellc::ast {

struct Value {
  enum class Kind { String, Int, Quantity, Addr4, Ident };
  Kind kind = Kind::Ident;
  std::string text;  // strings: unescaped contents
  Span span;
};

// `workspace / ".git/hooks"`: a base (string or name) and relative parts.
struct PathExpr {
  Value base;
  std::vector<Value> parts;
  Span span;
};

// `CLONE_NEWUSER | CLONE_NEWNS`, `-100`.
struct IntAtom {
  bool negative = false;
  Value value;
};
struct IntExpr {
  std::vector<IntAtom> atoms;
  Span span;
};

struct RuleName {
  std::string name;
  Span span;
};

// `default deny`, `compatibility best_effort`, `enforcement audit`, `arch x86_64, aarch64`.
struct Setting {
  std::string key;
  std::vector<Value> values;
  Span span;
};

// `scratch "/tmp", "/dev/shm"`: directories that are the sandbox's own, empty at start.
struct FsScratch {
  std::vector<PathExpr> paths;
  Span span;
};

struct FsRule {
  std::optional<RuleName> name;
  Value decision;  // allow | deny
  std::vector<Value> rights;
  std::vector<PathExpr> paths;
  Span span;
};

// One statement of a process block: run_as, allow_root, capabilities, limit, env pass/set.
struct ProcessStmt {
  std::string kind;
  std::vector<Value> values;
  Span span;
};

struct SyscallAction {
  Value verb;  // allow, deny, kill, log, errno, kill_thread, trap, notify
  std::optional<IntExpr> argument;
  Span span;
};

struct ArgCondition {
  Value arg;
  std::optional<IntExpr> mask;
  std::string op;  // == != < <= > >= in notin
  std::vector<IntExpr> values;
  Span span;
};

struct SyscallSpec {
  Value name;
  std::vector<ArgCondition> conditions;
  Span span;
};

struct SyscallRule {
  std::optional<RuleName> name;
  Value verb;
  std::vector<SyscallSpec> syscalls;
  std::optional<SyscallAction> action;
  Span span;
};

struct PortRange {
  Value low;
  std::optional<Value> high;
  Span span;
};

struct Endpoint {
  Value host;
  bool anyPort = false;
  bool hasPorts = false;
  std::vector<PortRange> ports;
  Span span;
};

struct NetworkClauses {
  std::vector<Value> binaries;
  std::vector<Value> methods;
  std::vector<Value> paths;
  std::optional<Span> audit;
  std::vector<Span> clauseSpans;
};

struct NetworkRule {
  std::optional<RuleName> name;
  Value decision;
  std::optional<Value> protocol;
  std::vector<Endpoint> endpoints;
  NetworkClauses clauses;
  Span span;
};

struct ProviderProperty {
  Value key;
  std::vector<Value> values;
  Span span;
};

struct Provider {
  Value name;
  std::vector<ProviderProperty> properties;
  Span span;
};

struct Route {
  std::optional<RuleName> name;
  std::vector<Value> models;
  Value provider;
  std::optional<Value> rewrite;
  Span span;
};

struct ModelDeny {
  std::optional<RuleName> name;
  std::vector<Value> models;
  Span span;
};

// `limit tokens N` in the inference block (the whole session) or in a provider's (its own).
struct Budget {
  std::optional<RuleName> name;
  Value measure;
  Value amount;
  std::optional<Value> provider;
  Span span;
};

struct Request {
  enum class Kind { Syscall, Connect, Route, File };
  Kind kind = Kind::File;
  Value verb;                       // File: read/write/exec; Syscall/Route: the syscall or model
  std::vector<std::optional<IntExpr>> syscallArgs;  // nullopt = `*`
  bool hasSyscallArgs = false;
  std::optional<Endpoint> endpoint;
  NetworkClauses clauses;
  std::optional<PathExpr> path;
  std::optional<Value> provider;    // route … => provider
  Span span;
};

struct Outcome {
  Value verb;
  std::optional<IntExpr> argument;
  Span span;
};

struct Assert {
  std::optional<RuleName> name;
  Value quantifier;  // never | always
  Request request;
  Span span;
};

struct Expectation {
  std::optional<Outcome> outcome;
  Request request;
  Span span;
};

struct Test {
  Value name;
  std::vector<Expectation> expectations;
  Span span;
};

struct Use {
  bool isPath = false;  // `use "./x.policy"` vs `use std.x`
  std::string target;
  Span span;
};

struct Param {
  Value name;
  Value type;
  std::optional<Value> defaultValue;
  Span span;
};

enum class Layer { Filesystem, Process, Syscalls, Network, Inference };

struct Block {
  Layer layer;
  Span span;          // the keyword and braces
  std::vector<Setting> settings;
};

struct Module {
  FileId file = kNoFile;
  std::optional<Value> policyName;
  std::vector<Use> uses;
  std::vector<Param> params;
  std::vector<Block> blocks;
  std::vector<FsRule> fsRules;
  std::vector<FsScratch> fsScratch;
  std::vector<ProcessStmt> processStmts;
  std::vector<SyscallRule> syscallRules;
  std::vector<SyscallAction> syscallDefaults;
  std::vector<NetworkRule> networkRules;
  std::vector<Provider> providers;
  std::vector<Route> routes;
  std::vector<ModelDeny> modelDenies;
  std::vector<Budget> budgets;
  std::vector<Assert> asserts;
  std::vector<Test> tests;
};

}  // namespace shellc::ast
