// Requests in `assert` (patterns allowed) and `test` (concrete) statements.
#include <algorithm>

#include "frontend/checker.h"

namespace shellc {

namespace {

bool hasGlob(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

// A test's request names one of everything; an assert's may name patterns.
void notConcrete(Checker &c, Span span, const std::string &what) {
  c.error("pattern-in-test", span, "a test request names one " + what + ", not a pattern")
      .withHint("patterns belong in `assert`");
}

std::vector<ir::Request> fileRequest(Checker &c, const ast::Request &r, ir::Request out) {
  auto bits = accessBits(c, {r.verb});
  auto p = c.path(*r.path);
  if (!bits || !p) return {};
  out.access = *bits;
  out.path = *p;
  return {out};
}

// A syscall request whose constants differ between architectures becomes one per arch.
std::vector<ir::Request> syscallRequest(Checker &c, const ast::Request &r, bool concrete, ir::Request out) {
  auto info = resolveSyscall(c, r.verb);
  if (!info) return {};
  out.syscall = r.verb.text;
  out.syscallNumbers = info->numbers;
  if (r.syscallArgs.size() > info->argNames.size()) {
    c.error("too-many-arguments", r.span,
            "'" + r.verb.text + "' takes " + std::to_string(info->argNames.size()) +
                (info->argNames.size() == 1 ? " argument" : " arguments"));
    return {};
  }
  bool ok = true;
  std::vector<std::optional<ArchValues>> args;
  for (const auto &arg : r.syscallArgs) {
    if (!arg) {
      if (concrete) {
        notConcrete(c, r.span, "argument value");
        ok = false;
      }
      args.push_back(std::nullopt);
      continue;
    }
    auto v = c.integer(*arg);
    if (!v) ok = false;
    args.push_back(v);
  }
  if (!ok) return {};
  for (size_t i = 0; i < out.argMasks.size(); ++i) out.argMasks[i] = widthMask(info->argWidths[i]);
  bool uniform = std::all_of(args.begin(), args.end(), [](auto &a) { return !a || a->uniform(); });
  std::vector<ir::Request> out2;
  std::vector<std::optional<ir::Arch>> arches{std::nullopt};
  if (!uniform) arches.assign(c.policy_.syscalls.arches.begin(), c.policy_.syscalls.arches.end());
  for (std::optional<ir::Arch> arch : arches) {
    ir::Request variant = out;
    variant.arch = arch;
    bool exists = true;
    for (auto &a : args) {
      std::optional<uint64_t> v = a ? (arch ? a->on(*arch) : a->byArch[0]) : std::nullopt;
      if (a && !v) exists = false;  // a constant this arch lacks: no such request there
      variant.args.push_back(v);
    }
    if (exists) out2.push_back(std::move(variant));
  }
  return out2;
}

std::vector<ir::Request> connectRequest(Checker &c, const ast::Request &r, bool concrete, ir::Request out) {
  if (!c.hostEndpoint(*r.endpoint, out.host, out.ports, concrete ? "a test request names one port" : nullptr))
    return {};
  if (r.endpoint->anyPort) out.ports.clear();
  std::vector<std::string> binaries, methods, paths;
  if (!networkClauses(c, r.clauses, binaries, methods, paths)) return {};
  if (binaries.size() > 1 || methods.size() > 1 || paths.size() > 1) {
    c.error("invalid-request", r.span, "a request has one binary, one method and one path")
        .withHint("write one request per combination");
    return {};
  }
  if (!binaries.empty()) out.binary = binaries[0];
  if (!methods.empty()) out.method = methods[0];
  if (!paths.empty()) out.httpPath = paths[0];
  if (concrete) {
    bool oneHost = out.host.kind == ir::HostPattern::Kind::Exact ||
                   (out.host.kind == ir::HostPattern::Kind::Cidr && out.host.prefix == 128);
    if (!oneHost) notConcrete(c, r.endpoint->host.span, "host");
    if (out.ports.size() != 1 || out.ports[0].low != out.ports[0].high)
      notConcrete(c, r.endpoint->span, "port");
    if (hasGlob(out.binary) || hasGlob(out.httpPath)) notConcrete(c, r.span, "binary and path");
    if (!oneHost || out.ports.size() != 1 || out.ports[0].low != out.ports[0].high ||
        hasGlob(out.binary) || hasGlob(out.httpPath))
      return {};
  }
  return {out};
}

std::vector<ir::Request> routeRequest(Checker &c, const ast::Request &r, bool concrete,
                                      const std::vector<std::string_view> &providers, ir::Request out) {
  ValueError e;
  if (!checkModelGlob(r.verb.text, e)) {
    c.report("invalid-model", r.verb.span, e);
    return {};
  }
  if (concrete && hasGlob(r.verb.text)) {
    notConcrete(c, r.verb.span, "model");
    return {};
  }
  out.model = r.verb.text;
  if (r.provider) {
    if (std::find(providers.begin(), providers.end(), r.provider->text) == providers.end()) {
      Diagnostic &d = c.error("unknown-provider", r.provider->span, "unknown provider '" + r.provider->text + "'");
      std::string guess = didYouMean(r.provider->text, providers);
      d.withHint(!guess.empty() ? guess : "declare it in the inference block");
      return {};
    }
    out.provider = r.provider->text;
  }
  return {out};
}

// Checks a request; `concrete` demands one value for everything (a test's request).
std::vector<ir::Request> request(Checker &c, const ast::Request &r, bool concrete,
                                 const std::vector<std::string_view> &providers) {
  ir::Request out;
  out.span = r.span;
  switch (r.kind) {
  case ast::Request::Kind::File: out.kind = ir::Request::Kind::File; return fileRequest(c, r, out);
  case ast::Request::Kind::Syscall: out.kind = ir::Request::Kind::Syscall; return syscallRequest(c, r, concrete, out);
  case ast::Request::Kind::Connect: out.kind = ir::Request::Kind::Connect; return connectRequest(c, r, concrete, out);
  case ast::Request::Kind::Route:
    out.kind = ir::Request::Kind::Route;
    return routeRequest(c, r, concrete, providers, out);
  }
  return {};
}

std::vector<std::string_view> providerNames(const ir::Policy &policy) {
  std::vector<std::string_view> names;
  for (const ir::Provider &p : policy.inference.providers) names.push_back(p.name);
  return names;
}

}  // namespace

std::vector<ir::Request> Checker::checkRequest(const ast::Request &r, bool concrete) {
  return request(*this, r, concrete, providerNames(policy_));
}

void Checker::checkAsserts() {
  auto providers = providerNames(policy_);
  forEachModule([&](const ast::Module &m) {
    for (const ast::Assert &a : m.asserts) {
      bool quantifierOk = oneOf(a.quantifier, {"never", "always"}, "quantifier");
      auto requests = request(*this, a.request, false, providers);
      if (!quantifierOk) continue;
      for (ir::Request &req : requests)
        policy_.asserts.push_back({ruleId(a.name, a.span), a.quantifier.text == "never", std::move(req)});
    }
  });
}

void Checker::checkTests() {
  auto providers = providerNames(policy_);
  const std::vector<std::string_view> &outcomes = actionWords();
  forEachModule([&](const ast::Module &m) {
    for (const ast::Test &t : m.tests) {
      ir::Test out{t.name.text, t.span, {}};
      if (t.expectations.empty()) warning("empty-test", t.span, "test '" + t.name.text + "' expects nothing");
      for (const ast::Expectation &e : t.expectations) {
        auto requests = request(*this, e.request, true, providers);
        ir::Expectation ex;
        ex.span = e.span;
        bool ok = !requests.empty();
        bool isSyscall = e.request.kind == ast::Request::Kind::Syscall;
        bool isRoute = e.request.kind == ast::Request::Kind::Route;
        if (!e.outcome) {
          if (!isRoute || !e.request.provider) {
            error("missing-outcome", e.span, "what should happen? an expectation needs an outcome")
                .withHint(isRoute ? "write `expect route \"m\" => provider` or `expect deny route \"m\"`"
                                  : "write `expect allow …` or `expect deny …`");
            ok = false;
          }
          ex.outcome = ir::Expectation::Outcome::Route;
        } else {
          const ast::Outcome &o = *e.outcome;
          if (!oneOf(o.verb, outcomes, "outcome")) {
            ok = false;
          } else if (isRoute && ((o.verb.text != "deny" && o.verb.text != "allow") || e.request.provider)) {
            error("invalid-outcome", o.span, "a route request expects `=> provider`, `allow` or `deny`")
                .withHint("write `expect route \"m\" => provider`, `expect allow route \"m\"` or `expect deny route \"m\"`");
            ok = false;
          } else if (!isSyscall && o.verb.text != "allow" && o.verb.text != "deny") {
            error("invalid-outcome", o.span, "'" + o.verb.text + "' is an outcome of system calls only")
                .withHint("write allow or deny");
            ok = false;
          } else if (isSyscall && o.verb.text != "allow" && o.verb.text != "deny") {
            auto action = syscallAction(o.verb, o.argument, o.span);
            if (!action) ok = false;
            else {
              ex.outcome = ir::Expectation::Outcome::SyscallAction;
              ex.action = *action;
            }
          } else {
            if (o.argument) {
              error("unexpected-argument", o.argument->span, "'" + o.verb.text + "' takes no value");
              ok = false;
            }
            ex.outcome = o.verb.text == "allow" ? ir::Expectation::Outcome::Allow
                                                : ir::Expectation::Outcome::Deny;
          }
        }
        if (!ok) continue;
        for (ir::Request &req : requests) {
          ex.request = std::move(req);
          out.expectations.push_back(ex);
        }
      }
      policy_.tests.push_back(std::move(out));
    }
  });
}

}  // namespace shellc
