#include "bundle/json.h"

#include <cstdio>

namespace shellrt {

const char *kindName(Json::Kind kind) {
  switch (kind) {
  case Json::Kind::Null: return "null";
  case Json::Kind::Bool: return "a boolean";
  case Json::Kind::Number: return "a number";
  case Json::Kind::String: return "a string";
  case Json::Kind::Array: return "an array";
  case Json::Kind::Object: return "an object";
  }
  return "?";
}

namespace {

class Parser {
public:
  Parser(const std::string &text, const JsonLimits &limits) : s_(text), limits_(limits) {}

  bool document(Json &out, std::string &error) {
    bool ok = s_.size() <= limits_.maxBytes ? value(out, 0) && (skipSpace(), at_end() || fail("trailing data"))
                                            : fail("larger than " + std::to_string(limits_.maxBytes >> 20) + " MiB");
    if (!ok) error = where() + ": " + error_;
    return ok;
  }

private:
  bool at_end() const { return pos_ == s_.size(); }
  bool peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool take(char c) { return peek(c) && (++pos_, true); }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool fail(const std::string &why) {
    if (error_.empty()) error_ = why;
    return false;
  }
  std::string where() const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') ++line, column = 1;
      else ++column;
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
  }
  bool literal(const char *word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(pos_, n, word) != 0) return fail("unexpected word");
    pos_ += n;
    return true;
  }

  bool value(Json &out, int depth) {
    if (depth > limits_.maxDepth) return fail("nested too deeply");
    if (++values_ > limits_.maxValues) return fail("more than " + std::to_string(limits_.maxValues) + " values");
    skipSpace();
    if (at_end()) return fail("unexpected end");
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') return out.kind = Json::Kind::String, string(out.string);
    if (c == 't' || c == 'f') {
      out.kind = Json::Kind::Bool;
      out.boolean = c == 't';
      return literal(out.boolean ? "true" : "false");
    }
    if (c == 'n') return literal("null");
    return number(out);
  }

  // Integers only, as JSON writes them: no leading zeros, no `-0`, no fraction or exponent
  // (a bundle holds none), nothing beyond 64 bits.
  bool number(Json &out) {
    out.kind = Json::Kind::Number;
    out.negative = take('-');
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      uint64_t digit = s_[pos_] - '0';
      if (out.number > (~0ull - digit) / 10) return fail("integer out of range (64 bits)");
      out.number = out.number * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) return fail("expected a value");
    if (pos_ - start > 1 && s_[start] == '0') return fail("leading zero in a number");
    if (out.negative && out.number == 0) return fail("-0 is not an integer a bundle holds");
    if (peek('.') || peek('e') || peek('E')) return fail("bundles hold integers only");
    return true;
  }

  bool hex4(unsigned &out) {
    if (pos_ + 4 > s_.size()) return fail("bad \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (digit < 0) return fail("bad \\u escape: expected four hex digits");
      out = out << 4 | digit;
    }
    return true;
  }

  // A \u escape, with a surrogate pair where it takes two. NUL and lone surrogates are
  // refused: no name or path in a bundle holds them.
  bool unicodeEscape(std::string &out) {
    unsigned cp;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned low;
      if (!(take('\\') && take('u')) || !hex4(low) || low < 0xDC00 || low > 0xDFFF)
        return fail("high surrogate without its low half in \\u escape");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0) return fail("NUL in a string");
    appendUtf8(out, cp);
    return true;
  }

  static void appendUtf8(std::string &out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += {static_cast<char>(0xC0 | cp >> 6), static_cast<char>(0x80 | (cp & 0x3F))};
    } else if (cp < 0x10000) {
      out += {static_cast<char>(0xE0 | cp >> 12), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
              static_cast<char>(0x80 | (cp & 0x3F))};
    } else {
      out += {static_cast<char>(0xF0 | cp >> 18), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
              static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    }
  }

  bool string(std::string &out) {
    ++pos_;  // the quote
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) return fail("unexpected end");
      char e = s_[pos_++];
      switch (e) {
      case '"': case '\\': case '/': out += e; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': if (!unicodeEscape(out)) return false; break;
      default: return fail("bad escape");
      }
    }
    if (!take('"')) return fail("unterminated string");
    return true;
  }

  bool array(Json &out, int depth) {
    out.kind = Json::Kind::Array;
    ++pos_;
    skipSpace();
    if (take(']')) return true;
    for (;;) {
      out.array.emplace_back();
      if (!value(out.array.back(), depth + 1)) return false;
      skipSpace();
      if (take(',')) continue;
      if (take(']')) return true;
      return fail("expected ',' or ']'");
    }
  }

  bool object(Json &out, int depth) {
    out.kind = Json::Kind::Object;
    ++pos_;
    skipSpace();
    if (take('}')) return true;
    for (;;) {
      skipSpace();
      std::string key;
      size_t keyAt = pos_;
      if (!peek('"') || !string(key)) return fail("expected a key");
      auto [slot, fresh] = out.object.try_emplace(key);
      if (!fresh) return pos_ = keyAt, fail("duplicate key \"" + key + "\"");
      skipSpace();
      if (!take(':')) return fail("expected ':'");
      if (!value(slot->second, depth + 1)) return false;
      skipSpace();
      if (take(',')) continue;
      if (take('}')) return true;
      return fail("expected ',' or '}'");
    }
  }

  const std::string &s_;
  const JsonLimits &limits_;
  size_t pos_ = 0;
  size_t values_ = 0;
  std::string error_;
};

}  // namespace

bool parseJson(const std::string &text, Json &out, std::string &error, const JsonLimits &limits) {
  out = Json{};
  return Parser(text, limits).document(out, error);
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += c;
  }
  return out + "\"";
}

}  // namespace shellrt
