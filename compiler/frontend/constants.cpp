#include "frontend/constants.h"

#include <algorithm>

namespace shellc {

std::optional<ArchValues> lookupConstant(std::string_view name) {
  auto table = generatedConstants();  // sorted by name (LC_ALL=C) by the generator
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const Constant &c, std::string_view n) { return c.name < n; });
  if (it == table.end() || it->name != name) return std::nullopt;
  ArchValues values;
  for (size_t i = 0; i < values.byArch.size(); ++i)
    if (it->present[i]) values.byArch[i] = static_cast<uint64_t>(it->value[i]);
  return values;
}

std::vector<std::string_view> constantNames(std::string_view prefix) {
  std::vector<std::string_view> names;
  for (const Constant &c : generatedConstants())
    if (std::string_view(c.name).substr(0, prefix.size()) == prefix) names.push_back(c.name);
  return names;
}

}  // namespace shellc
