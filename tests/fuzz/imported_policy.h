// What the importer fuzzers check of a policy that imported without an error: it checks
// without one, as `shellc check policy.yaml` and the migration guide promise. A policy that
// does not is an importer bug: the diagnostics are printed, then the run aborts.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>

#include "frontend/check.h"

inline void requireChecks(const std::string &policy) {
  using namespace shellc;
  SourceManager sources;
  DiagnosticEngine diags;
  sources.addOverlay("imported.policy", "imported.policy", policy);
  if (checkPolicyFile("imported.policy", CheckOptions{}, sources, diags).ok) return;
  std::string rendered;
  renderDiagnostics(sources, diags.sorted(sources), RenderOptions{}, rendered);
  std::fprintf(stderr, "the imported policy does not check:\n%s\n%s", policy.c_str(), rendered.c_str());
  std::abort();
}
