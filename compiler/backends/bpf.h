// Classic BPF as seccomp uses it: the program type, a userspace interpreter (for tests and
// benchmarks: it counts the instructions a syscall executes) and a disassembler.
#pragma once
#include <linux/filter.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace shellc::bpf {

using Program = std::vector<sock_filter>;

// What the kernel hands a seccomp filter (struct seccomp_data).
struct SeccompData {
  int32_t nr = 0;
  uint32_t arch = 0;
  uint64_t instructionPointer = 0;
  std::array<uint64_t, 6> args{};
};

struct RunResult {
  uint32_t action = 0;     // SECCOMP_RET_* with its data
  size_t executed = 0;     // instructions executed
  bool valid = true;       // false: the program misbehaved (bad jump, bad load, no return)
};

RunResult run(const Program &program, const SeccompData &data);
std::string disassemble(const Program &program);

}  // namespace shellc::bpf
