// System call names and numbers per architecture (libseccomp's resolver) and their argument
// names (syscall_args.def, after the man pages).
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "ir/policy.h"

namespace shellc {

struct SyscallInfo {
  std::map<ir::Arch, int> numbers;  // only the arches where the call exists
  std::vector<std::string_view> argNames;
  // How many bits of each argument the kernel reads (syscall_widths.def): 16, 32 or 64.
  std::array<uint8_t, 6> argWidths = {64, 64, 64, 64, 64, 64};
};
// All ones in the bits of an argument the kernel reads.
inline uint64_t widthMask(uint8_t width) { return width >= 64 ? ~0ull : (1ull << width) - 1; }

std::optional<SyscallInfo> lookupSyscall(std::string_view name);
std::vector<std::string_view> knownSyscallNames();
// The argument's position: a name from the table, or arg0..arg5.
std::optional<unsigned> argumentIndex(const SyscallInfo &info, std::string_view arg);

}  // namespace shellc
