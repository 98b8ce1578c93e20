#include "backends/rule_source.h"

namespace shellc::backends {
namespace {
bool under(const std::string &path, const std::string &root) {
  return !root.empty() && path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
         path[root.size()] == '/';
}
}  // namespace

std::string SourceNames::portable(const std::string &path) const {
  if (under(path, stdlib_)) return "<stdlib>" + path.substr(stdlib_.size());
  if (under(path, working_)) return path.substr(working_.size() + 1);
  return path;
}

llvm::json::Value SourceNames::rule(const ir::RuleId &id) const {
  llvm::json::Object o{{"file", portable(id.file)}, {"line", id.line}};
  if (!id.name.empty()) o["name"] = id.name;
  return o;
}

}  // namespace shellc::backends
