// The bundle: one versioned, self-describing JSON file that is the contract between the
// compiler and the runtime (docs/bundle.md). Identical input gives identical bytes.
#pragma once
#include <map>
#include <string>

#include "backends/bpf.h"
#include "backends/filesystem_plan.h"
#include "support/source.h"

namespace shellc::backends {

constexpr int kBundleFormatVersion = 4;

struct Bundle {
  llvm::json::Value json = nullptr;
  std::map<ir::Arch, bpf::Program> seccomp;  // the programs, also inside `json`
};

// Fails with `error` when a section cannot be built (a seccomp program over the limit).
bool buildBundle(const ir::Policy &policy, const SourceManager &sources, const SourceNames &names,
                 const std::string &compilerVersion, Bundle &out, std::string &error);

// The canonical text of a JSON value: sorted keys, two-space indent, final newline.
std::string canonicalJson(const llvm::json::Value &value);

}  // namespace shellc::backends
