#include "json.h"

namespace shellrt {

const Json &Json::operator[](const std::string &key) const {
  static const Json null;
  auto it = object.find(key);
  return it == object.end() ? null : it->second;
}

namespace {

class Parser {
public:
  explicit Parser(const std::string &text) : s_(text) {}

  bool document(Json &out, std::string &error) {
    bool ok = value(out, 0) && (skipSpace(), pos_ == s_.size());
    if (!ok) error = "offset " + std::to_string(pos_) + ": " + (error_.empty() ? "trailing data" : error_);
    return ok;
  }

private:
  static constexpr int kMaxDepth = 64;

  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool fail(const char *why) {
    if (error_.empty()) error_ = why;
    return false;
  }
  bool literal(const char *word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(pos_, n, word) != 0) return fail("unexpected word");
    pos_ += n;
    return true;
  }

  bool value(Json &out, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    skipSpace();
    if (pos_ >= s_.size()) return fail("unexpected end");
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      out.kind = Json::Kind::String;
      return string(out.string);
    }
    if (c == 't' || c == 'f') {
      out.kind = Json::Kind::Bool;
      out.boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') return literal("null");
    return number(out);
  }

  bool number(Json &out) {
    out.kind = Json::Kind::Number;
    if (s_[pos_] == '-') {
      out.negative = true;
      ++pos_;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      uint64_t digit = s_[pos_] - '0';
      if (out.number > (~0ull - digit) / 10) return fail("number out of range");
      out.number = out.number * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) return fail("expected a value");
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      return fail("bundles hold integers only");
    return true;
  }

  bool string(std::string &out) {
    ++pos_;  // the quote
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return fail("unexpected end");
      char e = s_[pos_++];
      switch (e) {
      case '"': case '\\': case '/': out += e; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        if (pos_ + 4 > s_.size()) return fail("bad \\u escape");
        unsigned cp = std::stoul(s_.substr(pos_, 4), nullptr, 16);
        pos_ += 4;
        if (cp < 0x80) out += static_cast<char>(cp);
        else if (cp < 0x800) out += {static_cast<char>(0xC0 | cp >> 6), static_cast<char>(0x80 | (cp & 0x3F))};
        else out += {static_cast<char>(0xE0 | cp >> 12), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                     static_cast<char>(0x80 | (cp & 0x3F))};
        break;
      }
      default: return fail("bad escape");
      }
    }
    if (pos_ >= s_.size()) return fail("unterminated string");
    ++pos_;
    return true;
  }

  bool array(Json &out, int depth) {
    out.kind = Json::Kind::Array;
    ++pos_;
    skipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
    for (;;) {
      out.array.emplace_back();
      if (!value(out.array.back(), depth + 1)) return false;
      skipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
      if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
      return fail("expected ',' or ']'");
    }
  }

  bool object(Json &out, int depth) {
    out.kind = Json::Kind::Object;
    ++pos_;
    skipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
    for (;;) {
      skipSpace();
      std::string key;
      if (pos_ >= s_.size() || s_[pos_] != '"' || !string(key)) return fail("expected a key");
      skipSpace();
      if (pos_ >= s_.size() || s_[pos_++] != ':') return fail("expected ':'");
      if (!value(out.object[key], depth + 1)) return false;
      skipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
      if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
      return fail("expected ',' or '}'");
    }
  }

  const std::string &s_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

bool parseJson(const std::string &text, Json &out, std::string &error) {
  return Parser(text).document(out, error);
}

}  // namespace shellrt
