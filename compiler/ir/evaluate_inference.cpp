#include <algorithm>

#include "ir/evaluate.h"
#include "ir/glob.h"

namespace shellc::ir {

RouteDecision evaluateRoute(const Inference &inf, std::string_view model) {
  RouteDecision d;
  for (const ModelDeny &deny : inf.denies)
    if (matchModelGlob(deny.modelGlob, model)) d.denies.push_back(&deny);
  for (const Route &route : inf.routes)
    if (matchModelGlob(route.modelGlob, model)) d.matched.push_back(&route);
  if (!d.denies.empty() || d.matched.empty()) return d;
  size_t best = 0;
  for (const Route *route : d.matched) best = std::max(best, globSpecificity(route->modelGlob));
  // The checker refuses two equally specific globs that overlap with different targets, so
  // every route left here leads to the same provider and rewrite.
  for (const Route *route : d.matched)
    if (globSpecificity(route->modelGlob) == best) d.deciding.push_back(route);
  d.route = d.deciding.front();
  return d;
}

uint64_t spentOn(const Spending &spending, const Budget &budget) {
  uint64_t total = 0;
  for (const auto &[provider, spent] : spending)
    if (budget.provider.empty() || budget.provider == provider)
      total += budget.measure == Budget::Measure::Tokens ? spent.tokens : spent.requests;
  return total;
}

const Budget *exhaustedBudget(const Inference &inf, const std::string &provider, const Spending &spending) {
  for (bool own : {true, false})
    for (Budget::Measure measure : {Budget::Measure::Tokens, Budget::Measure::Requests})
      for (const Budget &b : inf.budgets)
        if (b.measure == measure && (own ? b.provider == provider : b.provider.empty()) && spentOn(spending, b) >= b.cap)
          return &b;
  return nullptr;
}

std::optional<uint64_t> spendCeiling(const Inference &inf, Budget::Measure measure, const std::string &provider) {
  auto capOf = [&](const std::string &scope) {
    std::optional<uint64_t> cap;
    for (const Budget &b : inf.budgets)
      if (b.measure == measure && b.provider == scope) cap = std::min(cap.value_or(b.cap), b.cap);
    return cap;
  };
  auto routed = [&](const std::string &p) {
    return std::any_of(inf.routes.begin(), inf.routes.end(), [&](const Route &r) { return r.provider == p; });
  };
  std::optional<uint64_t> session = capOf("");
  if (!provider.empty()) {
    if (!routed(provider)) return 0;
    std::optional<uint64_t> own = capOf(provider);
    if (own && session) return std::min(*own, *session);
    return own ? own : session;
  }
  // All together: the session's cap, or the sum of the providers' when every routed one has one.
  std::optional<uint64_t> sum = 0;
  for (const Provider &p : inf.providers) {
    if (!routed(p.name)) continue;
    std::optional<uint64_t> own = capOf(p.name);
    sum = own && sum ? std::optional<uint64_t>(*sum + std::min<uint64_t>(*own, ~0ull - *sum)) : std::nullopt;
  }
  if (sum && session) return std::min(*sum, *session);
  return sum ? sum : session;
}

Endpoint parseEndpoint(const std::string &url) {
  Endpoint e;
  e.plain = url.rfind("http://", 0) == 0;
  size_t begin = url.find("://") + 3;
  size_t end = url.find('/', begin);
  std::string authority = url.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  size_t colon = authority.rfind(':');
  bool bracketed = !authority.empty() && authority.front() == '[';
  size_t close = authority.find(']');
  if (colon != std::string::npos && (!bracketed || colon > close)) {
    e.port = static_cast<uint16_t>(std::stoi(authority.substr(colon + 1)));
    authority.resize(colon);
  } else {
    e.port = e.plain ? 80 : 443;
  }
  if (bracketed) authority = authority.substr(1, authority.size() - 2);
  e.host = authority;
  return e;
}

bool isLoopbackHost(const std::string &host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace shellc::ir
