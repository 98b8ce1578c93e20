// Writes the source of an imported policy: statements and the comments that point back to
// the file they came from, then laid out by the canonical formatter.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "support/diagnostics.h"

namespace shellc::importers {

class PolicyWriter {
public:
  // A comment, broken into lines that fit the canonical width; control characters become
  // spaces.
  void comment(std::string_view text);
  void statement(std::string_view text);
  void open(std::string_view block);
  void close();

  // The source in the canonical layout. False, with diagnostics on the generated text, only
  // when an importer wrote something the language does not parse: a bug of the importer.
  bool finish(SourceManager &sources, std::string name, DiagnosticEngine &diags, std::string &out) const;

private:
  void line(std::string_view text);

  std::string text_;
  unsigned depth_ = 0;
};

// A string literal of the language. The text must not hold control characters other than
// tab and newline (see representable()).
std::string quoted(std::string_view text);
// Whether quoted() can write the text: the language's strings have no escape for `\r` and
// other control characters.
bool representable(std::string_view text);
// A name of the language made from arbitrary text ("claude-code" -> claude_code); never a
// keyword, never empty.
std::string identifier(std::string_view text);
// Items separated as the language separates a list: "a, b, c".
std::string joined(const std::vector<std::string> &items, std::string_view separator = ", ");
// The base name of a path, which the comments of imported policies point into.
std::string baseName(std::string_view path);

}  // namespace shellc::importers
