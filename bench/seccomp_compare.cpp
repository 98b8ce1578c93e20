// How many BPF instructions a syscall costs under shellc's filter and under libseccomp's
// (default and binary-tree modes) for the same rules, averaged over a real syscall mix.
// usage: seccomp_compare POLICY STRACE_SUMMARY [STDLIB]
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "backends/bpf.h"
#include "backends/seccomp_bpf.h"
#include "frontend/check.h"

using namespace shellc;

namespace {

struct MixEntry {
  int nr;
  double calls;
};

// `strace -c` summary lines: "% time seconds usecs/call calls [errors] syscall".
std::vector<MixEntry> readMix(const std::string &path) {
  std::vector<MixEntry> mix;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.size() < 5 || f.back() == "total" || !std::isdigit(static_cast<unsigned char>(f[0][0]))) continue;
    int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, f.back().c_str());
    if (nr >= 0) mix.push_back({nr, std::stod(f[3])});
  }
  return mix;
}

uint32_t libseccompAction(const ir::SyscallAction &a) {
  switch (a.kind) {
  case ir::ActionKind::Allow: return SCMP_ACT_ALLOW;
  case ir::ActionKind::Log: return SCMP_ACT_LOG;
  case ir::ActionKind::Notify: return SCMP_ACT_NOTIFY;
  case ir::ActionKind::Errno: return SCMP_ACT_ERRNO(a.errnoValue);
  case ir::ActionKind::Trap: return SCMP_ACT_TRAP;
  case ir::ActionKind::KillThread: return SCMP_ACT_KILL_THREAD;
  case ir::ActionKind::KillProcess: return SCMP_ACT_KILL_PROCESS;
  }
  return SCMP_ACT_KILL_PROCESS;
}

// The same rules through libseccomp; `a & m != v` has no comparator there, so it becomes
// one rule per bit of the mask (as the OCI emitter does).
bpf::Program libseccompProgram(const ir::Syscalls &sys, bool binaryTree, size_t &refused) {
  scmp_filter_ctx ctx = seccomp_init(libseccompAction(sys.defaultAction));
  seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
  seccomp_arch_add(ctx, SCMP_ARCH_X86_64);
  if (binaryTree) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  for (const ir::SyscallRule &r : sys.rules) {
    auto nr = r.numbers.find(ir::Arch::X86_64);
    if (nr == r.numbers.end()) continue;
    std::vector<std::vector<scmp_arg_cmp>> alternatives{{}};
    for (const ir::ArgCondition &c : r.conditions) {
      std::vector<scmp_arg_cmp> options;
      auto cmp = [&](scmp_compare op, uint64_t a, uint64_t b) { options.push_back({c.index, op, a, b}); };
      switch (c.op) {
      case ir::CompareOp::Eq: cmp(SCMP_CMP_EQ, c.value, 0); break;
      case ir::CompareOp::Ne: cmp(SCMP_CMP_NE, c.value, 0); break;
      case ir::CompareOp::Lt: cmp(SCMP_CMP_LT, c.value, 0); break;
      case ir::CompareOp::Le: cmp(SCMP_CMP_LE, c.value, 0); break;
      case ir::CompareOp::Gt: cmp(SCMP_CMP_GT, c.value, 0); break;
      case ir::CompareOp::Ge: cmp(SCMP_CMP_GE, c.value, 0); break;
      case ir::CompareOp::MaskedEq: cmp(SCMP_CMP_MASKED_EQ, c.mask, c.value & c.mask); break;
      case ir::CompareOp::MaskedNe:
        for (unsigned bit = 0; bit < 64; ++bit)
          if (c.mask & (1ull << bit)) cmp(SCMP_CMP_MASKED_EQ, 1ull << bit, ~c.value & (1ull << bit));
      }
      std::vector<std::vector<scmp_arg_cmp>> next;
      for (auto &prefix : alternatives)
        for (auto &o : options) {
          next.push_back(prefix);
          next.back().push_back(o);
        }
      alternatives = std::move(next);
    }
    for (auto &conds : alternatives)
      if (seccomp_rule_add_exact_array(ctx, libseccompAction(r.action), nr->second, conds.size(), conds.data()) != 0)
        ++refused;
  }
  int fd = memfd_create("bpf", 0);
  seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  off_t size = lseek(fd, 0, SEEK_END);
  bpf::Program program(size / sizeof(sock_filter));
  pread(fd, program.data(), size, 0);
  close(fd);
  return program;
}

double averageExecuted(const bpf::Program &program, const std::vector<MixEntry> &mix) {
  double instructions = 0, calls = 0;
  for (const MixEntry &m : mix) {
    bpf::SeccompData data;
    data.nr = m.nr;
    data.arch = backends::auditArch(ir::Arch::X86_64);
    instructions += m.calls * bpf::run(program, data).executed;
    calls += m.calls;
  }
  return instructions / calls;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::cerr << "usage: seccomp_compare POLICY STRACE_SUMMARY [STDLIB]\n";
    return 2;
  }
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOptions options;
  options.stdlibDir = argc > 3 ? argv[3] : SHELLC_SOURCE_DIR "/stdlib";
  CheckOutput checked = checkPolicyFile(argv[1], options, sources, diags);
  if (!checked.ok) {
    std::cerr << "seccomp_compare: " << argv[1] << " does not check\n";
    return 1;
  }
  std::vector<MixEntry> mix = readMix(argv[2]);
  bpf::Program ours;
  std::string error;
  if (!backends::compileSeccomp(checked.policy.syscalls, ir::Arch::X86_64, ours, error)) {
    std::cerr << error << "\n";
    return 1;
  }
  size_t refusedDefault = 0, refusedTree = 0;
  bpf::Program plain = libseccompProgram(checked.policy.syscalls, false, refusedDefault);
  bpf::Program tree = libseccompProgram(checked.policy.syscalls, true, refusedTree);
  double oursAvg = averageExecuted(ours, mix), plainAvg = averageExecuted(plain, mix), treeAvg = averageExecuted(tree, mix);
  std::printf("%s (x86_64, %zu syscalls in the mix)\n", argv[1], mix.size());
  std::printf("  %-28s %12s %22s %10s\n", "filter", "instructions", "executed per syscall", "ratio");
  std::printf("  %-28s %12zu %22.2f %10.2f\n", "shellc", ours.size(), oursAvg, 1.0);
  std::printf("  %-28s %12zu %22.2f %10.2f\n", "libseccomp default", plain.size(), plainAvg, plainAvg / oursAvg);
  std::printf("  %-28s %12zu %22.2f %10.2f\n", "libseccomp binary tree", tree.size(), treeAvg, treeAvg / oursAvg);
  if (refusedDefault || refusedTree)
    std::printf("  (libseccomp refused %zu rules it considers redundant with the default)\n", refusedDefault);
  return 0;
}
