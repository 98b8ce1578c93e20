// libFuzzer target: any bytes as the request of `shellc explain`, against the policies of
// tests/lit/explain (one per layer) joined into one: parsed with the grammar's request rule,
// checked against the policy as a test's request is, then decided as explain decides it (a
// system call on each architecture, with and without its arguments).
// Properties checked: no crash, no hang, and every request that checks gets a decision.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/check.h"
#include "verify/requests.h"

namespace {

// Read from the source tree once. Their names do not clash, so one check covers all layers.
const std::string &policy() {
  static const std::string joined = [] {
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(SHELLC_SOURCE_DIR "/tests/lit/explain"))
      if (entry.path().extension() == ".policy") files.push_back(entry.path());
    if (files.empty()) std::abort();
    std::sort(files.begin(), files.end());
    std::ostringstream text;
    for (const auto &file : files) text << std::ifstream(file).rdbuf() << "\n";
    return text.str();
  }();
  return joined;
}

void decide(const shellc::ir::Policy &policy, const std::vector<shellc::ir::Request> &requests) {
  using namespace shellc;
  if (requests.front().kind != ir::Request::Kind::Syscall) {
    if (verify::decide(policy, requests.front(), {}).empty()) std::abort();
    return;
  }
  for (ir::Arch arch : ir::kAllArches)
    for (ir::Request request : requests) {
      verify::decide(policy, request, std::span(&arch, 1));
      request.arch.reset();  // as explain decides a call on an arch the policy builds no filter for
      verify::decide(policy, request, std::span(&arch, 1));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace shellc;
  SourceManager sources;
  DiagnosticEngine diags;
  std::vector<ir::Request> requests;
  sources.addOverlay("explain.policy", "explain.policy", policy());
  std::string request(reinterpret_cast<const char *>(data), size);
  CheckOutput out = checkPolicyAndRequest("explain.policy", request, CheckOptions{}, sources, diags, requests);
  if (out.ok && !requests.empty()) decide(out.policy, requests);
  return 0;
}
