// The bundle: one versioned, self-describing JSON file that is the contract between the
// compiler and the runtime (docs/bundle.md). Identical input gives identical bytes.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "backends/bpf.h"
#include "backends/filesystem_plan.h"
#include "support/source.h"

namespace shellc::backends {

constexpr int kBundleFormatVersion = 5;

struct Bundle {
  llvm::json::Value json = nullptr;
  std::map<ir::Arch, bpf::Program> seccomp;  // the programs, also inside `json`
};

// A start the policy's proofs do not cover (the verifier's placement assumptions): the
// workspace or the home (`start`) inside a path, each of `inside` at once; `why` says which
// assert or test would not hold there. The runtime refuses such a start.
struct StartRefusal {
  std::vector<std::pair<ir::PathRoot, ir::Path>> inside;
  std::string why;
};
// A path an assert or a test names (`by`): the runtime refuses a start where it lies at or
// inside a start-up directory of another namespace, as for a rule's path.
struct NamedPath {
  ir::Path path;
  std::string by;
};
struct Placements {
  std::vector<StartRefusal> refused;
  std::vector<NamedPath> named;
};

// Fails with `error` when a section cannot be built (a seccomp program over the limit).
bool buildBundle(const ir::Policy &policy, const SourceManager &sources, const SourceNames &names,
                 const std::string &compilerVersion, Bundle &out, std::string &error,
                 const Placements &placements = {});

// The canonical text of a JSON value: sorted keys, two-space indent, final newline.
std::string canonicalJson(const llvm::json::Value &value);

}  // namespace shellc::backends
