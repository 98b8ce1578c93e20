// libFuzzer target: any bytes as a seccomp profile, through `shellc import oci-seccomp` (read
// for Linux 5.10, so that a run does not depend on the kernel it runs on).
// Properties checked: no crash, no hang, and those of imported_policy.h: a failure is
// explained in the input, a success checks.
#include "imported_policy.h"
#include "importers/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzzImport(data, size, "fuzz.json", [](auto &sources, auto file, auto &diags, auto &policy) {
    return shellc::importers::importOciSeccomp(sources, file, {{5, 10}}, diags, policy);
  });
  return 0;
}
