// Diagnostics: collected during a run, then sorted and rendered once (text, JSON or SARIF).
#pragma once
#include <string>
#include <vector>

#include "support/source.h"

namespace shellc {

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;     // stable, kebab-case: the key of docs/diagnostics and SARIF ruleId
  std::string message;
  Span span;
  std::string hint;     // optional: what to write instead
  std::vector<Diagnostic> notes;  // related places (the other rule, the import chain…)

  Diagnostic &withHint(std::string text) {
    hint = std::move(text);
    return *this;
  }
  Diagnostic &withNote(Span where, std::string text) {
    notes.push_back(Diagnostic{Severity::Note, "", std::move(text), where, "", {}});
    return *this;
  }
};

class DiagnosticEngine {
public:
  // Past this many errors a run stops adding them: garbage input must not produce
  // megabytes of output.
  static constexpr size_t kMaxErrors = 50;

  Diagnostic &error(std::string code, Span span, std::string message);
  Diagnostic &warning(std::string code, Span span, std::string message);

  bool hasErrors() const { return errors_ > 0; }
  size_t errorCount() const { return errors_; }
  size_t warningCount() const { return warnings_; }
  bool tooManyErrors() const { return errors_ >= kMaxErrors; }
  // Sorted by file, position, then code; duplicates removed.
  std::vector<Diagnostic> sorted(const SourceManager &sources) const;

private:
  Diagnostic &add(Severity severity, std::string code, Span span, std::string message);
  std::vector<Diagnostic> diagnostics_;
  Diagnostic overflow_;  // where diagnostics past the cap go
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

enum class DiagnosticFormat { Text, Json, Sarif };

struct RenderOptions {
  DiagnosticFormat format = DiagnosticFormat::Text;
  bool color = false;
  std::string toolVersion;
};

// Renders the diagnostics of one run. `inputs` lists the files checked (for SARIF artifacts).
void renderDiagnostics(const SourceManager &sources, const std::vector<Diagnostic> &diagnostics,
                       const RenderOptions &options, std::string &out);

// "did you mean 'x'?" when a candidate is close enough to `word`, else empty.
std::string suggestClosest(std::string_view word, const std::vector<std::string_view> &candidates);
std::string didYouMean(std::string_view word, const std::vector<std::string_view> &candidates);

}  // namespace shellc
