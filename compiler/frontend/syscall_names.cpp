#include "frontend/syscall_names.h"

#include <seccomp.h>

#include <algorithm>
#include <string>

namespace shellc {
namespace {

struct ArgTableEntry {
  std::string_view name;
  std::vector<std::string_view> args;
};

#define SYSCALL_ARGS(name, ...) {#name, {__VA_ARGS__}},
const std::vector<ArgTableEntry> &argTable() {
  static const std::vector<ArgTableEntry> table = {
#include "frontend/syscall_args.def"
  };
  return table;
}
#undef SYSCALL_ARGS

struct WidthTableEntry {
  std::string_view name;
  std::vector<uint8_t> widths;
};

#define SYSCALL_WIDTHS(name, ...) {#name, {__VA_ARGS__}},
const std::vector<WidthTableEntry> &widthTable() {
  static const std::vector<WidthTableEntry> table = {
#include "frontend/syscall_widths.def"
  };
  return table;
}
#undef SYSCALL_WIDTHS

uint32_t seccompArch(ir::Arch arch) {
  return arch == ir::Arch::X86_64 ? SCMP_ARCH_X86_64 : SCMP_ARCH_AARCH64;
}

}  // namespace

std::optional<SyscallInfo> lookupSyscall(std::string_view name) {
  std::string n(name);
  SyscallInfo info;
  for (ir::Arch arch : ir::kAllArches) {
    int nr = seccomp_syscall_resolve_name_arch(seccompArch(arch), n.c_str());
    if (nr >= 0) info.numbers[arch] = nr;  // negative: a libseccomp pseudo-call, absent here
  }
  if (info.numbers.empty()) return std::nullopt;
  const auto &table = argTable();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const ArgTableEntry &e, std::string_view n) { return e.name < n; });
  if (it != table.end() && it->name == name) info.argNames = it->args;
  // The width table follows the argument table's order (it is generated from it).
  const auto &widths = widthTable();
  auto w = std::lower_bound(widths.begin(), widths.end(), name,
                            [](const WidthTableEntry &e, std::string_view n) { return e.name < n; });
  if (w != widths.end() && w->name == name)
    for (size_t i = 0; i < w->widths.size() && i < info.argWidths.size(); ++i) info.argWidths[i] = w->widths[i];
  return info;
}

std::vector<std::string_view> knownSyscallNames() {
  std::vector<std::string_view> names;
  for (const auto &entry : argTable()) names.push_back(entry.name);
  return names;
}

std::optional<unsigned> argumentIndex(const SyscallInfo &info, std::string_view arg) {
  for (unsigned i = 0; i < info.argNames.size(); ++i)
    if (info.argNames[i] == arg) return i;
  if (arg.size() == 4 && arg.substr(0, 3) == "arg" && arg[3] >= '0' && arg[3] <= '5')
    return static_cast<unsigned>(arg[3] - '0');
  return std::nullopt;
}

}  // namespace shellc
