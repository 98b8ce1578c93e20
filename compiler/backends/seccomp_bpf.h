// The seccomp-BPF backend: ir::Syscalls for one architecture → a classic BPF program.
//
// Shape of the program: check the architecture (anything else is killed, and on x86_64 so
// is the x32 ABI), load the syscall number, then a search tree over ranges of numbers
// weighted by how often each call happens, so that hot calls cost few instructions. Calls
// decided by number alone never load an argument, so the kernel's action cache (5.11+)
// decides them without running the filter. Argument conditions compare all 64 bits.
#pragma once
#include <string>

#include "backends/bpf.h"
#include "ir/policy.h"

namespace shellc::backends {

uint32_t auditArch(ir::Arch arch);
uint32_t seccompReturn(const ir::SyscallAction &action);

// Compiles the filter of one architecture. Fails (with `error`) past the kernel's limit of
// 4096 instructions rather than emit a program the kernel would refuse.
bool compileSeccomp(const ir::Syscalls &syscalls, ir::Arch arch, bpf::Program &out, std::string &error);

}  // namespace shellc::backends
