// Named constants (AF_INET, CLONE_NEWUSER, EPERM, TIOCSTI…), generated from the system
// headers by gen_constants.sh, with their value on each architecture.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ir/policy.h"

namespace shellc {

struct Constant {
  const char *name;
  int64_t value[2];   // indexed like ir::kAllArches
  bool present[2];
};

std::span<const Constant> generatedConstants();

// A value as each architecture sees it; nullopt where the architecture lacks the name.
struct ArchValues {
  std::array<std::optional<uint64_t>, ir::kAllArches.size()> byArch;
  static ArchValues same(uint64_t v) { return {{v, v}}; }
  bool uniform() const { return byArch[0] == byArch[1]; }
  std::optional<uint64_t> on(ir::Arch arch) const { return byArch[static_cast<size_t>(arch)]; }
};

std::optional<ArchValues> lookupConstant(std::string_view name);
// Constants whose names start with `prefix` (e.g. "E" for errno names, "CAP_").
std::vector<std::string_view> constantNames(std::string_view prefix = "");

}  // namespace shellc
