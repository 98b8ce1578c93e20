#include "frontend/checker.h"

namespace shellc {

namespace {
const std::vector<std::string_view> kRights = {"read", "write", "exec"};
}

// Parses `read, write` into access bits; shared with file requests in asserts and tests.
std::optional<uint8_t> accessBits(Checker &c, const std::vector<ast::Value> &rights) {
  uint8_t bits = 0;
  bool ok = true;
  for (const ast::Value &r : rights) {
    if (!c.oneOf(r, kRights, "access right")) {
      ok = false;
      continue;
    }
    uint8_t bit = r.text == "read" ? ir::kRead : r.text == "write" ? ir::kWrite : ir::kExec;
    if (bits & bit) c.warning("duplicate-right", r.span, "'" + r.text + "' is listed twice");
    bits |= bit;
  }
  if (!ok) return std::nullopt;
  return bits;
}

void Checker::checkFilesystem() {
  ir::Filesystem &fs = policy_.filesystem;
  if (auto d = setting(ast::Layer::Filesystem, "default")) fs.defaultAllow = d->values[0].text == "allow";
  if (auto c = setting(ast::Layer::Filesystem, "compatibility")) {
    if (oneOf(c->values[0], {"best_effort", "hard_requirement"}, "compatibility"))
      fs.compatibility = c->values[0].text == "best_effort" ? ir::Compatibility::BestEffort
                                                            : ir::Compatibility::HardRequirement;
  }
  forEachModule([&](const ast::Module &m) {
    for (const ast::FsRule &rule : m.fsRules) {
      auto access = accessBits(*this, rule.rights);
      for (const ast::PathExpr &expr : rule.paths) {
        auto p = path(expr);
        if (!p || !access) continue;
        ir::FsRule out;
        out.id = ruleId(rule.name, rule.span);
        out.allow = rule.decision.text == "allow";
        out.access = *access;
        out.path = *p;
        fs.rules.push_back(std::move(out));
      }
    }
  });
}

}  // namespace shellc
