// The seccomp-BPF backend: ir::Syscalls for one architecture → a classic BPF program.
//
// Shape of the program: check the architecture (anything else is killed, and on x86_64 so
// is the x32 ABI), load the syscall number, then a search tree over ranges of numbers
// weighted by how often each call happens, so that hot calls cost few instructions. Calls
// decided by number alone never load an argument, so the kernel's action cache (5.11+)
// decides them without running the filter. Argument conditions compare the bits the kernel
// reads (ir::ArgCondition). Two passes, each testable alone, as Kafel's: syscallRanges
// normalises the rules into ranges of numbers, compileSeccomp emits the program.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "backends/bpf.h"
#include "ir/policy.h"

namespace shellc::backends {

// What decides a number: a plain action, or a block of conditions (by syscall number).
struct SyscallLeaf {
  bool conditional = false;
  uint32_t action = 0;  // SECCOMP_RET_*, when not conditional
  int nr = -1;          // the number whose rules the block tests, when conditional
  bool operator==(const SyscallLeaf &o) const {
    return conditional == o.conditional && (conditional ? nr == o.nr : action == o.action);
  }
};

struct SyscallRange {
  uint32_t first;  // numbers [first, the next range's first); the last range: and above
  SyscallLeaf leaf;
  double weight;   // how often its calls happen (syscall_weights.def), for the search tree
};

// The numbers from 0 to one past the largest a rule names, as maximal ranges of consecutive
// numbers decided the same way: sorted, adjacent ranges differ, the last is the default's.
std::vector<SyscallRange> syscallRanges(const ir::Syscalls &syscalls, ir::Arch arch);

uint32_t auditArch(ir::Arch arch);
uint32_t seccompReturn(const ir::SyscallAction &action);

// Compiles the filter of one architecture. Fails (with `error`) past the kernel's limit of
// 4096 instructions rather than emit a program the kernel would refuse.
bool compileSeccomp(const ir::Syscalls &syscalls, ir::Arch arch, bpf::Program &out, std::string &error);

}  // namespace shellc::backends
