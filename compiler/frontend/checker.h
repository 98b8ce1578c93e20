// The checker's shared state; one check_*.cpp file per layer extends it.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/check.h"
#include "frontend/constants.h"
#include "frontend/modules.h"
#include "frontend/syscall_names.h"
#include "frontend/values.h"

namespace shellc {

enum class ParamType { String, Int, Bool, Path, Host, Port, Size, Duration, Cidr, Url };

// A value after parameter substitution: the text to check, and where to point errors.
struct Resolved {
  std::string text;
  ast::Value::Kind kind;
  Span span;            // where the value is used
  bool fromParam = false;
  bool builtin = false;  // `workspace` or `home`
};

class Checker {
public:
  Checker(const SourceManager &sources, DiagnosticEngine &diags, const CheckOptions &options,
          const std::vector<LoadedModule> &modules, ir::Policy &policy)
      : sources_(sources), diags_(diags), options_(options), modules_(modules), policy_(policy) {}

  void run();
  std::set<std::string> declaredParams() const;

  // check_filesystem.cpp, check_process.cpp, check_syscalls.cpp, check_network.cpp,
  // check_inference.cpp
  void warnIfNothingCanStart(const std::optional<Span> &defaultSpan);
  void warnIfIoUringAllowed(const std::optional<Span> &defaultSpan);
  bool warnIfExecveRefused(const std::optional<Span> &defaultSpan);
  void warnIfLoaderOutOfView();
  void checkFilesystem();
  void checkScratch(const ast::FsScratch &s);
  void checkProcess();
  void checkSyscalls();
  void checkNetwork();
  void checkInference();
  // check_requests.cpp
  void checkAsserts();
  void checkTests();
  // One request of an assert, or (`concrete`) of a test or of `shellc explain`.
  std::vector<ir::Request> checkRequest(const ast::Request &request, bool concrete);

  // Shared helpers, used by the per-layer files.
  Diagnostic &error(std::string code, Span span, std::string message) {
    return diags_.error(std::move(code), span, std::move(message));
  }
  Diagnostic &warning(std::string code, Span span, std::string message) {
    return diags_.warning(std::move(code), span, std::move(message));
  }
  void report(const std::string &code, Span span, const ValueError &e) {
    Diagnostic &d = error(code, span, e.message);
    if (!e.hint.empty()) d.withHint(e.hint);
  }
  ir::RuleId ruleId(const std::optional<ast::RuleName> &name, Span span);
  const std::vector<Span> &chainOf(FileId file) const;

  // Resolves a parameter reference (or returns the literal). `expected` lists the parameter
  // types acceptable here. Reports and returns nullopt on error.
  std::optional<Resolved> resolve(const ast::Value &value, std::initializer_list<ParamType> expected,
                                  std::string_view what);
  std::optional<ir::Path> path(const ast::PathExpr &expr);
  // An integer expression as each architecture sees it (constants can differ, e.g. O_DIRECTORY).
  std::optional<ArchValues> integer(const ast::IntExpr &expr, std::string_view constantPrefix = "");
  std::optional<ir::SyscallAction> syscallAction(const ast::Value &verb,
                                                 const std::optional<ast::IntExpr> &argument,
                                                 Span span);
  // `missingPort`: the error when the endpoint has no port, or nullptr when it may omit it.
  bool hostEndpoint(const ast::Endpoint &endpoint, ir::HostPattern &host,
                    std::vector<ir::PortRange> &ports, const char *missingPort);
  // A word out of a fixed set, with "did you mean" when it is not.
  bool oneOf(const ast::Value &word, const std::vector<std::string_view> &choices,
             std::string_view what);
  // Settings of one layer merged across modules: conflicting values are errors.
  std::optional<ast::Setting> setting(ast::Layer layer, std::string_view key);

  template <class F> void forEachModule(F f) const {
    for (const LoadedModule &m : modules_) f(*m.ast);
  }

  const SourceManager &sources_;
  DiagnosticEngine &diags_;
  const CheckOptions &options_;
  const std::vector<LoadedModule> &modules_;
  ir::Policy &policy_;

private:
  struct ParamInfo {
    const ast::Param *decl;
    ParamType type;
    std::optional<Resolved> value;  // nullopt: missing or invalid
  };
  void checkParams();
  void checkNames();
  bool checkTyped(ParamType type, const std::string &text, Span span, std::string_view what);
  std::map<std::string, ParamInfo> params_;
};

// Helpers that a layer's file defines and check_requests.cpp shares, as a request is checked
// like a rule of its layer.
// check_filesystem.cpp: `read, write` as access bits.
std::optional<uint8_t> accessBits(Checker &c, const std::vector<ast::Value> &rights);
// check_syscalls.cpp: the action words (ir::kActionWords), for rules and test outcomes.
const std::vector<std::string_view> &actionWords();
// check_syscalls.cpp: a syscall name, with "did you mean" over every name libseccomp knows.
std::optional<SyscallInfo> resolveSyscall(Checker &c, const ast::Value &name);
// check_network.cpp: the binaries, methods and HTTP paths of a rule or a request.
bool networkClauses(Checker &c, const ast::NetworkClauses &clauses, std::vector<std::string> &binaries,
                    std::vector<std::string> &methods, std::vector<std::string> &paths);

const char *paramTypeName(ParamType type);
std::string withArticle(std::string_view noun);

}  // namespace shellc
