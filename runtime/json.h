// A small JSON reader for bundles: the runtime links no JSON library (it must stay small
// and reviewable). Numbers keep all 64 bits.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shellrt {

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  bool negative = false;
  uint64_t number = 0;  // magnitude; see `negative`
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  const Json &operator[](const std::string &key) const;  // Null when absent
  bool has(const std::string &key) const { return object.count(key) > 0; }
};

// Returns false and sets `error` ("offset N: …") on malformed input.
bool parseJson(const std::string &text, Json &out, std::string &error);

}  // namespace shellrt
