#include <algorithm>
#include <map>
#include <optional>

#include "frontend/checker.h"
#include "ir/glob.h"

namespace shellc {

namespace {

// `key env "NAME"` or `key file "PATH"`.
bool providerKey(Checker &c, const ast::ProviderProperty &prop, ir::Provider &out) {
  if (!c.oneOf(prop.values[0], {"env", "file"}, "key source")) return false;
  const ast::Value &where = prop.values[1];
  ValueError e;
  bool ok = true;
  if (prop.values[0].text == "env") {
    if (!checkEnvName(where.text, e)) c.report("invalid-value", where.span, e), ok = false;
    out.keySource = ir::Provider::KeySource::Env;
  } else {
    ir::Path path;
    if (!parsePath(where.text, path, e)) c.report("invalid-path", where.span, e), ok = false;
    out.keySource = ir::Provider::KeySource::File;
  }
  out.key = where.text;
  out.keyOptional = prop.values.size() > 2;
  return ok;
}

// One property of a provider, its key known to be one of the four.
bool providerProperty(Checker &c, const ast::ProviderProperty &prop, ir::Provider &out) {
  ValueError e;
  if (prop.key.text == "endpoint") {
    auto url = c.resolve(prop.values[0], {ParamType::Url, ParamType::String}, "URL");
    if (url && checkUrl(url->text, e)) return out.endpoint = url->text, true;
    if (url) c.report("invalid-url", url->span, e);
    return false;
  }
  if (prop.key.text == "api") {
    if (!c.oneOf(prop.values[0], {"openai", "anthropic"}, "API style")) return false;
    out.api = prop.values[0].text;
    return true;
  }
  if (prop.key.text == "timeout") {
    auto t = c.resolve(prop.values[0], {ParamType::Duration}, "duration");
    if (t && parseDuration(t->text, out.timeoutMs, e)) return true;
    if (t) c.report("invalid-value", t->span, e);
    return false;
  }
  return providerKey(c, prop, out);
}

std::optional<ir::Provider> provider(Checker &c, const ast::Provider &p) {
  const std::vector<std::string_view> properties = {"endpoint", "api", "key", "timeout"};
  ir::Provider out;
  out.id = c.ruleId(std::nullopt, p.span);
  out.name = p.name.text;
  std::map<std::string, Span> seen;
  bool ok = true;
  for (const ast::ProviderProperty &prop : p.properties) {
    if (!c.oneOf(prop.key, properties, "provider property")) {
      ok = false;
      continue;
    }
    auto [it, inserted] = seen.emplace(prop.key.text, prop.span);
    if (!inserted) {
      c.error("duplicate-statement", prop.span, "'" + prop.key.text + "' is given twice")
          .withNote(it->second, "first given here");
      ok = false;
      continue;
    }
    ok = providerProperty(c, prop, out) && ok;
  }
  for (auto [property, hint] : {std::pair{"endpoint", "add `endpoint \"https://…\"`"},
                                std::pair{"api", "add `api openai` or `api anthropic`"}}) {
    if (seen.count(property)) continue;
    c.error("missing-property", p.name.span, "provider '" + p.name.text + "' has no " + property).withHint(hint);
    ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

void routes(Checker &c, const ast::Module &m, const std::vector<std::string_view> &providerNames) {
  for (const ast::Route &r : m.routes) {
    bool known = std::find(providerNames.begin(), providerNames.end(), r.provider.text) != providerNames.end();
    if (!known) {
      Diagnostic &d = c.error("unknown-provider", r.provider.span, "unknown provider '" + r.provider.text + "'");
      std::string guess = didYouMean(r.provider.text, providerNames);
      d.withHint(!guess.empty() ? guess : "declare it with `provider " + r.provider.text + " { … }`");
    }
    ValueError e;
    if (r.rewrite && !checkModelGlob(r.rewrite->text, e)) c.report("invalid-model", r.rewrite->span, e);
    else if (r.rewrite && r.rewrite->text.find_first_of("*?") != std::string::npos)
      c.error("invalid-model", r.rewrite->span, "a rewrite names one model, not a pattern");
    for (const ast::Value &model : r.models) {
      if (!checkModelGlob(model.text, e)) {
        c.report("invalid-model", model.span, e);
        continue;
      }
      if (known)
        c.policy_.inference.routes.push_back(
            {c.ruleId(r.name, r.span), model.text, r.provider.text, r.rewrite ? r.rewrite->text : ""});
    }
  }
}

void modelDenies(Checker &c, const ast::Module &m) {
  for (const ast::ModelDeny &d : m.modelDenies) {
    for (const ast::Value &model : d.models) {
      ValueError e;
      if (!checkModelGlob(model.text, e)) c.report("invalid-model", model.span, e);
      else c.policy_.inference.denies.push_back({c.ruleId(d.name, d.span), model.text});
    }
  }
}

// `limit tokens N`, `limit requests N`: one cap of each measure per scope (the session, or
// one provider). A count, as the process limits' counts are.
void budgets(Checker &c, const ast::Module &m, std::map<std::pair<std::string, std::string>, Span> &seen) {
  constexpr uint64_t kMaxCap = 1ull << 53;  // exact in every JSON reader
  for (const ast::Budget &b : m.budgets) {
    std::vector<std::string_view> words;
    for (const ir::MeasureWord &m : ir::kMeasureWords) words.push_back(m.word);
    if (!c.oneOf(b.measure, words, "budget measure")) continue;
    std::string scope = b.provider ? b.provider->text : "";
    auto [it, inserted] = seen.emplace(std::pair{scope, b.measure.text}, b.span);
    if (!inserted) {
      c.error("duplicate-statement", b.span,
              "a second " + b.measure.text + " budget for " + (scope.empty() ? "the session" : "provider '" + scope + "'"))
          .withNote(it->second, "the first");
      continue;
    }
    auto amount = c.resolve(b.amount, {ParamType::Int}, "count");
    if (!amount) continue;
    uint64_t cap = 0;
    ValueError e;
    bool ok = false;
    if (amount->kind == ast::Value::Kind::Quantity) e = {"a budget is a count, not a quantity", "write a plain number"};
    else if (!parseUnsigned(amount->text, cap, e)) {}
    else if (cap > kMaxCap) e = {"a budget is at most 2^53", ""};
    else ok = true;
    if (!ok) {
      c.report("invalid-value", amount->span, e);
      continue;
    }
    auto measure = std::find_if(ir::kMeasureWords.begin(), ir::kMeasureWords.end(),
                                [&](const ir::MeasureWord &m) { return b.measure.text == m.word; })->measure;
    c.policy_.inference.budgets.push_back({c.ruleId(b.name, b.span), measure, scope, cap});
  }
}

// Order never matters, so two routes that could both claim a model must be told apart
// by specificity; equal specificity to different providers is an error. Only routes of
// equal specificity to different targets can be ambiguous, so compare across targets within
// each specificity: one provider means no comparisons at all.
void reportAmbiguousRoutes(Checker &c, const std::vector<ir::Route> &routes) {
  using Target = std::pair<std::string, std::string>;  // provider, rewrite
  std::map<size_t, std::map<Target, std::vector<const ir::Route *>>> groups;
  for (const ir::Route &r : routes) groups[ir::globSpecificity(r.modelGlob)][{r.provider, r.rewrite}].push_back(&r);
  auto report = [&](const ir::Route *a, const ir::Route *b) {
    const ir::Route *later = a->id.span.begin > b->id.span.begin ? a : b;
    const ir::Route *other = later == a ? b : a;
    c.error("ambiguous-route", later->id.span,
            "routes \"" + other->modelGlob + "\" and \"" + later->modelGlob +
                "\" can match the same model with the same specificity")
        .withNote(other->id.span, "the other route")
        .withHint(a->provider == b->provider ? "make one pattern more specific, or give both the same rewrite"
                                             : "make one pattern more specific, or route both to the same provider");
  };
  for (auto &[specificity, targets] : groups)
    for (auto first = targets.begin(); first != targets.end(); ++first)
      for (auto second = std::next(first); second != targets.end(); ++second)
        for (const ir::Route *a : first->second)
          for (const ir::Route *b : second->second)
            if (ir::globsOverlap(a->modelGlob, b->modelGlob)) report(a, b);
}

}  // namespace

void Checker::checkInference() {
  std::vector<std::string_view> providerNames;
  forEachModule([&](const ast::Module &m) {
    for (const ast::Provider &p : m.providers) {
      providerNames.push_back(p.name.text);
      if (auto out = provider(*this, p)) policy_.inference.providers.push_back(std::move(*out));
    }
  });
  std::map<std::pair<std::string, std::string>, Span> budgetsSeen;
  forEachModule([&](const ast::Module &m) {
    routes(*this, m, providerNames);
    modelDenies(*this, m);
    budgets(*this, m, budgetsSeen);
  });
  reportAmbiguousRoutes(*this, policy_.inference.routes);
}

}  // namespace shellc
