#include "frontend/modules.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "frontend/parser.h"

namespace fs = std::filesystem;

namespace shellc {

// Each module holds the chain of `use` that led to it, and loading recurses along that
// chain: past this depth a chain is a mistake, or made to exhaust memory and stack.
constexpr size_t kMaxImportDepth = 256;

void addImportNotes(Diagnostic &d, const SourceManager &sources, const std::vector<Span> &chain) {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    d.withNote(*it, "imported from here");
}

std::string ModuleLoader::defaultStdlibDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return (exe.parent_path().parent_path() / "share" / "shellc" / "stdlib").string();
}

bool ModuleLoader::load(const std::string &rootPath, std::vector<LoadedModule> &out) {
  std::vector<std::string> stack;
  return visit(rootPath, rootPath, {}, stack, out);
}

bool ModuleLoader::visit(const std::string &path, const std::string &name, std::vector<Span> chain,
                         std::vector<std::string> &stack, std::vector<LoadedModule> &out) {
  std::error_code ec;
  std::string key = fs::weakly_canonical(path, ec).string();
  if (ec) key = path;
  auto onStack = std::find(stack.begin(), stack.end(), key);
  if (onStack != stack.end()) {
    Diagnostic &d = diags_.error("import-cycle", chain.back(), "import cycle: '" + name + "' uses itself");
    // The `use` statements that form the cycle, from the one that started it.
    size_t first = chain.size() - (stack.end() - onStack);
    for (size_t i = first; i + 1 < chain.size(); ++i) d.withNote(chain[i], "which uses this module here");
    d.withHint("move what both modules need into a third module that both use");
    return false;
  }
  if (std::find(loaded_.begin(), loaded_.end(), key) != loaded_.end()) return true;
  if (chain.size() > kMaxImportDepth) {
    diags_.error("import-too-deep", chain.back(),
                 "cannot load module '" + name + "': it is " + std::to_string(chain.size()) +
                     " 'use' statements deep; the limit is " + std::to_string(kMaxImportDepth))
        .withNote(chain.front(), "the chain starts here")
        .withHint("let a module use what it needs directly rather than through a chain of modules");
    return false;
  }

  ReadError error;
  FileId file = sources_.load(path, error);
  if (file == kNoFile) {
    if (chain.empty()) {
      diags_.error("io-error", Span{}, "cannot read '" + path + "': " + error.reason).withHint(error.hint);
    } else {
      Diagnostic &d = diags_.error("missing-module", chain.back(),
                                   "cannot load module '" + name + "': " + path + ": " + error.reason);
      d.withHint(error.hint);
      std::vector<Span> outer(chain.begin(), chain.end() - 1);
      addImportNotes(d, sources_, outer);
    }
    return false;
  }
  loaded_.push_back(key);
  std::unique_ptr<ast::Module> module = parseModule(sources_, file, diags_);
  if (!module) return false;

  stack.push_back(key);
  bool ok = true;
  std::vector<std::pair<std::string, ast::Use>> uses;
  for (const ast::Use &use : module->uses) {
    std::string target;
    if (use.isPath) {
      target = (fs::path(path).parent_path() / use.target).lexically_normal().string();
      if (target.empty()) target = use.target;
    } else {
      std::string rel = use.target;
      std::replace(rel.begin(), rel.end(), '.', '/');
      target = (fs::path(stdlibDir_) / (rel + ".policy")).string();
    }
    uses.emplace_back(target, use);
  }
  out.push_back(LoadedModule{std::move(module), name, chain});
  for (auto &[target, use] : uses) {
    std::vector<Span> next = chain;
    next.push_back(use.span);
    if (!use.isPath && stdlibDir_.empty()) {
      diags_.error("missing-module", use.span, "cannot find the standard library")
          .withHint("pass --stdlib DIR");
      ok = false;
      continue;
    }
    ok &= visit(target, use.target, next, stack, out);
  }
  stack.pop_back();
  return ok;
}

}  // namespace shellc
