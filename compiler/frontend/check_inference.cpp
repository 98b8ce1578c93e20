#include <algorithm>
#include <map>

#include "frontend/checker.h"
#include "ir/glob.h"

namespace shellc {

void Checker::checkInference() {
  ir::Inference &inf = policy_.inference;
  const std::vector<std::string_view> properties = {"endpoint", "api", "key", "timeout"};
  forEachModule([&](const ast::Module &m) {
    for (const ast::Provider &p : m.providers) {
      ir::Provider out;
      out.id = ruleId(std::nullopt, p.span);
      out.name = p.name.text;
      std::map<std::string, Span> seen;
      bool ok = true;
      for (const ast::ProviderProperty &prop : p.properties) {
        if (!oneOf(prop.key, properties, "provider property")) {
          ok = false;
          continue;
        }
        auto [it, inserted] = seen.emplace(prop.key.text, prop.span);
        if (!inserted) {
          error("duplicate-statement", prop.span, "'" + prop.key.text + "' is given twice")
              .withNote(it->second, "first given here");
          ok = false;
          continue;
        }
        ValueError e;
        if (prop.key.text == "endpoint") {
          auto url = resolve(prop.values[0], {ParamType::Url, ParamType::String}, "URL");
          if (!url || !checkUrl(url->text, e)) {
            if (url) report("invalid-url", url->span, e);
            ok = false;
          } else {
            out.endpoint = url->text;
          }
        } else if (prop.key.text == "api") {
          if (oneOf(prop.values[0], {"openai", "anthropic"}, "API style")) out.api = prop.values[0].text;
          else ok = false;
        } else if (prop.key.text == "timeout") {
          auto t = resolve(prop.values[0], {ParamType::Duration}, "duration");
          if (!t || !parseDuration(t->text, out.timeoutMs, e)) {
            if (t) report("invalid-value", t->span, e);
            ok = false;
          }
        } else {
          if (!oneOf(prop.values[0], {"env", "file"}, "key source")) {
            ok = false;
            continue;
          }
          const ast::Value &where = prop.values[1];
          if (prop.values[0].text == "env") {
            if (!checkEnvName(where.text, e)) {
              report("invalid-value", where.span, e);
              ok = false;
            }
            out.keySource = ir::Provider::KeySource::Env;
          } else {
            ir::Path path;
            if (!parsePath(where.text, path, e)) {
              report("invalid-path", where.span, e);
              ok = false;
            }
            out.keySource = ir::Provider::KeySource::File;
          }
          out.key = where.text;
        }
      }
      if (!seen.count("endpoint")) {
        error("missing-property", p.name.span, "provider '" + p.name.text + "' has no endpoint")
            .withHint("add `endpoint \"https://…\"`");
        ok = false;
      }
      if (!seen.count("api")) {
        error("missing-property", p.name.span, "provider '" + p.name.text + "' has no api")
            .withHint("add `api openai` or `api anthropic`");
        ok = false;
      }
      if (ok) inf.providers.push_back(std::move(out));
    }
  });

  std::vector<std::string_view> providerNames;
  forEachModule([&](const ast::Module &m) {
    for (const ast::Provider &p : m.providers) providerNames.push_back(p.name.text);
  });
  forEachModule([&](const ast::Module &m) {
    for (const ast::Route &r : m.routes) {
      bool known = std::find(providerNames.begin(), providerNames.end(), r.provider.text) != providerNames.end();
      if (!known) {
        Diagnostic &d = error("unknown-provider", r.provider.span, "unknown provider '" + r.provider.text + "'");
        std::string guess = didYouMean(r.provider.text, providerNames);
        d.withHint(!guess.empty() ? guess : "declare it with `provider " + r.provider.text + " { … }`");
      }
      ValueError e;
      if (r.rewrite && !checkModelGlob(r.rewrite->text, e)) report("invalid-model", r.rewrite->span, e);
      else if (r.rewrite && r.rewrite->text.find_first_of("*?") != std::string::npos)
        error("invalid-model", r.rewrite->span, "a rewrite names one model, not a pattern");
      for (const ast::Value &model : r.models) {
        if (!checkModelGlob(model.text, e)) {
          report("invalid-model", model.span, e);
          continue;
        }
        if (known) inf.routes.push_back({ruleId(r.name, r.span), model.text, r.provider.text,
                                         r.rewrite ? r.rewrite->text : ""});
      }
    }
    for (const ast::ModelDeny &d : m.modelDenies) {
      for (const ast::Value &model : d.models) {
        ValueError e;
        if (!checkModelGlob(model.text, e)) report("invalid-model", model.span, e);
        else inf.denies.push_back({ruleId(d.name, d.span), model.text});
      }
    }
  });

  // Order never matters, so two routes that could both claim a model must be told apart
  // by specificity; equal specificity to different providers is an error.
  // Only routes of equal specificity to different targets can be ambiguous, so compare
  // across targets within each specificity: one provider means no comparisons at all.
  using Target = std::pair<std::string, std::string>;  // provider, rewrite
  std::map<size_t, std::map<Target, std::vector<const ir::Route *>>> groups;
  for (const ir::Route &r : inf.routes)
    groups[ir::globSpecificity(r.modelGlob)][{r.provider, r.rewrite}].push_back(&r);
  for (auto &[specificity, targets] : groups) {
    for (auto first = targets.begin(); first != targets.end(); ++first) {
      for (auto second = std::next(first); second != targets.end(); ++second) {
        for (const ir::Route *a : first->second) {
          for (const ir::Route *b : second->second) {
            if (!ir::globsOverlap(a->modelGlob, b->modelGlob)) continue;
            const ir::Route *later = a->id.span.begin > b->id.span.begin ? a : b;
            const ir::Route *other = later == a ? b : a;
            error("ambiguous-route", later->id.span,
                  "routes \"" + other->modelGlob + "\" and \"" + later->modelGlob +
                      "\" can match the same model with the same specificity")
                .withNote(other->id.span, "the other route")
                .withHint(a->provider == b->provider ? "make one pattern more specific, or give both the same rewrite"
                                                     : "make one pattern more specific, or route both to the same provider");
          }
        }
      }
    }
  }
}

}  // namespace shellc
