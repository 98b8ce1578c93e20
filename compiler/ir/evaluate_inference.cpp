#include <algorithm>

#include "frontend/values.h"
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

}  // namespace shellc::ir
