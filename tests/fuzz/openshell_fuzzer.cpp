// libFuzzer target: any bytes as an OpenShell policy, through `shellc import openshell`.
// Properties checked: no crash, no hang, memory bounded (-rss_limit_mb: YAML aliases), and
// those of imported_policy.h: a failure is explained in the input, a success checks.
#include "imported_policy.h"
#include "importers/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzzImport(data, size, "fuzz.yaml", shellc::importers::importOpenShell);
  return 0;
}
