// The seccomp section of the bundle (the programs, and the rules behind them so that a
// denial names its source line), and the OCI seccomp profile of Docker, Podman, Kubernetes.
#pragma once
#include "backends/bpf.h"
#include "backends/rule_source.h"

namespace shellc::backends {

// An action as the bundle spells it for the runtime: `errno(1)`, `kill_process`.
std::string bundleActionText(const ir::SyscallAction &action);
llvm::json::Value seccompJson(const ir::Syscalls &syscalls, const std::map<ir::Arch, bpf::Program> &programs,
                              const SourceNames &names);
// Raw `struct sock_filter` bytes, as the kernel loads them.
std::string programBytes(const bpf::Program &program);
// `problems` gets one line per rule that libseccomp, and so the runtimes, cannot load as
// written (the profile then differs from the BPF on that rule).
llvm::json::Value ociSeccompJson(const ir::Syscalls &syscalls, const SourceNames &names,
                                 std::vector<std::string> &problems);

}  // namespace shellc::backends
