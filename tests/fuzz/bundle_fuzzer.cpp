// libFuzzer target: any bytes through the runtime's bundle reader (strict JSON, the schema,
// the seccomp program run against its rules). Properties checked: no crash, no hang, and a
// bundle it accepts holds what the runtime relies on without looking again (a program the
// kernel can load, paths relative, every Landlock rule with a source).
#include <cstdlib>
#include <string>

#include "bundle/bundle.h"
#include "bundle/seccomp_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  shellrt::Bundle bundle;
  std::string error;
  if (!shellrt::parseBundle(text, bundle, error)) {
    if (error.empty()) abort();  // a refusal always says why
    return 0;
  }
  const std::vector<sock_filter> &program = bundle.running().program;
  if (program.empty() || program.size() > shellrt::kMaxSeccompInstructions) abort();
  for (const shellrt::LandlockRule &r : bundle.landlockRules)
    if (r.rules.empty() || (!r.path.rel.empty() && r.path.rel.front() == '/')) abort();
  for (const shellrt::MountEntry &m : bundle.mounts)
    if (("/" + m.path.rel + "/").find("/../") != std::string::npos) abort();
  return 0;
}
