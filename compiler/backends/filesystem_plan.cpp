#include "backends/filesystem_plan.h"

#include <map>

namespace shellc::backends {

const std::vector<LandlockRight> &landlockFsRights() {
  static const std::vector<LandlockRight> rights = {
      {"execute", 1ull << 0, 1},     {"write_file", 1ull << 1, 1}, {"read_file", 1ull << 2, 1},
      {"read_dir", 1ull << 3, 1},    {"remove_dir", 1ull << 4, 1}, {"remove_file", 1ull << 5, 1},
      {"make_char", 1ull << 6, 1},   {"make_dir", 1ull << 7, 1},   {"make_reg", 1ull << 8, 1},
      {"make_sock", 1ull << 9, 1},   {"make_fifo", 1ull << 10, 1}, {"make_block", 1ull << 11, 1},
      {"make_sym", 1ull << 12, 1},   {"refer", 1ull << 13, 2},     {"truncate", 1ull << 14, 3},
      {"ioctl_dev", 1ull << 15, 5},
  };
  return rights;
}

namespace {

uint64_t rightsNamed(std::initializer_list<std::string_view> names) {
  uint64_t bits = 0;
  for (std::string_view name : names)
    for (const LandlockRight &r : landlockFsRights())
      if (name == r.name) bits |= r.bit;
  return bits;
}

}  // namespace

uint64_t landlockBits(uint8_t access) {
  // Reading a directory is listing it; ioctl on a device opened for reading or writing
  // (a terminal) goes with that access. Writing is everything that changes the tree beneath
  // the path. `connect` is no Landlock right (the socket broker's).
  static const uint64_t read = rightsNamed({"read_file", "read_dir", "ioctl_dev"});
  static const uint64_t write =
      rightsNamed({"write_file", "remove_dir", "remove_file", "make_char", "make_dir", "make_reg", "make_sock",
                   "make_fifo", "make_block", "make_sym", "refer", "truncate", "ioctl_dev"});
  static const uint64_t exec = rightsNamed({"execute"});
  return (access & ir::kRead ? read : 0) | (access & ir::kWrite ? write : 0) | (access & ir::kExec ? exec : 0);
}

FilesystemPlan planFilesystem(const ir::Filesystem &fs) {
  FilesystemPlan plan;
  plan.landlock = !fs.defaultAllow;
  plan.mounts = ir::planMounts(fs);
  std::map<ir::Path, size_t> index;
  for (const ir::FsRule &rule : fs.rules) {
    if (!rule.allow || !plan.landlock || !(rule.access & ir::kPathAccess)) continue;
    auto [it, inserted] = index.emplace(rule.path, plan.landlockRules.size());
    if (inserted) {
      plan.landlockRules.push_back({rule.path, 0});
      plan.landlockRuleSources.emplace_back();
    }
    plan.landlockRules[it->second].second |= landlockBits(rule.access);
    plan.landlockRuleSources[it->second].push_back(rule.id);
  }
  return plan;
}

llvm::json::Value pathJson(const ir::Path &path) {
  const char *root = path.root == ir::PathRoot::Absolute ? "absolute"
                     : path.root == ir::PathRoot::Home   ? "home"
                                                         : "workspace";
  return llvm::json::Object{{"root", root}, {"rel", path.rel}, {"display", path.display()}};
}

llvm::json::Value landlockJson(const ir::Filesystem &fs, const FilesystemPlan &plan, const SourceNames &names) {
  llvm::json::Array rights;
  for (const LandlockRight &r : landlockFsRights())
    rights.push_back(llvm::json::Object{{"name", r.name}, {"bit", r.bit}, {"abi", r.abi}});
  llvm::json::Array rules;
  for (size_t i = 0; i < plan.landlockRules.size(); ++i) {
    llvm::json::Array sources;
    for (const ir::RuleId &id : plan.landlockRuleSources[i]) sources.push_back(names.rule(id));
    rules.push_back(llvm::json::Object{{"path", pathJson(plan.landlockRules[i].first)},
                                       {"access", plan.landlockRules[i].second},
                                       {"rules", std::move(sources)}});
  }
  return llvm::json::Object{
      {"enabled", plan.landlock},
      {"compatibility", fs.compatibility == ir::Compatibility::BestEffort ? "best_effort" : "hard_requirement"},
      {"handled_access_fs", plan.landlock ? landlockBits(ir::kRead | ir::kWrite | ir::kExec) : 0},
      // Abstract unix sockets and signals outside the sandbox (ABI 6): always scoped.
      {"scoped", llvm::json::Array{"abstract_unix_socket", "signal"}},
      {"rights", std::move(rights)},
      {"rules", std::move(rules)}};
}

// The rules naming host sockets the sandbox may connect to, in the policy's order; the
// runtime decides by them as ir::evaluateFile does for `connect` (docs/bundle.md).
llvm::json::Value unixSocketsJson(const ir::Filesystem &fs, const SourceNames &names) {
  llvm::json::Array rules;
  for (const ir::FsRule &rule : fs.rules)
    if (rule.access & ir::kConnect)
      rules.push_back(llvm::json::Object{{"allow", rule.allow}, {"path", pathJson(rule.path)}, {"rule", names.rule(rule.id)}});
  return llvm::json::Object{{"rules", std::move(rules)}};
}

llvm::json::Value mountsJson(const FilesystemPlan &plan, const SourceNames &names) {
  llvm::json::Array entries;
  for (const ir::MountEntry &m : plan.mounts) {
    const char *kind = m.kind == ir::MountEntry::Kind::Mask       ? "mask"
                       : m.kind == ir::MountEntry::Kind::ReadOnly ? "readonly"
                       : m.kind == ir::MountEntry::Kind::Scratch  ? "scratch"
                                                              : "noexec";
    entries.push_back(llvm::json::Object{
        {"kind", kind}, {"path", pathJson(m.path)}, {"rule", names.rule(m.rule)},
        // The path may not exist yet (a hook not written): the runtime creates what it masks.
        {"create_if_missing", true}});
  }
  return llvm::json::Object{{"entries", std::move(entries)}};
}

}  // namespace shellc::backends
