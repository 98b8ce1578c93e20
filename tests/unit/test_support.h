// Helpers shared by the unit tests: check a policy given as text.
#pragma once
#include <string>

#include "frontend/check.h"
#include "frontend/diagnostics.h"

namespace shellc::testing {

struct Checked {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOutput output;
  std::string rendered;  // the text diagnostics
  bool has(const std::string &code) const {
    for (const Diagnostic &d : diags.sorted(sources))
      if (d.code == code) return true;
    return false;
  }
};

// Writes `text` to a temporary file and checks it with the repo's stdlib.
std::unique_ptr<Checked> checkText(const std::string &text,
                                   std::map<std::string, std::string> defines = {});

}  // namespace shellc::testing
