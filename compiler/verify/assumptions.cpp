#include "verify/assumptions.h"

#include <algorithm>
#include <optional>

#include "ir/glob.h"

namespace shellc::verify {
namespace {

using Match = bool (*)(std::string_view glob, std::string_view text);
using Common = std::optional<std::string> (*)(std::string_view a, std::string_view b);

// The first triple of `globs` that pairwise overlap with no pair's common text matching the
// third, as an assumption about `what`.
std::optional<std::string> unrepresentedTriple(std::vector<std::string> globs, Match match, Common common, const char *what) {
  std::sort(globs.begin(), globs.end());
  globs.erase(std::unique(globs.begin(), globs.end()), globs.end());
  size_t n = globs.size();
  std::vector<std::vector<std::optional<std::string>>> pair(n, std::vector<std::optional<std::string>>(n));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) pair[i][j] = common(globs[i], globs[j]);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      for (size_t k = j + 1; pair[i][j] && k < n; ++k) {
        if (!pair[i][k] || !pair[j][k]) continue;
        if (match(globs[k], *pair[i][j]) || match(globs[j], *pair[i][k]) || match(globs[i], *pair[j][k])) continue;
        return std::string(what) + " that matches \"" + globs[i] + "\", \"" + globs[j] + "\" and \"" + globs[k] +
               "\" at once is decided as one matching two of them";
      }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> representativeAssumptions(const ir::Policy &policy) {
  std::vector<std::string> binaries, paths, models;
  for (const ir::NetworkRule &rule : policy.network.rules) {
    binaries.insert(binaries.end(), rule.binaries.begin(), rule.binaries.end());
    paths.insert(paths.end(), rule.paths.begin(), rule.paths.end());
  }
  for (const ir::Route &route : policy.inference.routes) models.push_back(route.modelGlob);
  for (const ir::ModelDeny &deny : policy.inference.denies) models.push_back(deny.modelGlob);
  for (const ir::Assert &a : policy.asserts) {
    if (!a.request.binary.empty()) binaries.push_back(a.request.binary);
    if (!a.request.httpPath.empty()) paths.push_back(a.request.httpPath);
    if (a.request.kind == ir::Request::Kind::Route) models.push_back(a.request.model);
  }
  std::vector<std::string> out;
  for (auto found : {unrepresentedTriple(binaries, ir::matchBinaryGlob, ir::commonBinary, "a program"),
                     unrepresentedTriple(paths, ir::matchHttpPathGlob, ir::commonHttpPath, "an HTTP path"),
                     unrepresentedTriple(models, ir::matchModelGlob, ir::commonModelName, "a model name")})
    if (found) out.push_back(*found);
  return out;
}

}  // namespace shellc::verify
