// libFuzzer target: any bytes through the parser, the AST builder and the formatter.
// Properties checked: no crash, no hang, and `fmt` is idempotent on what it accepts.
#include <cstdlib>
#include <string>

#include "frontend/format.h"
#include "frontend/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace shellc;
  std::string text(reinterpret_cast<const char *>(data), size);
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("fuzz.policy", text);
  parseModule(sources, file, diags);
  std::string once;
  if (!formatPolicy(sources, file, diags, once)) return 0;
  DiagnosticEngine again;
  std::string twice;
  FileId formatted = sources.addBuffer("formatted.policy", once);
  if (!formatPolicy(sources, formatted, again, twice) || twice != once) abort();
  return 0;
}
