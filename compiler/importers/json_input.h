// A JSON input file read with llvm::json, and what llvm::json lacks for diagnostics: where
// each value is. Values are named by their path, as users read them: `syscalls[3].args[0].op`.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/JSON.h>

#include "support/diagnostics.h"

namespace shellc::importers {

std::string member(const std::string &path, std::string_view key);
std::string element(const std::string &path, size_t index);

class JsonInput {
public:
  JsonInput(const SourceManager &sources, FileId file, DiagnosticEngine &diags)
      : sources_(sources), file_(file), diags_(diags) {}

  // Parses the file; false after reporting where it stops being JSON, or a key written twice
  // in one object. `hint` says what the file should hold.
  bool parse(std::string_view hint);
  const llvm::json::Value &root() const { return *root_; }

  // Where the value at `path` is; the member's key for keySpan (the value if it has none).
  Span span(const std::string &path) const;
  Span keySpan(const std::string &path) const;

  // Typed access: a value of another type is an error at the value, saying what was expected.
  const llvm::json::Object *object(const llvm::json::Value &value, const std::string &path);
  const llvm::json::Array *array(const llvm::json::Value &value, const std::string &path);
  std::optional<std::string> string(const llvm::json::Value &value, const std::string &path);
  std::optional<uint64_t> unsignedInteger(const llvm::json::Value &value, const std::string &path);
  // Members other than `known` are warned about: `consequence` says what becomes of them.
  void warnUnknownKeys(const llvm::json::Object &object, const std::string &path,
                       const std::vector<std::string_view> &known, std::string_view consequence);

  DiagnosticEngine &diags() { return diags_; }

  struct Range {
    uint32_t begin = 0, end = 0;
  };
  struct Location {
    Range key;  // empty: not a member
    Range value;
  };
  struct Duplicate {
    std::string name;
    Range first, again;  // where the key is written
  };

private:
  void wrongType(const llvm::json::Value &value, const std::string &path, std::string_view expected);

  const SourceManager &sources_;
  FileId file_;
  DiagnosticEngine &diags_;
  std::optional<llvm::json::Value> root_;
  std::map<std::string, Location> locations_;
};

}  // namespace shellc::importers
