// The filesystem layer. A path is one node of the tree of the paths the policies mention
// (rules and asserts), in depth-first order: every request on a path is covered by exactly
// the rules on the node's ancestors-or-self, where the node is the deepest mentioned path at
// or above it (a path beneath a node and no deeper mentioned path stands for "any other
// child", which no other rule covers). So the space is exact, and a rule covers the interval
// of nodes that is its subtree.
#include <algorithm>

#include "verify/smt.h"

namespace shellc::verify::smt {
namespace {

std::vector<std::string> components(const std::string &rel) {
  std::vector<std::string> out;
  for (size_t begin = 0; begin < rel.size();) {
    size_t end = rel.find('/', begin);
    if (end == std::string::npos) end = rel.size();
    out.push_back(rel.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

bool isRoot(const ir::Path &path) { return path.rel.empty(); }

// The right of a request: an index into the language's table of words.
constexpr int kRightCount = static_cast<int>(ir::kAccessWords.size());
int rightIndex(ir::Access right) {
  for (int i = 0; i < kRightCount; ++i)
    if (ir::kAccessWords[i].bit == right) return i;
  return 0;
}

class FilesystemLayer : public AllowOrDenyLayer {
public:
  FilesystemLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies)
      : AllowOrDenyLayer(ctx), node_(ctx), right_(choiceVar(ctx, "fs_right", kRightCount)) {
    std::vector<ir::Path> paths = {{ir::PathRoot::Absolute, ""}, {ir::PathRoot::Home, ""}, {ir::PathRoot::Workspace, ""}};
    for (const ir::Policy *policy : policies) {
      for (const ir::FsRule &rule : policy->filesystem.rules) paths.push_back(rule.path);
      for (const ir::Assert &a : policy->asserts)
        if (a.request.kind == ir::Request::Kind::File) paths.push_back(a.request.path);
    }
    // Depth-first order: by root, then component by component.
    auto key = [](const ir::Path &p) { return std::pair{p.root, components(p.rel)}; };
    std::sort(paths.begin(), paths.end(), [&](const ir::Path &a, const ir::Path &b) { return key(a) < key(b); });
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    nodes_ = paths;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      size_t end = i + 1;
      while (end < nodes_.size() && ir::covers(nodes_[i], nodes_[end]) && nodes_[end].root == nodes_[i].root) ++end;
      subtreeEnd_.push_back(end);
    }
    node_ = choiceVar(ctx, "fs_node", nodes_.size());
  }

  std::string name() const override { return "filesystem"; }

  z3::expr domain() const override {
    return inRange(node_, nodes_.size()) && inRange(right_, kRightCount);
  }

  std::vector<Statement> statements(const ir::Policy &policy) const override {
    return groupStatements(
        policy.filesystem.rules, [&](const ir::FsRule &r) { return matches(r); }, [](const ir::FsRule &r) { return r.allow; },
        [&](const ir::FsRule &r) {
          auto [begin, end] = subtree(r.path);
          return Footprint::range(begin, end);
        });
  }

  z3::expr decision(const ir::Policy &policy, const z3::expr &skip) const override {
    std::vector<z3::expr> allows, denies;
    const std::vector<ir::FsRule> &rules = policy.filesystem.rules;
    std::vector<int> statement = statementOf(rules);
    for (size_t i = 0; i < rules.size(); ++i)
      (rules[i].allow ? allows : denies).push_back(matches(rules[i]) && skip != statement[i]);
    // As ir::evaluateFile: no default reaches a host's socket.
    z3::expr fallback = ctx_.bool_val(policy.filesystem.defaultAllow) && right_ != rightIndex(ir::kConnect);
    return !anyOf(ctx_, denies) && (anyOf(ctx_, allows) || fallback);
  }

  bool describes(const ir::Request &pattern) const override { return pattern.kind == ir::Request::Kind::File; }

  z3::expr pattern(const ir::Request &pattern) const override {
    std::vector<z3::expr> rights;
    return rightIn(pattern.access) && covered(pattern.path);
  }

  std::string text(const z3::model &model) const override {
    auto [path, right] = decode(model);
    return std::string(ir::kAccessWords[right].word) + " " + pathText(path);
  }

  Recheck recheck(const z3::model &model, const ir::Policy &policy, const ir::Request *) const override {
    auto [path, right] = decode(model);
    ir::FileDecision d = ir::evaluateFile(policy.filesystem, path, ir::kAccessWords[right].bit);
    Recheck r{d.allow, !d.allow, d.allow ? "allow" : "deny", {}};
    for (const ir::FsRule *rule : d.deciding) r.deciding.push_back(&rule->id);
    return r;
  }

  // The node that stands for `path`: the deepest mentioned path at or above it.
  std::optional<z3::expr> request(const ir::Path &path, ir::Access right) const {
    size_t best = nodes_.size();
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].root == path.root && (isRoot(nodes_[i]) || ir::covers(nodes_[i], path))) best = i;
    if (best == nodes_.size()) return std::nullopt;
    return node_ == static_cast<int>(best) && right_ == rightIndex(right);
  }

private:
  // The nodes a rule (or an assert's path) on `path` covers: its subtree; "/" covers all.
  std::pair<size_t, size_t> subtree(const ir::Path &path) const {
    if (path.root == ir::PathRoot::Absolute && path.rel.empty()) return {0, nodes_.size()};
    size_t i = std::lower_bound(nodes_.begin(), nodes_.end(), path,
                                [](const ir::Path &a, const ir::Path &b) {
                                  return std::pair{a.root, components(a.rel)} < std::pair{b.root, components(b.rel)};
                                }) - nodes_.begin();
    return {i, subtreeEnd_[i]};
  }
  z3::expr covered(const ir::Path &path) const {
    auto [begin, end] = subtree(path);
    if (begin == 0 && end == nodes_.size()) return ctx_.bool_val(true);
    return z3::uge(node_, ctx_.num_val(static_cast<int>(begin), node_.get_sort())) && inRange(node_, end);
  }

  z3::expr matches(const ir::FsRule &rule) const { return rightIn(rule.access) && covered(rule.path); }

  z3::expr rightIn(uint8_t access) const {
    std::vector<z3::expr> rights;
    for (int i = 0; i < kRightCount; ++i)
      if (access & ir::kAccessWords[i].bit) rights.push_back(right_ == i);
    return anyOf(ctx_, rights);
  }

  std::pair<ir::Path, int> decode(const z3::model &model) const {
    return {nodes_[chosen(model, node_)], static_cast<int>(chosen(model, right_))};
  }

  static std::string pathText(const ir::Path &path) {
    if (path.root == ir::PathRoot::Workspace) return path.rel.empty() ? "workspace" : "workspace / \"" + path.rel + "\"";
    return "\"" + path.display() + "\"";
  }

  z3::expr node_, right_;
  std::vector<ir::Path> nodes_;
  std::vector<size_t> subtreeEnd_;
};

}  // namespace

std::unique_ptr<Layer> filesystemLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies) {
  return std::make_unique<FilesystemLayer>(ctx, policies);
}

std::optional<z3::expr> fileRequest(const Layer &layer, const ir::Path &path, ir::Access right) {
  return static_cast<const FilesystemLayer &>(layer).request(path, right);
}

}  // namespace shellc::verify::smt
