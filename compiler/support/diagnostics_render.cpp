// Text (clang's layout), JSON and SARIF 2.1.0 renderings of a run's diagnostics.
#include <llvm/Support/FormatVariadic.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>

#include "support/diagnostics.h"

namespace shellc {
namespace {

// Source lines are shown at most this wide around the caret: a 10 MB line must not be
// echoed back whole.
constexpr size_t kExcerptWidth = 100;

const char *severityName(Severity s) {
  switch (s) {
  case Severity::Error: return "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "note";
  }
  return "error";
}

std::string location(const SourceManager &sources, Span span) {
  if (span.file == kNoFile) return "shellc";
  LineCol lc = sources.lineCol(span.file, span.begin);
  return sources.name(span.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// Control bytes and bytes that are not valid UTF-8 would garble a terminal: each is shown
// as '?'. Valid UTF-8 is kept as written.
std::string printable(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    unsigned char u = static_cast<unsigned char>(text[i]);
    size_t length = u < 0x80 ? 1 : (u & 0xE0) == 0xC0 ? 2 : (u & 0xF0) == 0xE0 ? 3 : (u & 0xF8) == 0xF0 ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size() && (length == 1 || u >= 0xC2) &&
                 std::all_of(text.begin() + i + 1, text.begin() + i + std::max<size_t>(length, 1),
                             [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; });
    if (valid && length == 3 && u == 0xE0 && static_cast<unsigned char>(text[i + 1]) < 0xA0) valid = false;  // overlong
    if (valid && length == 3 && u == 0xED && static_cast<unsigned char>(text[i + 1]) >= 0xA0) valid = false;  // surrogate
    if (valid && length == 4 && (u > 0xF4 || (u == 0xF0 && static_cast<unsigned char>(text[i + 1]) < 0x90))) valid = false;
    if (!valid || (length == 1 && (u < 0x20 || u == 0x7f))) {
      out += u == '\t' ? ' ' : '?';
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

// Terminal columns of a UTF-8 text: one per code point (wide characters are rare in policies).
size_t displayWidth(std::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

void renderExcerpt(const SourceManager &sources, Span span, llvm::raw_ostream &os, bool color) {
  if (span.file == kNoFile) return;
  std::string_view line = sources.lineText(span.file, span.begin);
  LineCol lc = sources.lineCol(span.file, span.begin);
  size_t column = std::min<size_t>(lc.column - 1, line.size());
  size_t length = span.end > span.begin ? span.end - span.begin : 1;
  length = std::min(length, line.size() > column ? line.size() - column : 1);
  // Long lines are shown as a window around the caret.
  size_t start = 0;
  if (line.size() > kExcerptWidth && column > kExcerptWidth / 2) {
    start = column - kExcerptWidth / 2;
    while (start > 0 && (static_cast<unsigned char>(line[start]) & 0xC0) == 0x80) --start;
  }
  std::string_view window = line.substr(start, kExcerptWidth);
  while (!window.empty() && start + window.size() < line.size() &&
         (static_cast<unsigned char>(line[start + window.size()]) & 0xC0) == 0x80)
    window.remove_suffix(1);
  std::string prefix = start > 0 ? "..." : "";
  os << prefix << printable(window) << (start + window.size() < line.size() ? "..." : "") << "\n";
  size_t caretAt = prefix.size() + displayWidth(line.substr(start, column - start));
  size_t visible = std::min(column + length, start + window.size()) - column;
  size_t tildes = std::max<size_t>(displayWidth(line.substr(column, visible)), 1) - 1;
  if (color) os.changeColor(llvm::raw_ostream::GREEN, true);
  os << std::string(caretAt, ' ') << '^' << std::string(tildes, '~');
  if (color) os.resetColor();
  os << "\n";
}

void renderOne(const SourceManager &sources, const Diagnostic &d, llvm::raw_ostream &os,
               bool color) {
  if (color) os.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  os << location(sources, d.span) << ": ";
  if (color) {
    auto c = d.severity == Severity::Error     ? llvm::raw_ostream::RED
             : d.severity == Severity::Warning ? llvm::raw_ostream::MAGENTA
                                               : llvm::raw_ostream::BLACK;
    os.changeColor(c, true);
  }
  os << severityName(d.severity) << ": ";
  if (color) os.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  os << d.message;
  if (!d.code.empty()) os << " [" << d.code << "]";
  if (color) os.resetColor();
  os << "\n";
  renderExcerpt(sources, d.span, os, color);
  if (!d.hint.empty()) os << "hint: " << d.hint << "\n";
  for (const Diagnostic &note : d.notes) renderOne(sources, note, os, color);
}

llvm::json::Object jsonLocation(const SourceManager &sources, Span span) {
  llvm::json::Object o;
  if (span.file == kNoFile) return o;
  LineCol begin = sources.lineCol(span.file, span.begin);
  LineCol end = sources.lineCol(span.file, std::max(span.end, span.begin));
  o["file"] = sources.name(span.file);
  o["line"] = begin.line;
  o["column"] = begin.column;
  o["endLine"] = end.line;
  o["endColumn"] = end.column;
  return o;
}

llvm::json::Object jsonDiagnostic(const SourceManager &sources, const Diagnostic &d) {
  llvm::json::Object o;
  o["severity"] = severityName(d.severity);
  o["code"] = d.code;
  o["message"] = d.message;
  if (d.span.file != kNoFile) o["location"] = jsonLocation(sources, d.span);
  if (!d.hint.empty()) o["hint"] = d.hint;
  llvm::json::Array notes;
  for (const Diagnostic &note : d.notes) notes.push_back(jsonDiagnostic(sources, note));
  if (!notes.empty()) o["notes"] = std::move(notes);
  return o;
}

llvm::json::Object sarifPhysicalLocation(const SourceManager &sources, Span span) {
  LineCol begin = sources.lineCol(span.file, span.begin);
  LineCol end = sources.lineCol(span.file, std::max(span.end, span.begin));
  llvm::json::Object region{{"startLine", begin.line},
                            {"startColumn", begin.column},
                            {"endLine", end.line},
                            {"endColumn", std::max(end.column, begin.column + 1)}};
  llvm::json::Object artifact{{"uri", sources.name(span.file)}};
  llvm::json::Object physical{{"artifactLocation", std::move(artifact)}, {"region", std::move(region)}};
  return llvm::json::Object{{"physicalLocation", std::move(physical)}};
}

llvm::json::Value sarif(const SourceManager &sources, const std::vector<Diagnostic> &diagnostics,
                        const RenderOptions &options) {
  llvm::json::Array results;
  std::vector<std::string> ruleIds;
  for (const Diagnostic &d : diagnostics) {
    if (std::find(ruleIds.begin(), ruleIds.end(), d.code) == ruleIds.end())
      ruleIds.push_back(d.code);
    std::string text = d.message;
    if (!d.hint.empty()) text += " (hint: " + d.hint + ")";
    llvm::json::Object result{
        {"ruleId", d.code},
        {"level", d.severity == Severity::Note ? "note" : severityName(d.severity)},
        {"message", llvm::json::Object{{"text", text}}}};
    if (d.span.file != kNoFile)
      result["locations"] = llvm::json::Array{sarifPhysicalLocation(sources, d.span)};
    llvm::json::Array related;
    for (const Diagnostic &note : d.notes) {
      if (note.span.file == kNoFile) continue;
      llvm::json::Object loc = sarifPhysicalLocation(sources, note.span);
      loc["message"] = llvm::json::Object{{"text", note.message}};
      related.push_back(std::move(loc));
    }
    if (!related.empty()) result["relatedLocations"] = std::move(related);
    results.push_back(std::move(result));
  }
  llvm::json::Array rules;
  for (const std::string &id : ruleIds) rules.push_back(llvm::json::Object{{"id", id}});
  return llvm::json::Object{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       llvm::json::Array{llvm::json::Object{
           {"tool", llvm::json::Object{{"driver",
                                        llvm::json::Object{
                                            {"name", "shellc"},
                                            {"version", options.toolVersion},
                                            {"informationUri", "https://github.com/shellc/shellc"},
                                            {"rules", std::move(rules)}}}}},
           {"results", std::move(results)}}}}};
}

}  // namespace

void renderDiagnostics(const SourceManager &sources, const std::vector<Diagnostic> &diagnostics,
                       const RenderOptions &options, std::string &out) {
  llvm::raw_string_ostream os(out);
  switch (options.format) {
  case DiagnosticFormat::Text:
    if (options.color) os.enable_colors(true);
    for (const Diagnostic &d : diagnostics) renderOne(sources, d, os, options.color);
    break;
  case DiagnosticFormat::Json: {
    llvm::json::Array all;
    for (const Diagnostic &d : diagnostics) all.push_back(jsonDiagnostic(sources, d));
    os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{{"diagnostics", std::move(all)}}))
       << "\n";
    break;
  }
  case DiagnosticFormat::Sarif:
    os << llvm::formatv("{0:2}", sarif(sources, diagnostics, options)) << "\n";
    break;
  }
}

}  // namespace shellc
