// Reading a JSON value against the bundle's schema (docs/bundle.md). Every accessor names
// the field it reads ("process.limits.memory_bytes") and throws a SchemaError that names it
// when the value is not exactly what the schema says: the wrong kind, an unknown word, out
// of range, a key missing or unknown. Nothing is defaulted, coerced or skipped.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "bundle/json.h"

namespace shellrt {

struct SchemaError {
  std::string field, why;
};

class Field {
public:
  Field(const Json &value, std::string name) : value_(&value), name_(std::move(name)) {}
  const std::string &name() const { return name_; }
  bool isNull() const { return value_->kind == Json::Kind::Null; }

  [[noreturn]] void reject(const std::string &why) const;

  bool boolean() const;
  uint64_t unsignedInt(uint64_t min, uint64_t max) const;
  // A string of at most `maxBytes` bytes; `nonEmpty` refuses "".
  const std::string &text(size_t maxBytes, bool nonEmpty = true) const;
  // One of `words`; returns its index.
  size_t oneOf(std::initializer_list<const char *> words) const;
  // The elements, at most `maxCount` of them.
  std::vector<Field> items(size_t maxCount) const;

  class Object;
  Object object() const;

private:
  void expect(Json::Kind kind) const;
  const Json *value_;
  std::string name_;
};

// The keys of an object, each read at most once; `finish` refuses those nobody read, so
// that a key this runtime does not know is never silently ignored.
class Field::Object {
public:
  explicit Object(const Field &field);
  Field operator[](const char *key);        // a key that must be there
  bool has(const char *key) const;          // for the few optional keys
  std::vector<std::pair<std::string, Field>> entries(size_t maxCount);  // a map's keys and values
  void finish() const;

private:
  Field field_;
  std::set<std::string> read_;
};

// Strict base64 (the bundle's seccomp programs, signatures): padding only at the end, no
// bits left over, nothing else. False on anything else.
bool decodeBase64(const std::string &in, std::string &out);

}  // namespace shellrt
