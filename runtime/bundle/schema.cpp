#include "bundle/schema.h"

namespace shellrt {

void Field::reject(const std::string &why) const { throw SchemaError{name_, why}; }

void Field::expect(Json::Kind kind) const {
  if (value_->kind != kind) reject(std::string("expected ") + kindName(kind) + ", got " + kindName(value_->kind));
}

bool Field::boolean() const {
  expect(Json::Kind::Bool);
  return value_->boolean;
}

uint64_t Field::unsignedInt(uint64_t min, uint64_t max) const {
  expect(Json::Kind::Number);
  if (value_->negative || value_->number < min || value_->number > max)
    reject((value_->negative ? "-" : "") + std::to_string(value_->number) + " is out of range [" +
           std::to_string(min) + ", " + std::to_string(max) + "]");
  return value_->number;
}

const std::string &Field::text(size_t maxBytes, bool nonEmpty) const {
  expect(Json::Kind::String);
  if (nonEmpty && value_->string.empty()) reject("is empty");
  if (value_->string.size() > maxBytes) reject("longer than " + std::to_string(maxBytes) + " bytes");
  return value_->string;
}

size_t Field::oneOf(std::initializer_list<const char *> words) const {
  expect(Json::Kind::String);
  size_t index = 0;
  std::string choices;
  for (const char *word : words) {
    if (value_->string == word) return index;
    choices += std::string(index++ ? ", " : "") + "\"" + word + "\"";
  }
  reject("\"" + value_->string + "\" is not one of " + choices);
}

std::vector<Field> Field::items(size_t maxCount) const {
  expect(Json::Kind::Array);
  if (value_->array.size() > maxCount) reject("more than " + std::to_string(maxCount) + " elements");
  std::vector<Field> out;
  for (size_t i = 0; i < value_->array.size(); ++i) out.emplace_back(value_->array[i], name_ + "[" + std::to_string(i) + "]");
  return out;
}

Field::Object Field::object() const {
  expect(Json::Kind::Object);
  return Object(*this);
}

Field::Object::Object(const Field &field) : field_(field) {}

Field Field::Object::operator[](const char *key) {
  auto it = field_.value_->object.find(key);
  std::string name = field_.name_.empty() ? key : field_.name_ + "." + key;
  if (it == field_.value_->object.end()) throw SchemaError{name, "missing"};
  read_.insert(key);
  return Field(it->second, name);
}

bool Field::Object::has(const char *key) const { return field_.value_->object.count(key) > 0; }

std::vector<std::pair<std::string, Field>> Field::Object::entries(size_t maxCount) {
  if (field_.value_->object.size() > maxCount) field_.reject("more than " + std::to_string(maxCount) + " keys");
  std::vector<std::pair<std::string, Field>> out;
  for (auto &[key, value] : field_.value_->object) {
    read_.insert(key);
    out.emplace_back(key, Field(value, field_.name_ + "." + key));
  }
  return out;
}

void Field::Object::finish() const {
  for (auto &[key, value] : field_.value_->object)
    if (!read_.count(key))
      throw SchemaError{field_.name_.empty() ? key : field_.name_ + "." + key, "unknown key (a newer bundle format?)"};
}

// Strict base64: padding only at the end, no bits left over, nothing else.
bool decodeBase64(const std::string &in, std::string &out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  if (in.size() % 4 != 0) return false;
  size_t padding = in.size() >= 1 && in.back() == '=' ? (in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : 1) : 0;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < in.size() - padding; ++i) {
    int v = value(in[i]);
    if (v < 0) return false;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return (buffer & ((1u << bits) - 1)) == 0;
}

}  // namespace shellrt
