// The inference layer. A model name is one of finitely many representatives: each glob's
// instances (every `*` empty, or one character), one name for each pair of globs that
// overlap (found by walking both globs at once), and a fresh name that no glob matches. The
// decision is the target (provider and rewrite) of the most specific matching route, or
// refused. Exact up to pairs: a name that matches three globs pairwise-but-not-jointly
// representable lies outside the space (docs say so; the cross-check counts them).
#include <algorithm>
#include <map>

#include "ir/glob.h"
#include "verify/smt.h"

namespace shellc::verify::smt {
namespace {

std::string fill(const std::string &glob, const char *star) {
  std::string out;
  for (char c : glob) out += c == '*' ? std::string(star) : c == '?' ? std::string("x") : std::string(1, c);
  return out;
}

class InferenceLayer : public Layer {
public:
  InferenceLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies)
      : Layer(ctx), model_(ctx) {
    for (const ir::Policy *policy : policies) {
      for (const ir::Route &route : policy->inference.routes) {
        globs_.push_back(route.modelGlob);
        if (std::find(targets_.begin(), targets_.end(), target(route)) == targets_.end()) targets_.push_back(target(route));
      }
      for (const ir::ModelDeny &deny : policy->inference.denies) globs_.push_back(deny.modelGlob);
      for (const ir::Assert &a : policy->asserts)
        if (a.request.kind == ir::Request::Kind::Route) globs_.push_back(a.request.model);
    }
    std::sort(globs_.begin(), globs_.end());
    globs_.erase(std::unique(globs_.begin(), globs_.end()), globs_.end());
    // "~" starts no model name a route is written for: a name no literal glob matches.
    std::vector<std::string> names = {"~" + freshWord(globs_)};
    for (const std::string &g : globs_) names.insert(names.end(), {fill(g, ""), fill(g, "x")});
    for (size_t i = 0; i < globs_.size(); ++i)
      for (size_t j = i + 1; j < globs_.size(); ++j)
        if (ir::globsOverlap(globs_[i], globs_[j]))
          if (auto name = ir::commonModelName(globs_[i], globs_[j])) names.push_back(*name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    names_ = names;
    model_ = choiceVar(ctx, "model", names_.size());
  }

  std::string name() const override { return "inference"; }
  z3::expr domain() const override { return inRange(model_, names_.size()); }

  std::vector<Statement> statements(const ir::Policy &policy) const override {
    auto where = [&](const auto &rule) { return globWhere(rule.modelGlob); };
    std::vector<Statement> out = groupStatements(
        policy.inference.routes, [&](const ir::Route &r) { return globMatches(r.modelGlob); }, [](auto &) { return true; },
        where);
    std::vector<Statement> denies = groupStatements(
        policy.inference.denies, [&](const ir::ModelDeny &d) { return globMatches(d.modelGlob); },
        [](auto &) { return false; }, where);
    out.insert(out.end(), denies.begin(), denies.end());
    return out;
  }

  // -1: refused; else the index of the target in targets_.
  z3::expr decision(const ir::Policy &policy, const z3::expr &skip) const override {
    const ir::Inference &inf = policy.inference;
    std::vector<int> routeStatement = statementOf(inf.routes), denyStatement = statementOf(inf.denies);
    int denyOffset = inf.routes.empty() ? 0 : routeStatement.back() + 1;
    std::vector<size_t> order(inf.routes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return ir::globSpecificity(inf.routes[a].modelGlob) < ir::globSpecificity(inf.routes[b].modelGlob);
    });
    // Built from the least specific up, so that the most specific matching route is tested first.
    z3::expr out = ctx_.int_val(-1);
    for (size_t i : order)
      out = z3::ite(globMatches(inf.routes[i].modelGlob) && skip != routeStatement[i], ctx_.int_val(targetIndex(inf.routes[i])), out);
    std::vector<z3::expr> denies;
    for (size_t i = 0; i < inf.denies.size(); ++i)
      denies.push_back(globMatches(inf.denies[i].modelGlob) && skip != denyOffset + denyStatement[i]);
    return z3::ite(anyOf(ctx_, denies), ctx_.int_val(-1), out);
  }

  z3::expr permits(const ir::Policy &policy, const ir::Request *pattern) const override {
    z3::expr d = decision(policy, ctx_.int_val(-1));
    if (!pattern || pattern->provider.empty()) return d >= 0;
    std::vector<z3::expr> to;
    for (size_t i = 0; i < targets_.size(); ++i)
      if (targets_[i].first == pattern->provider) to.push_back(d == static_cast<int>(i));
    return anyOf(ctx_, to);
  }
  z3::expr refuses(const ir::Policy &policy, const ir::Request *pattern) const override {
    return !permits(policy, pattern);
  }

  bool describes(const ir::Request &pattern) const override { return pattern.kind == ir::Request::Kind::Route; }
  z3::expr pattern(const ir::Request &pattern) const override { return globMatches(pattern.model); }

  std::string text(const z3::model &model) const override { return "route \"" + decode(model) + "\""; }

  Recheck recheck(const z3::model &model, const ir::Policy &policy, const ir::Request *pattern) const override {
    ir::RouteDecision d = ir::evaluateRoute(policy.inference, decode(model));
    bool routed = d.route && (!pattern || pattern->provider.empty() || d.route->provider == pattern->provider);
    Recheck out{routed, !routed, d.route ? "route => " + d.route->provider : "deny", {}};
    for (const ir::ModelDeny *deny : d.denies) out.deciding.push_back(&deny->id);
    for (const ir::Route *route : d.deciding) out.deciding.push_back(&route->id);
    return out;
  }

  std::optional<z3::expr> request(const std::string &model) const {
    for (size_t i = 0; i < names_.size(); ++i)
      if (std::all_of(globs_.begin(), globs_.end(),
                      [&](auto &g) { return ir::matchModelGlob(g, names_[i]) == ir::matchModelGlob(g, model); }))
        return model_ == ctx_.num_val(static_cast<int>(i), model_.get_sort());
    return std::nullopt;
  }

private:
  static std::pair<std::string, std::string> target(const ir::Route &route) { return {route.provider, route.rewrite}; }
  int targetIndex(const ir::Route &route) const {
    return static_cast<int>(std::find(targets_.begin(), targets_.end(), target(route)) - targets_.begin());
  }
  // The names a glob matches lie among those (sorted) that start with its literal prefix,
  // so a policy of many routes does not match every glob against every name. Memoised:
  // the statements, the decision and the footprints all ask about each glob.
  const std::vector<size_t> &namesMatching(const std::string &glob) const {
    auto known = namesMatching_.find(glob);
    if (known != namesMatching_.end()) return known->second;
    std::string prefix = glob.substr(0, glob.find_first_of("*?"));
    std::vector<size_t> out;
    for (size_t i = std::lower_bound(names_.begin(), names_.end(), prefix) - names_.begin();
         i < names_.size() && names_[i].compare(0, prefix.size(), prefix) == 0; ++i)
      if (ir::matchModelGlob(glob, names_[i])) out.push_back(i);
    return namesMatching_.emplace(glob, std::move(out)).first->second;
  }
  z3::expr globMatches(const std::string &glob) const { return oneOf(model_, namesMatching(glob)); }
  Footprint globWhere(const std::string &glob) const { return footprintOf(namesMatching(glob)); }
  std::string decode(const z3::model &model) const { return names_[chosen(model, model_)]; }

  z3::expr model_;
  std::vector<std::string> globs_, names_;
  std::vector<std::pair<std::string, std::string>> targets_;
  mutable std::map<std::string, std::vector<size_t>> namesMatching_;
};

}  // namespace

std::unique_ptr<Layer> inferenceLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies) {
  return std::make_unique<InferenceLayer>(ctx, policies);
}

std::optional<z3::expr> modelRequest(const Layer &layer, const std::string &model) {
  return static_cast<const InferenceLayer &>(layer).request(model);
}

}  // namespace shellc::verify::smt
