// System call names and numbers per architecture (libseccomp's resolver) and their argument
// names (syscall_args.def, after the man pages).
#pragma once
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "ir/policy.h"

namespace shellc {

struct SyscallInfo {
  std::map<ir::Arch, int> numbers;  // only the arches where the call exists
  std::vector<std::string_view> argNames;
};

std::optional<SyscallInfo> lookupSyscall(std::string_view name);
std::vector<std::string_view> knownSyscallNames();
// The argument's position: a name from the table, or arg0..arg5.
std::optional<unsigned> argumentIndex(const SyscallInfo &info, std::string_view arg);

}  // namespace shellc
