#include "importers/policy_writer.h"

#include <algorithm>
#include <cctype>

#include "frontend/format.h"
#include "frontend/parser.h"

namespace shellc::importers {

void PolicyWriter::comment(std::string_view original) {
  // Comments quote the input (names, a profile's own comments): a line break in them would
  // end the comment and let the rest be read as policy.
  std::string flat(original);
  std::replace_if(flat.begin(), flat.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, ' ');
  std::string_view text = flat;
  // The formatter keeps comments as they are, so they are wrapped here, at spaces.
  const size_t width = kFormatWidth - 2 * depth_ - 2;
  while (!text.empty()) {
    size_t cut = text.size();
    if (cut > width) {
      size_t space = text.rfind(' ', width);
      cut = space == std::string_view::npos || space == 0 ? text.find(' ', width) : space;
      if (cut == std::string_view::npos) cut = text.size();
    }
    line("# " + std::string(text.substr(0, cut)));
    text.remove_prefix(cut);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  }
}

void PolicyWriter::statement(std::string_view text) {
  // A list of thousands of paths must not make one line: the formatter's lexer refuses lines
  // past 64 KiB. A line break after each comma between tokens changes nothing else, as the
  // formatter lays the statement out again.
  std::string broken;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') inString = !inString;
    else if (inString && text[i] == '\\' && i + 1 < text.size()) broken += text[i++];
    broken += text[i];
    if (!inString && text[i] == ',' && i + 1 < text.size() && text[i + 1] == ' ') {
      broken += '\n';
      ++i;
    }
  }
  line(broken);
}

void PolicyWriter::line(std::string_view text) {
  text_.append(2 * depth_, ' ');
  text_ += text;
  text_ += '\n';
}

void PolicyWriter::open(std::string_view block) {
  line(std::string(block) + " {");
  ++depth_;
}

void PolicyWriter::close() {
  --depth_;
  line("}");
}

bool PolicyWriter::finish(SourceManager &sources, std::string name, DiagnosticEngine &diags,
                          std::string &out) const {
  FileId file = sources.addBuffer(std::move(name), text_);
  return formatPolicy(sources, file, diags, out);
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

bool representable(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
  });
}

std::string identifier(std::string_view text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, "_");
  if (isKeyword(out)) out += '_';
  return out;
}

std::string joined(const std::vector<std::string> &items, std::string_view separator) {
  std::string out;
  for (const std::string &item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

std::string baseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace shellc::importers
