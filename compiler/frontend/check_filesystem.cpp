#include <algorithm>

#include "frontend/checker.h"

namespace shellc {

// Parses `read, write` into access bits; shared with file requests in asserts and tests.
std::optional<uint8_t> accessBits(Checker &c, const std::vector<ast::Value> &rights) {
  uint8_t bits = 0;
  bool ok = true;
  for (const ast::Value &r : rights) {
    static const std::vector<std::string_view> words = [] {
      std::vector<std::string_view> out;
      for (const ir::AccessWord &a : ir::kAccessWords) out.push_back(a.word);
      return out;
    }();
    if (!c.oneOf(r, words, "access right")) {
      ok = false;
      continue;
    }
    uint8_t bit = std::find_if(ir::kAccessWords.begin(), ir::kAccessWords.end(),
                               [&](const ir::AccessWord &a) { return r.text == a.word; })->bit;
    if (bits & bit) c.warning("duplicate-right", r.span, "'" + r.text + "' is listed twice");
    bits |= bit;
  }
  if (!ok) return std::nullopt;
  return bits;
}

// Scratch directories replace host directories by absolute path: the workspace and the home
// are the user's, never replaced; "/" would be the whole view.
void Checker::checkScratch(const ast::FsScratch &s) {
  for (const ast::PathExpr &expr : s.paths) {
    auto p = path(expr);
    if (!p) continue;
    if (p->root != ir::PathRoot::Absolute || p->rel.empty()) {
      error("invalid-path", expr.span, "a scratch directory is an absolute path other than \"/\"")
          .withHint("workspace and home are the user's own directories; write e.g. scratch \"/tmp\"");
      continue;
    }
    auto &scratch = policy_.filesystem.scratch;
    auto same = std::find_if(scratch.begin(), scratch.end(), [&](const ir::Scratch &o) { return o.path == *p; });
    if (same != scratch.end()) {
      warning("duplicate-statement", expr.span, "'" + p->display() + "' is a scratch directory already")
          .withNote(same->id.span, "first made one here");
      continue;
    }
    scratch.push_back({ruleId(std::nullopt, s.span), *p});
  }
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
    for (const ast::FsScratch &s : m.fsScratch) checkScratch(s);
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
