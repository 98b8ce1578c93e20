#include "ir/evaluate.h"

namespace shellc::ir {

bool covers(const Path &rule, const Path &path) {
  if (rule.root == PathRoot::Absolute && rule.rel.empty()) return true;  // "/": see evaluate.h
  if (rule.root != path.root) return false;
  if (rule.rel.empty()) return true;
  // On component boundaries: "~/.claude" covers "~/.claude/x", not "~/.claude.json".
  return path.rel.size() >= rule.rel.size() && path.rel.compare(0, rule.rel.size(), rule.rel) == 0 &&
         (path.rel.size() == rule.rel.size() || path.rel[rule.rel.size()] == '/');
}

FileDecision evaluateFile(const Filesystem &fs, const Path &path, Access right) {
  FileDecision d;
  for (const FsRule &rule : fs.rules)
    if ((rule.access & right) && covers(rule.path, path)) d.matched.push_back(&rule);
  // A host's socket is reached only where a rule names it, whatever the default.
  d.allow = denyOverridesAllow(d.matched, fs.defaultAllow && right != kConnect, d.deciding);
  return d;
}

}  // namespace shellc::ir
