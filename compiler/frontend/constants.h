// Named constants (AF_INET, CLONE_NEWUSER, EPERM, TIOCSTI…), generated from the system
// headers of the build machine by gen_constants.sh.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace shellc {

struct Constant {
  const char *name;
  int64_t value;
};

std::span<const Constant> generatedConstants();
std::optional<int64_t> lookupConstant(std::string_view name);
// Constants whose names start with `prefix` (e.g. "E" for errno names, "CAP_").
std::vector<std::string_view> constantNames(std::string_view prefix = "");

}  // namespace shellc
