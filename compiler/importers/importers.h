// Importers: policies of other sandboxes become shellc source, in the canonical layout, each
// rule preceded by a comment that points back to what it came from. What has no equivalent
// is reported (file:line:col of the input), never dropped silently.
#pragma once
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "support/diagnostics.h"

namespace shellc::importers {

struct KernelVersion {
  unsigned major = 0, minor = 0;
  auto operator<=>(const KernelVersion &) const = default;
  std::string text() const { return std::to_string(major) + "." + std::to_string(minor); }
};
// "5.10", "6.1.0-18-amd64" (uname -r) -> 5.10, 6.1; as Docker reads them.
std::optional<KernelVersion> parseKernelVersion(std::string_view text);
std::optional<KernelVersion> runningKernel();

struct OciSeccompOptions {
  KernelVersion kernel;  // `minKernel` conditions are read for this kernel
};

// A Docker/Podman/Kubernetes seccomp profile (JSON) -> a `syscalls` block. Conditions on
// capabilities, kernels and architectures are read as Docker reads them for a container
// that holds no capabilities, on `options.kernel`, for each of x86_64 and aarch64.
bool importOciSeccomp(SourceManager &sources, FileId file, const OciSeccompOptions &options,
                      DiagnosticEngine &diags, std::string &out);

// An NVIDIA OpenShell policy (YAML, version 1) -> filesystem, process and network blocks.
bool importOpenShell(SourceManager &sources, FileId file, DiagnosticEngine &diags, std::string &out);

}  // namespace shellc::importers
