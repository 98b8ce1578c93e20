// A small, strict JSON reader for bundles: the runtime links no JSON library (it must stay
// small and reviewable). Strict because a lenient reader is a way around the policy: a
// duplicate key, a lone surrogate or a number that does not fit is refused, never merged,
// replaced or truncated. Integers keep all 64 bits and their sign.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shellrt {

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  bool negative = false;  // a number below zero (`-0` is refused)
  uint64_t number = 0;    // its magnitude
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;
};

const char *kindName(Json::Kind kind);

struct JsonLimits {
  size_t maxBytes = 32u << 20;
  size_t maxValues = 1u << 19;  // every value counts: memory stays under ~64 MB
  int maxDepth = 64;
};

// Returns false and sets `error` ("line L, column C: …") on anything but one strict
// JSON document of integers within `limits`.
bool parseJson(const std::string &text, Json &out, std::string &error, const JsonLimits &limits = {});

// `s` as a JSON string: quoted, `"` and `\` escaped, control characters as \u00XX.
std::string jsonString(const std::string &s);

}  // namespace shellrt
