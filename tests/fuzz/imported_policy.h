// What the importer fuzzers check of an import. One that fails says why, with errors in the
// input: an error in the importer's own output (the policy it wrote) is an importer bug. The
// policy of one that succeeds checks without an error, as `shellc check policy.yaml` and the
// migration guide promise. A failed check prints the diagnostics, then aborts the run.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "frontend/check.h"

inline void fail(const shellc::SourceManager &sources, const shellc::DiagnosticEngine &diags, const char *what) {
  std::string rendered;
  shellc::renderDiagnostics(sources, diags.sorted(sources), shellc::RenderOptions{}, rendered);
  std::fprintf(stderr, "%s:\n%s", what, rendered.c_str());
  std::abort();
}

inline void requireSound(bool imported, const shellc::SourceManager &sources, shellc::FileId input,
                         const shellc::DiagnosticEngine &diags, const std::string &policy) {
  using namespace shellc;
  if (!imported) {
    if (diags.errorCount() == 0) fail(sources, diags, "the import failed without an error");
    for (const Diagnostic &d : diags.sorted(sources))
      if (d.severity == Severity::Error && d.span.file != input) fail(sources, diags, "an error outside the input");
    return;
  }
  SourceManager checked;
  DiagnosticEngine checks;
  checked.addOverlay("imported.policy", "imported.policy", policy);
  if (!checkPolicyFile("imported.policy", CheckOptions{}, checked, checks).ok)
    fail(checked, checks, ("the imported policy does not check:\n" + policy).c_str());
}

// One fuzz input through an importer, `import(sources, file, diags, policy)`, then checked.
template <typename Import>
void fuzzImport(const uint8_t *data, size_t size, const char *name, Import import) {
  shellc::SourceManager sources;
  shellc::DiagnosticEngine diags;
  shellc::FileId file = sources.addBuffer(name, std::string(reinterpret_cast<const char *>(data), size));
  std::string policy;
  requireSound(import(sources, file, diags, policy), sources, file, diags, policy);
}
