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
