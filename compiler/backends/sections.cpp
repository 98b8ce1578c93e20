#include "backends/sections.h"

namespace shellc::backends {

namespace {
const char *limitName(ir::Limit limit) {
  switch (limit) {
  case ir::Limit::OpenFiles: return "open_files";
  case ir::Limit::Processes: return "processes";
  case ir::Limit::Memory: return "memory_bytes";
  case ir::Limit::FileSize: return "file_size_bytes";
  case ir::Limit::Stack: return "stack_bytes";
  case ir::Limit::Core: return "core_bytes";
  case ir::Limit::CpuTime: return "cpu_time_ms";
  case ir::Limit::WallTime: return "wall_time_ms";
  }
  return "?";
}
}  // namespace

llvm::json::Value processJson(const ir::Process &p) {
  // Every key is always there, null for none: a runtime that finds one missing refuses the
  // bundle rather than run without a limit.
  llvm::json::Object limits;
  for (ir::Limit limit : {ir::Limit::OpenFiles, ir::Limit::Processes, ir::Limit::Memory, ir::Limit::FileSize,
                          ir::Limit::Stack, ir::Limit::Core, ir::Limit::CpuTime, ir::Limit::WallTime}) {
    auto value = p.limits.find(limit);
    limits[limitName(limit)] = value == p.limits.end() ? llvm::json::Value(nullptr) : llvm::json::Value(value->second);
  }
  llvm::json::Array caps, pass;
  for (auto &[name, number] : p.capabilities) caps.push_back(llvm::json::Object{{"name", name}, {"number", number}});
  for (const std::string &v : p.envPass) pass.push_back(v);
  llvm::json::Object set;
  for (auto &[name, value] : p.envSet) set[name] = value;
  // Null ids: those of the user who starts the sandbox.
  auto id = [](const auto &v) { return v ? llvm::json::Value(*v) : llvm::json::Value(nullptr); };
  return llvm::json::Object{{"allow_root", p.allowRoot}, {"capabilities", std::move(caps)},
                            {"limits", std::move(limits)}, {"env_pass", std::move(pass)},
                            {"env_set", std::move(set)}, {"uid", id(p.uid)}, {"gid", id(p.gid)}};
}

llvm::json::Value routesJson(const ir::Inference &inference, const SourceNames &names) {
  llvm::json::Array providers, routes, denied;
  for (const ir::Provider &p : inference.providers) {
    llvm::json::Object key{{"source", p.keySource == ir::Provider::KeySource::Env    ? "env"
                                      : p.keySource == ir::Provider::KeySource::File ? "file"
                                                                                     : "none"}};
    if (p.keySource != ir::Provider::KeySource::None) {
      key["name"] = p.key;
      key["optional"] = p.keyOptional;
    }
    providers.push_back(llvm::json::Object{{"name", p.name},
                                           {"endpoint", p.endpoint},
                                           {"api", p.api},
                                           {"key", std::move(key)},
                                           {"timeout_ms", p.timeoutMs},
                                           {"rule", names.rule(p.id)}});
  }
  for (const ir::Route &r : inference.routes) {
    routes.push_back(llvm::json::Object{{"model", r.modelGlob},
                                        {"provider", r.provider},
                                        {"rewrite", r.rewrite.empty() ? llvm::json::Value(nullptr) : r.rewrite},
                                        {"rule", names.rule(r.id)}});
  }
  for (const ir::ModelDeny &d : inference.denies)
    denied.push_back(llvm::json::Object{{"model", d.modelGlob}, {"rule", names.rule(d.id)}});
  llvm::json::Array budgets;
  for (const ir::Budget &b : inference.budgets)
    budgets.push_back(llvm::json::Object{
        {"measure", ir::measureWord(b.measure)},
        {"provider", b.provider.empty() ? llvm::json::Value(nullptr) : b.provider},
        {"cap", b.cap},
        {"rule", names.rule(b.id)}});
  // The most specific glob wins, deny overrides, an unrouted model is denied (the spec);
  // the router applies the same rule to this table.
  return llvm::json::Object{{"providers", std::move(providers)}, {"routes", std::move(routes)},
                            {"denied", std::move(denied)}, {"unrouted", "deny"},
                            {"budgets", std::move(budgets)}};
}

}  // namespace shellc::backends
