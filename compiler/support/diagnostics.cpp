#include "support/diagnostics.h"

#include <algorithm>
#include <tuple>

#include <llvm/ADT/StringRef.h>

namespace shellc {

Diagnostic &DiagnosticEngine::add(Severity severity, std::string code, Span span,
                                  std::string message) {
  if (severity == Severity::Error) {
    if (errors_ >= kMaxErrors) return overflow_ = Diagnostic{};
    ++errors_;
  } else {
    ++warnings_;
  }
  diagnostics_.push_back(Diagnostic{severity, std::move(code), std::move(message), span, "", {}});
  return diagnostics_.back();
}

Diagnostic &DiagnosticEngine::error(std::string code, Span span, std::string message) {
  return add(Severity::Error, std::move(code), span, std::move(message));
}

Diagnostic &DiagnosticEngine::warning(std::string code, Span span, std::string message) {
  return add(Severity::Warning, std::move(code), span, std::move(message));
}

std::vector<Diagnostic> DiagnosticEngine::sorted(const SourceManager &sources) const {
  std::vector<Diagnostic> out = diagnostics_;
  // Diagnostics without a place (command line, I/O) sort first.
  auto key = [&](const Diagnostic &d) {
    std::string file = d.span.file == kNoFile ? std::string() : sources.name(d.span.file);
    return std::make_tuple(std::move(file), d.span.begin, d.span.end, d.code, d.message);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Diagnostic &a, const Diagnostic &b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic &a, const Diagnostic &b) { return key(a) == key(b); }),
            out.end());
  if (errors_ >= kMaxErrors) {
    out.push_back(Diagnostic{Severity::Note, "too-many-errors",
                             "too many errors; stopped after " + std::to_string(kMaxErrors),
                             Span{}, "", {}});
  }
  return out;
}

std::string suggestClosest(std::string_view word, const std::vector<std::string_view> &candidates) {
  std::string best;
  unsigned bestDistance = ~0u;
  // Allow about one edit in three characters (a swap of two letters counts two); farther
  // guesses only confuse.
  unsigned limit = std::max<unsigned>(1, (word.size() + 2) / 3);
  for (std::string_view candidate : candidates) {
    unsigned distance = llvm::StringRef(word).edit_distance(candidate, true, limit + 1);
    if (distance <= limit && distance < bestDistance) {
      bestDistance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

std::string didYouMean(std::string_view word, const std::vector<std::string_view> &candidates) {
  std::string best = suggestClosest(word, candidates);
  return best.empty() ? std::string() : "did you mean '" + best + "'?";
}

}  // namespace shellc
