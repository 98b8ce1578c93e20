#include "importers/json_input.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace shellc::importers {
namespace {

// Deeper nesting is no seccomp profile; refusing it keeps the recursive parsers' stacks small.
constexpr unsigned kMaxDepth = 64;

// The offset where `text` nests deeper than kMaxDepth, if it does.
std::optional<uint32_t> tooDeep(std::string_view text) {
  unsigned depth = 0;
  bool inString = false;
  for (uint32_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\') ++i;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return i;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

// What a value of the wrong type is: a number, boolean or null as written ("-1" says more
// than "a number"), else its type.
std::string found(const llvm::json::Value &value, std::string_view written) {
  switch (value.kind()) {
  case llvm::json::Value::String: return "a string";
  case llvm::json::Value::Array: return "an array";
  case llvm::json::Value::Object: return "an object";
  default: return std::string(written);
  }
}

// A member's name as llvm::json decodes it (escapes; invalid UTF-16 as U+FFFD), so that the
// path of each value is the one its readers ask for.
std::string decodedName(std::string_view token) {
  llvm::Expected<llvm::json::Value> name = llvm::json::parse(token);
  if (!name) {  // never: the whole text parsed
    llvm::consumeError(name.takeError());
    return std::string(token);
  }
  return name->getAsString().getValueOr("").str();
}

// Walks a text that llvm::json accepted and records where each value (and each member's
// key) is, by path, and each key written twice in one object.
class Scanner {
public:
  Scanner(std::string_view text, std::map<std::string, JsonInput::Location> &out,
          std::vector<JsonInput::Duplicate> &duplicates)
      : text_(text), out_(out), duplicates_(duplicates) {}

  // The value at `path`, after its member's key when it has one.
  void value(const std::string &path, JsonInput::Range key) {
    skipSpace();
    uint32_t begin = pos_;
    char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      std::map<std::string, JsonInput::Range> names;  // -> where each key is first written
      while (!closes('}')) {
        skipSpace();
        uint32_t keyBegin = pos_;
        std::string name = decodedName(stringToken());
        JsonInput::Range written{keyBegin, pos_};
        if (auto [first, fresh] = names.emplace(name, written); !fresh)
          duplicates_.push_back({name, first->second, written});
        skipSpace();
        ++pos_;  // ':'
        value(member(path, name), written);
      }
    } else if (c == '[') {
      ++pos_;
      for (size_t i = 0; !closes(']'); ++i) value(element(path, i), {});
    } else if (c == '"') {
      stringToken();
    } else {
      while (pos_ < text_.size() && !std::strchr(",]} \t\r\n", text_[pos_])) ++pos_;
    }
    out_[path] = {key, {begin, pos_}};
  }

private:
  void skipSpace() {
    while (pos_ < text_.size() && std::strchr(" \t\r\n", text_[pos_])) ++pos_;
  }

  // Consumes the closing bracket (true) or a ',' before the next element (false); before
  // the first element, consumes nothing.
  bool closes(char bracket) {
    skipSpace();
    if (text_[pos_] == bracket) {
      ++pos_;
      return true;
    }
    if (text_[pos_] == ',') ++pos_;
    return false;
  }

  // Skips a string token; returns it as written, quotes included.
  std::string_view stringToken() {
    uint32_t begin = pos_;
    for (++pos_; pos_ < text_.size() && text_[pos_] != '"'; ++pos_)
      if (text_[pos_] == '\\') ++pos_;
    ++pos_;
    return text_.substr(begin, pos_ - begin);
  }

  std::string_view text_;
  std::map<std::string, JsonInput::Location> &out_;
  std::vector<JsonInput::Duplicate> &duplicates_;
  uint32_t pos_ = 0;
};

// The longest prefix of `path` that names a value: `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a`.
std::string parentPath(const std::string &path) {
  size_t cut = path.find_last_of(".[");
  return cut == std::string::npos ? "" : path.substr(0, cut);
}

}  // namespace

std::string member(const std::string &path, std::string_view key) {
  // A key that could be read as part of a path ("a.b", "x[0]", "") is quoted, `a["x.y"]`:
  // two values never share a path.
  if (key.empty() || key.find_first_of(".[]\"\\") != std::string_view::npos) {
    std::string out = path + "[\"";
    for (char c : key) out += c == '"' || c == '\\' ? std::string{'\\', c} : std::string{c};
    return out + "\"]";
  }
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string element(const std::string &path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

bool JsonInput::parse(std::string_view hint) {
  std::string_view text = sources_.text(file_);
  if (auto deep = tooDeep(text)) {
    diags_.error("invalid-json", Span{file_, *deep, *deep + 1},
                 "nested more than " + std::to_string(kMaxDepth) + " levels deep")
        .withHint(std::string(hint));
    return false;
  }
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(text);
  if (!parsed) {
    // ParseError keeps its offset private; its message starts with "[line:col, byte=N]: ".
    std::string message = llvm::toString(parsed.takeError());
    unsigned line = 0, column = 0, offset = 0;
    int consumed = 0;
    std::sscanf(message.c_str(), "[%u:%u, byte=%u]: %n", &line, &column, &offset, &consumed);
    offset = std::min<unsigned>(offset, static_cast<unsigned>(text.size()));
    diags_.error("invalid-json", Span{file_, offset, std::min<uint32_t>(offset + 1, text.size())},
                 "not valid JSON: " + message.substr(consumed))
        .withHint(std::string(hint));
    return false;
  }
  root_ = std::move(*parsed);
  std::vector<Duplicate> duplicates;
  Scanner(text, locations_, duplicates).value("", {});
  // llvm::json keeps the last of the two, as Docker (Go) does; a reader may see the first.
  for (const Duplicate &d : duplicates)
    diags_
        .error("duplicate-key", Span{file_, d.again.begin, d.again.end},
               "duplicate key '" + d.name + "': JSON readers disagree on which of the two counts")
        .withNote(Span{file_, d.first.begin, d.first.end}, "first written here")
        .withHint("merge the two, or delete one (Docker reads the last)");
  return duplicates.empty();
}

Span JsonInput::span(const std::string &path) const {
  for (std::string p = path;; p = parentPath(p)) {
    auto it = locations_.find(p);
    if (it != locations_.end()) return Span{file_, it->second.value.begin, it->second.value.end};
    if (p.empty()) return Span{file_, 0, 0};
  }
}

Span JsonInput::keySpan(const std::string &path) const {
  auto it = locations_.find(path);
  if (it == locations_.end() || it->second.key.begin == it->second.key.end) return span(path);
  return Span{file_, it->second.key.begin, it->second.key.end};
}

void JsonInput::wrongType(const llvm::json::Value &value, const std::string &path, std::string_view expected) {
  Span at = span(path);
  std::string_view written = sources_.text(file_).substr(at.begin, at.end - at.begin);
  std::string name = path.empty() ? "the file" : "'" + path + "'";
  diags_.error("invalid-type", at, name + " must be " + std::string(expected) + ", not " + found(value, written));
}

const llvm::json::Object *JsonInput::object(const llvm::json::Value &value, const std::string &path) {
  const llvm::json::Object *o = value.getAsObject();
  if (!o) wrongType(value, path, "an object");
  return o;
}

const llvm::json::Array *JsonInput::array(const llvm::json::Value &value, const std::string &path) {
  const llvm::json::Array *a = value.getAsArray();
  if (!a) wrongType(value, path, "an array");
  return a;
}

std::optional<std::string> JsonInput::string(const llvm::json::Value &value, const std::string &path) {
  auto s = value.getAsString();
  if (!s) {
    wrongType(value, path, "a string");
    return std::nullopt;
  }
  return s->str();
}

std::optional<uint64_t> JsonInput::unsignedInteger(const llvm::json::Value &value, const std::string &path) {
  // Read from the text: llvm::json reads every integer past 2^63-1 as 2^63-1, and a fraction
  // or an exponent as a double that may happen to be whole.
  Span at = span(path);
  std::string_view written = sources_.text(file_).substr(at.begin, at.end - at.begin);
  uint64_t n = 0;
  const char *end = written.data() + written.size();
  auto [stop, error] = std::from_chars(written.data(), end, n);
  if (value.kind() == llvm::json::Value::Number && error == std::errc() && stop == end) return n;
  wrongType(value, path, "an integer from 0 to 2^64-1");
  return std::nullopt;
}

void JsonInput::warnUnknownKeys(const llvm::json::Object &object, const std::string &path,
                                const std::vector<std::string_view> &known, std::string_view consequence) {
  for (const auto &[key, value] : object) {
    llvm::StringRef name = key;
    std::string_view k(name.data(), name.size());
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    Diagnostic &d = diags_.warning("unknown-key", keySpan(member(path, k)),
                                   "unknown key '" + std::string(k) + "'; " + std::string(consequence));
    std::string guess = didYouMean(k, known);
    if (!guess.empty()) d.withHint(guess);
  }
}

}  // namespace shellc::importers
