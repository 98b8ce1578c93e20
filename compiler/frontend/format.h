// `shellc fmt`: the canonical layout of a policy file. Keeps every comment.
#pragma once
#include <string>

#include "support/diagnostics.h"

namespace shellc {

constexpr size_t kFormatWidth = 100;

// Returns false (with diagnostics) when the file does not parse.
bool formatPolicy(const SourceManager &sources, FileId file, DiagnosticEngine &diags,
                  std::string &out);

}  // namespace shellc
