// Finds and loads the modules a policy uses: `use std.x` from the stdlib, `use "./f.policy"`
// relative to the importing file. Each module is loaded once; cycles and missing modules are
// errors that show the chain of imports.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "support/diagnostics.h"

namespace shellc {

struct LoadedModule {
  std::unique_ptr<ast::Module> ast;
  std::string name;           // what the user wrote (`std.base`, `./team.policy`) or the root path
  std::vector<Span> chain;    // the `use` statements that led here, outermost first
};

class ModuleLoader {
public:
  ModuleLoader(SourceManager &sources, DiagnosticEngine &diags, std::string stdlibDir)
      : sources_(sources), diags_(diags), stdlibDir_(std::move(stdlibDir)) {}

  // Loads `rootPath` and everything it uses, root first. Returns false on any error.
  bool load(const std::string &rootPath, std::vector<LoadedModule> &out);

  // Where `<bin>/../share/shellc/stdlib` is for the running binary.
  static std::string defaultStdlibDir();

private:
  bool visit(const std::string &path, const std::string &name, std::vector<Span> chain,
             std::vector<std::string> &stack, std::vector<LoadedModule> &out);

  SourceManager &sources_;
  DiagnosticEngine &diags_;
  std::string stdlibDir_;
  std::vector<std::string> loaded_;  // canonical paths, to load each once
};

// Adds "imported from" notes for each `use` in the chain, innermost first (as clang does).
void addImportNotes(Diagnostic &d, const SourceManager &sources, const std::vector<Span> &chain);

}  // namespace shellc
