#include "frontend/check.h"

#include <algorithm>

#include "frontend/checker.h"
#include "frontend/constants.h"
#include "frontend/parser.h"

namespace shellc {

namespace {
const std::vector<std::pair<std::string_view, ParamType>> kParamTypes = {
    {"string", ParamType::String}, {"int", ParamType::Int},       {"bool", ParamType::Bool},
    {"path", ParamType::Path},     {"host", ParamType::Host},     {"port", ParamType::Port},
    {"size", ParamType::Size},     {"duration", ParamType::Duration}, {"cidr", ParamType::Cidr},
    {"url", ParamType::Url}};

const char *kBuiltinRoots[] = {"workspace", "home"};
}  // namespace

std::string withArticle(std::string_view noun) {
  bool vowel = !noun.empty() && std::string_view("aeiou").find(noun[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

const char *paramTypeName(ParamType type) {
  for (auto &[name, t] : kParamTypes)
    if (t == type) return name.data();
  return "?";
}

const std::vector<Span> &Checker::chainOf(FileId file) const {
  static const std::vector<Span> none;
  for (const LoadedModule &m : modules_)
    if (m.ast->file == file) return m.chain;
  return none;
}

ir::RuleId Checker::ruleId(const std::optional<ast::RuleName> &name, Span span) {
  ir::RuleId id;
  if (name) id.name = name->name;
  id.file = sources_.name(span.file);
  id.line = sources_.lineCol(span.file, span.begin).line;
  id.span = span;
  return id;
}

bool Checker::oneOf(const ast::Value &word, const std::vector<std::string_view> &choices,
                    std::string_view what) {
  if (std::find(choices.begin(), choices.end(), word.text) != choices.end()) return true;
  Diagnostic &d = error("unknown-word", word.span,
                        "unknown " + std::string(what) + " '" + word.text + "'");
  std::string guess = didYouMean(word.text, choices);
  if (guess.empty()) {
    guess = "one of: ";
    for (size_t i = 0; i < choices.size(); ++i) guess += (i ? ", " : "") + std::string(choices[i]);
  }
  d.withHint(guess);
  return false;
}

std::optional<ast::Setting> Checker::setting(ast::Layer layer, std::string_view key) {
  std::optional<ast::Setting> found;
  const ast::Block *foundIn = nullptr;
  forEachModule([&](const ast::Module &m) {
    for (const ast::Block &b : m.blocks) {
      if (b.layer != layer) continue;
      for (const ast::Setting &s : b.settings) {
        if (s.key != key) continue;
        if (!found) {
          found = s;
          foundIn = &b;
          continue;
        }
        auto texts = [](const ast::Setting &x) {
          std::vector<std::string> t;
          for (auto &v : x.values) t.push_back(v.text);
          std::sort(t.begin(), t.end());
          return t;
        };
        if (texts(*found) != texts(s)) {
          Diagnostic &d = error("conflicting-setting", s.span,
                                "conflicting '" + std::string(key) + "': " +
                                    (foundIn == &b ? "this block sets it differently above"
                                                   : "another block of this layer sets it differently"));
          d.withNote(found->span, "first set here");
          addImportNotes(d, sources_, chainOf(s.span.file));
        }
      }
    }
  });
  return found;
}

bool Checker::checkTyped(ParamType type, const std::string &text, Span span, std::string_view what) {
  ValueError e;
  bool ok = true;
  switch (type) {
  case ParamType::String: break;
  case ParamType::Int: {
    uint64_t v;
    ok = parseUnsigned(text, v, e);
    break;
  }
  case ParamType::Bool:
    ok = text == "true" || text == "false";
    if (!ok) e = {"'" + text + "' is not a bool", "write true or false"};
    break;
  case ParamType::Path: {
    ir::Path p;
    ok = parsePath(text, p, e);
    break;
  }
  case ParamType::Host: {
    ir::HostPattern h;
    ok = parseHostPattern(text, h, e);
    break;
  }
  case ParamType::Port: {
    uint16_t p;
    ok = parsePort(text, p, e);
    break;
  }
  case ParamType::Size: {
    uint64_t b;
    ok = parseSize(text, b, e);
    break;
  }
  case ParamType::Duration: {
    uint64_t ms;
    ok = parseDuration(text, ms, e);
    break;
  }
  case ParamType::Cidr: {
    ir::HostPattern h;
    ok = parseCidr(text, h, e);
    break;
  }
  case ParamType::Url: ok = checkUrl(text, e); break;
  }
  if (!ok) {
    e.message = std::string(what) + ": " + e.message;
    report("invalid-value", span, e);
  }
  return ok;
}

void Checker::checkParams() {
  for (const LoadedModule &m : modules_) {
    for (const ast::Param &p : m.ast->params) {
      auto clash = params_.find(p.name.text);
      if (clash != params_.end()) {
        Diagnostic &d = error("duplicate-param", p.name.span, "parameter '" + p.name.text + "' is declared twice");
        d.withNote(clash->second.decl->name.span, "first declared here");
        addImportNotes(d, sources_, m.chain);
        continue;
      }
      if (std::find(std::begin(kBuiltinRoots), std::end(kBuiltinRoots), p.name.text) != std::end(kBuiltinRoots)) {
        error("reserved-name", p.name.span, "'" + p.name.text + "' is a start-up value and cannot be a parameter");
        continue;
      }
      std::vector<std::string_view> typeNames;
      std::optional<ParamType> type;
      for (auto &[name, t] : kParamTypes) {
        typeNames.push_back(name);
        if (name == p.type.text) type = t;
      }
      if (!type) {
        oneOf(p.type, typeNames, "parameter type");
        continue;
      }
      ParamInfo info{&p, *type, std::nullopt};
      auto defined = options_.defines.find(p.name.text);
      if (defined != options_.defines.end()) {
        if (checkTyped(*type, defined->second, Span{}, "-D " + p.name.text))
          info.value = Resolved{defined->second, ast::Value::Kind::String, Span{}, true};
      } else if (p.defaultValue) {
        if (checkTyped(*type, p.defaultValue->text, p.defaultValue->span, "default of '" + p.name.text + "'"))
          info.value = Resolved{p.defaultValue->text, p.defaultValue->kind, p.defaultValue->span, true};
      } else {
        error("missing-param", p.name.span, "parameter '" + p.name.text + "' has no default and no value")
            .withHint("give it one with -D " + p.name.text + "=VALUE");
      }
      if (info.value) policy_.params[p.name.text] = info.value->text;
      params_.emplace(p.name.text, info);
    }
  }
}

std::set<std::string> Checker::declaredParams() const {
  std::set<std::string> names;
  for (auto &[name, info] : params_) names.insert(name);
  return names;
}

std::optional<Resolved> Checker::resolve(const ast::Value &value,
                                         std::initializer_list<ParamType> expected,
                                         std::string_view what) {
  if (value.kind != ast::Value::Kind::Ident) return Resolved{value.text, value.kind, value.span};
  bool pathContext = std::find(expected.begin(), expected.end(), ParamType::Path) != expected.end();
  if (pathContext && (value.text == "workspace" || value.text == "home"))
    return Resolved{value.text, value.kind, value.span, false, true};
  auto it = params_.find(value.text);
  if (it == params_.end()) {
    std::vector<std::string_view> names;
    for (auto &[name, info] : params_) names.push_back(name);
    if (pathContext) names.insert(names.end(), std::begin(kBuiltinRoots), std::end(kBuiltinRoots));
    Diagnostic &d = error("unknown-name", value.span, "unknown parameter '" + value.text + "'");
    std::string guess = didYouMean(value.text, names);
    bool stringForm = std::any_of(expected.begin(), expected.end(), [](ParamType t) {
      return t == ParamType::String || t == ParamType::Path || t == ParamType::Host || t == ParamType::Url;
    });
    d.withHint(!guess.empty() ? guess
                              : "declare it with `param " + value.text + ": " + paramTypeName(*expected.begin()) +
                                    " = VALUE`" + (stringForm ? ", or write the " + std::string(what) + " as a string" : ""));
    return std::nullopt;
  }
  const ParamInfo &info = it->second;
  if (std::find(expected.begin(), expected.end(), info.type) == expected.end()) {
    error("type-mismatch", value.span,
          "parameter '" + value.text + "' is " + withArticle(paramTypeName(info.type)) + ", but " +
              withArticle(what) + " is expected here")
        .withNote(info.decl->span, "declared here");
    return std::nullopt;
  }
  if (!info.value) return std::nullopt;  // already reported
  Resolved r = *info.value;
  r.span = value.span;
  r.fromParam = true;
  return r;
}

std::optional<ir::Path> Checker::path(const ast::PathExpr &expr) {
  auto base = resolve(expr.base, {ParamType::Path}, "path");
  if (!base) return std::nullopt;
  ir::Path p;
  ValueError e;
  if (base->builtin) {
    p.root = base->text == "workspace" ? ir::PathRoot::Workspace : ir::PathRoot::Home;
  } else if (!parsePath(base->text, p, e)) {
    report("invalid-path", base->span, e);
    return std::nullopt;
  }
  for (const ast::Value &part : expr.parts) {
    if (!checkRelativePart(part.text, e)) {
      report("invalid-path", part.span, e);
      return std::nullopt;
    }
    joinPath(p, part.text);
  }
  return p;
}

std::optional<ArchValues> Checker::integer(const ast::IntExpr &expr, std::string_view constantPrefix) {
  ArchValues result = ArchValues::same(0);
  bool ok = true;
  for (const ast::IntAtom &atom : expr.atoms) {
    ArchValues v;
    ValueError e;
    if (atom.value.kind == ast::Value::Kind::Int) {
      uint64_t n;
      if (!parseUnsigned(atom.value.text, n, e)) {
        report("invalid-value", atom.value.span, e);
        ok = false;
        continue;
      }
      v = ArchValues::same(n);
    } else if (auto c = lookupConstant(atom.value.text)) {
      v = *c;
    } else if (params_.count(atom.value.text)) {
      auto param = resolve(atom.value, {ParamType::Int}, "number");
      uint64_t n;
      if (!param || !parseUnsigned(param->text, n, e)) {
        ok = false;
        continue;
      }
      v = ArchValues::same(n);
    } else {
      Diagnostic &d = error("unknown-constant", atom.value.span, "unknown constant '" + atom.value.text + "'");
      std::string guess = didYouMean(atom.value.text, constantNames(constantPrefix));
      if (guess.empty() && !constantPrefix.empty()) guess = didYouMean(atom.value.text, constantNames());
      if (!guess.empty()) d.withHint(guess);
      ok = false;
      continue;
    }
    for (size_t i = 0; i < v.byArch.size(); ++i) {
      if (!v.byArch[i] || !result.byArch[i]) {
        result.byArch[i].reset();
        continue;
      }
      uint64_t x = *v.byArch[i];
      if (atom.negative) x = ~x + 1;  // two's complement on 64 bits, as the kernel sees it
      *result.byArch[i] |= x;
    }
  }
  if (!ok) return std::nullopt;
  if (!result.byArch[0] && !result.byArch[1]) {
    error("unknown-constant", expr.span, "no architecture defines this value");
    return std::nullopt;
  }
  return result;
}

void Checker::checkNames() {
  struct Seen {
    Span span;
    FileId file;
  };
  std::map<std::string, Seen> ruleNames, providers, tests;
  auto claim = [&](std::map<std::string, Seen> &seen, const std::string &name, Span span,
                   std::string_view what) {
    auto [it, inserted] = seen.emplace(name, Seen{span, span.file});
    if (inserted) return;
    Diagnostic &d = error("duplicate-name", span, std::string(what) + " '" + name + "' is defined twice");
    d.withNote(it->second.span, "first defined here");
    addImportNotes(d, sources_, chainOf(span.file));
  };
  forEachModule([&](const ast::Module &m) {
    auto named = [&](const std::optional<ast::RuleName> &n) {
      if (n) claim(ruleNames, n->name, n->span, "rule name");
    };
    for (auto &r : m.fsRules) named(r.name);
    for (auto &r : m.syscallRules) named(r.name);
    for (auto &r : m.networkRules) named(r.name);
    for (auto &r : m.routes) named(r.name);
    for (auto &r : m.modelDenies) named(r.name);
    for (auto &r : m.asserts) named(r.name);
    for (auto &p : m.providers) claim(providers, p.name.text, p.name.span, "provider");
    for (auto &t : m.tests) claim(tests, t.name.text, t.name.span, "test");
  });
}

void Checker::run() {
  const ast::Module &root = *modules_.front().ast;
  if (root.policyName) policy_.name = root.policyName->text;
  for (const LoadedModule &m : modules_) {
    policy_.files.push_back(sources_.name(m.ast->file));
  }
  checkParams();
  checkNames();
  checkFilesystem();
  checkProcess();
  checkSyscalls();
  checkNetwork();
  checkInference();
  checkAsserts();
  checkTests();
}

namespace {
// Loads and checks the policy rooted at `path`; `then` runs with the checker once it has.
CheckOutput check(const std::string &path, const CheckOptions &options, SourceManager &sources,
                  DiagnosticEngine &diags, const std::function<void(Checker &)> &then) {
  CheckOutput out;
  size_t before = diags.errorCount();
  std::vector<LoadedModule> modules;
  ModuleLoader loader(sources, diags, options.stdlibDir);
  if (!loader.load(path, modules) || modules.empty()) return out;
  Checker checker(sources, diags, options, modules, out.policy);
  checker.run();
  then(checker);
  out.declaredParams = checker.declaredParams();
  out.ok = diags.errorCount() == before;
  return out;
}
}  // namespace

CheckOutput checkPolicyFile(const std::string &path, const CheckOptions &options,
                            SourceManager &sources, DiagnosticEngine &diags) {
  return check(path, options, sources, diags, [](Checker &) {});
}

CheckOutput checkPolicyAndRequest(const std::string &path, std::string_view request,
                                  const CheckOptions &options, SourceManager &sources,
                                  DiagnosticEngine &diags, std::vector<ir::Request> &requests) {
  return check(path, options, sources, diags, [&](Checker &checker) {
    FileId file = sources.addBuffer("<request>", std::string(request));
    if (auto parsed = parseRequest(sources, file, diags)) requests = checker.checkRequest(*parsed, true);
  });
}

}  // namespace shellc
