// libFuzzer target: any bytes as an OpenShell policy, through `shellc import openshell`.
// Properties checked: no crash, no hang, memory bounded (-rss_limit_mb: YAML aliases), and
// what imports without an error checks without one.
#include <string>

#include "imported_policy.h"
#include "importers/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace shellc;
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("fuzz.yaml", std::string(reinterpret_cast<const char *>(data), size));
  std::string policy;
  if (importers::importOpenShell(sources, file, diags, policy)) requireChecks(policy);
  return 0;
}
