#include "backends/seccomp_bpf.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>

#include "ir/evaluate.h"

namespace shellc::backends {

using ir::stricter;

uint32_t auditArch(ir::Arch arch) {
  return arch == ir::Arch::X86_64 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
}

uint32_t seccompReturn(const ir::SyscallAction &action) {
  switch (action.kind) {
  case ir::ActionKind::Allow: return SECCOMP_RET_ALLOW;
  case ir::ActionKind::Log: return SECCOMP_RET_LOG;
  case ir::ActionKind::Notify: return SECCOMP_RET_USER_NOTIF;
  case ir::ActionKind::Errno: return SECCOMP_RET_ERRNO | (action.errnoValue & SECCOMP_RET_DATA);
  case ir::ActionKind::Trap: return SECCOMP_RET_TRAP;
  case ir::ActionKind::KillThread: return SECCOMP_RET_KILL_THREAD;
  case ir::ActionKind::KillProcess: return SECCOMP_RET_KILL_PROCESS;
  }
  return SECCOMP_RET_KILL_PROCESS;
}

namespace {

constexpr uint32_t kX32SyscallBit = 0x40000000;
constexpr size_t kMaxInstructions = BPF_MAXINSNS;
constexpr uint32_t kArgOffset = 16;  // offsetof(struct seccomp_data, args)

// Builds the program from its end backwards, so that every jump target already exists and
// its distance is known. A conditional jump reaches 255 instructions; a farther target gets
// a copy of its `ret` (when it is one) or a `ja` trampoline next to the jump.
class Emitter {
public:
  using Label = size_t;  // position counted from the end of the program

  Label ret(uint32_t action) {
    auto it = rets_.find(action);
    if (it != rets_.end() && distance(it->second) <= 255) return it->second;
    return rets_[action] = emit(BPF_STMT(BPF_RET | BPF_K, action));
  }
  Label load(uint32_t offset) { return emit(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset)); }
  Label andMask(uint32_t mask) { return emit(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask)); }

  // `a OP k ? yes : no`; op is BPF_JEQ, BPF_JGT, BPF_JGE or BPF_JSET.
  Label jump(uint16_t op, uint32_t k, Label yes, Label no) {
    if (yes == no) return yes;
    for (;;) {
      Label y = reachable(yes), n = reachable(no);
      if (distance(y) <= 255 && distance(n) <= 255)
        return emit(BPF_JUMP(BPF_JMP | op | BPF_K, k, static_cast<uint8_t>(distance(y)),
                             static_cast<uint8_t>(distance(n))));
      yes = y;
      no = n;
    }
  }

  // Makes `target` the instruction that the next one emitted falls through to.
  Label flowInto(Label target) {
    if (target + 1 == reversed_.size()) return target;
    return emit(BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, static_cast<uint32_t>(distance(target)), 0, 0));
  }

  size_t size() const { return reversed_.size(); }
  bpf::Program program() const { return bpf::Program(reversed_.rbegin(), reversed_.rend()); }

private:
  // Jump offset from the next instruction emitted to `target`.
  size_t distance(Label target) const { return reversed_.size() - target - 1; }

  Label reachable(Label target) {
    if (distance(target) <= 255) return target;
    const sock_filter &in = reversed_[target];
    if (BPF_CLASS(in.code) == BPF_RET) return ret(in.k);
    return emit(BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, static_cast<uint32_t>(distance(target)), 0, 0));
  }

  Label emit(sock_filter in) {
    reversed_.push_back(in);
    return reversed_.size() - 1;
  }

  std::vector<sock_filter> reversed_;
  std::map<uint32_t, Label> rets_;
};

uint32_t hi(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
uint32_t lo(uint64_t v) { return static_cast<uint32_t>(v); }

// One comparison of an argument, `arg & mask <op> value`, word by word: the high words
// decide unless they are equal; a mask without high bits (an `int`, as the kernel reads it)
// leaves the low word alone to decide.
Emitter::Label condition(Emitter &e, const ir::ArgCondition &c, Emitter::Label yes, Emitter::Label no) {
  if (yes == no) return yes;  // the outcome does not depend on the condition: test nothing
  uint32_t offset = kArgOffset + 8 * c.index;  // little-endian: low word first
  switch (c.op) {
  case ir::CompareOp::Ne:
  case ir::CompareOp::MaskedNe:
    std::swap(yes, no);
    [[fallthrough]];
  case ir::CompareOp::Eq:
  case ir::CompareOp::MaskedEq: {
    // `arg & mask == value` with the value as written: a value with bits outside the mask
    // never matches (the checker warns), and each word's jeq then fails by itself.
    uint64_t mask = c.mask;
    uint64_t value = c.value;
    if (hi(mask) == 0 && hi(value) != 0) return no;
    e.jump(BPF_JEQ, lo(value), yes, no);
    if (lo(mask) != ~0u) e.andMask(lo(mask));
    Emitter::Label low = e.load(offset);
    if (hi(mask) == 0) return low;  // the high word is masked away: only the low one decides
    e.jump(BPF_JEQ, hi(value), low, no);
    if (hi(mask) != ~0u) e.andMask(hi(mask));
    return e.load(offset + 4);
  }
  case ir::CompareOp::Lt:  // !(>=)
  case ir::CompareOp::Le:  // !(>)
    std::swap(yes, no);
    [[fallthrough]];
  case ir::CompareOp::Gt:
  case ir::CompareOp::Ge: {
    bool strict = c.op == ir::CompareOp::Gt || c.op == ir::CompareOp::Le;
    if (hi(c.mask) == 0 && hi(c.value) != 0) return no;  // the masked argument is never that large
    e.jump(strict ? BPF_JGT : BPF_JGE, lo(c.value), yes, no);
    if (lo(c.mask) != ~0u) e.andMask(lo(c.mask));
    Emitter::Label low = e.load(offset);
    if (hi(c.mask) == 0) return low;  // only the low word is read
    Emitter::Label equalHigh = e.jump(BPF_JEQ, hi(c.value), low, no);
    e.jump(BPF_JGT, hi(c.value), yes, equalHigh);
    if (hi(c.mask) != ~0u) e.andMask(hi(c.mask));
    return e.load(offset + 4);
  }
  }
  return no;
}

// The code deciding one syscall number whose rules have argument conditions: the rules
// that could beat the unconditional outcome, tried from the strictest down.
Emitter::Label conditionalBlock(Emitter &e, std::vector<const ir::SyscallRule *> rules,
                                const ir::SyscallAction &fallback) {
  std::optional<ir::SyscallAction> unconditional;
  for (const ir::SyscallRule *r : rules)
    if (r->conditions.empty() && (!unconditional || stricter(r->action, *unconditional))) unconditional = r->action;
  ir::SyscallAction otherwise = unconditional.value_or(fallback);
  std::erase_if(rules, [&](const ir::SyscallRule *r) {
    return r->conditions.empty() || (unconditional && !stricter(r->action, *unconditional));
  });
  std::stable_sort(rules.begin(), rules.end(),
                   [](const ir::SyscallRule *a, const ir::SyscallRule *b) { return stricter(a->action, b->action); });
  Emitter::Label next = e.ret(seccompReturn(otherwise));
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    Emitter::Label match = e.ret(seccompReturn((*it)->action));
    Emitter::Label fail = next;
    for (auto c = (*it)->conditions.rbegin(); c != (*it)->conditions.rend(); ++c) match = condition(e, *c, match, fail);
    next = match;
  }
  return next;
}

using Leaf = SyscallLeaf;
using Range = SyscallRange;

std::map<int, double> weightsByNumber(ir::Arch arch) {
  static const std::vector<std::pair<const char *, double>> table = {
#define SYSCALL_WEIGHT(name, calls) {#name, calls},
#include "backends/syscall_weights.def"
#undef SYSCALL_WEIGHT
  };
  std::map<int, double> weights;
  uint32_t seccompArch = arch == ir::Arch::X86_64 ? SCMP_ARCH_X86_64 : SCMP_ARCH_AARCH64;
  for (auto &[name, calls] : table) {
    int nr = seccomp_syscall_resolve_name_arch(seccompArch, name);
    if (nr >= 0) weights[nr] += calls;
  }
  return weights;
}

// Optimal weighted search tree over the ranges (Knuth's O(n^2) dynamic programme): each
// comparison costs one instruction for every call routed through it.
class SearchTree {
public:
  explicit SearchTree(const std::vector<Range> &ranges) : n_(ranges.size()) {
    std::vector<double> prefix(n_ + 1, 0);
    for (size_t i = 0; i < n_; ++i) prefix[i + 1] = prefix[i] + ranges[i].weight;
    cost_.assign(n_ * n_, 0);
    root_.assign(n_ * n_, 0);
    for (size_t i = 0; i < n_; ++i) root_[i * n_ + i] = i;
    for (size_t length = 2; length <= n_; ++length) {
      for (size_t i = 0; i + length <= n_; ++i) {
        size_t j = i + length - 1;
        size_t from = std::max(root_[i * n_ + j - 1], i + 1), to = std::max(root_[(i + 1) * n_ + j], from);
        double best = -1;
        for (size_t k = from; k <= to; ++k) {  // k: first range of the right subtree
          double c = cost_[i * n_ + k - 1] + cost_[k * n_ + j];
          if (best < 0 || c < best) {
            best = c;
            root_[i * n_ + j] = k;
          }
        }
        cost_[i * n_ + j] = best + prefix[j + 1] - prefix[i];
      }
    }
  }
  size_t split(size_t i, size_t j) const { return root_[i * n_ + j]; }

private:
  size_t n_;
  std::vector<double> cost_;
  std::vector<size_t> root_;
};

std::map<int, std::vector<const ir::SyscallRule *>> rulesByNumber(const ir::Syscalls &syscalls, ir::Arch arch) {
  std::map<int, std::vector<const ir::SyscallRule *>> byNumber;
  for (const ir::SyscallRule &rule : syscalls.rules) {
    auto it = rule.numbers.find(arch);
    if (it != rule.numbers.end()) byNumber[it->second].push_back(&rule);
  }
  return byNumber;
}

}  // namespace

std::vector<SyscallRange> syscallRanges(const ir::Syscalls &syscalls, ir::Arch arch) {
  std::map<int, std::vector<const ir::SyscallRule *>> byNumber = rulesByNumber(syscalls, arch);
  const uint32_t fallback = seccompReturn(syscalls.defaultAction);
  auto leafOf = [&](int nr) {
    auto it = byNumber.find(nr);
    if (it == byNumber.end()) return Leaf{false, fallback, -1};
    bool conditional = std::any_of(it->second.begin(), it->second.end(),
                                   [](const ir::SyscallRule *r) { return !r->conditions.empty(); });
    if (conditional) return Leaf{true, 0, nr};
    ir::SyscallAction strictest = it->second.front()->action;
    for (const ir::SyscallRule *r : it->second)
      if (stricter(r->action, strictest)) strictest = r->action;
    return Leaf{false, seccompReturn(strictest), -1};
  };

  // Ranges of consecutive numbers decided the same way, up to the largest number named;
  // everything above shares the default's range.
  std::map<int, double> weights = weightsByNumber(arch);
  int top = byNumber.empty() ? 0 : byNumber.rbegin()->first + 1;
  std::vector<Range> ranges;
  for (int nr = 0; nr <= top; ++nr) {
    Leaf leaf = nr == top ? Leaf{false, fallback, -1} : leafOf(nr);
    double w = 1 + (weights.count(nr) ? weights[nr] : 0);
    if (!ranges.empty() && ranges.back().leaf == leaf) ranges.back().weight += w;
    else ranges.push_back({static_cast<uint32_t>(nr), leaf, w});
  }
  return ranges;
}

bool compileSeccomp(const ir::Syscalls &syscalls, ir::Arch arch, bpf::Program &out, std::string &error) {
  std::map<int, std::vector<const ir::SyscallRule *>> byNumber = rulesByNumber(syscalls, arch);
  std::vector<Range> ranges = syscallRanges(syscalls, arch);
  Emitter e;
  SearchTree tree(ranges);
  std::map<int, Emitter::Label> blocks;
  std::function<Emitter::Label(size_t, size_t)> subtree = [&](size_t i, size_t j) -> Emitter::Label {
    if (i == j) {
      const Leaf &leaf = ranges[i].leaf;
      if (!leaf.conditional) return e.ret(leaf.action);
      auto it = blocks.find(leaf.nr);
      if (it != blocks.end()) return it->second;
      return blocks[leaf.nr] = conditionalBlock(e, byNumber[leaf.nr], syscalls.defaultAction);
    }
    size_t k = tree.split(i, j);
    Emitter::Label right = subtree(k, j);
    Emitter::Label left = subtree(i, k - 1);
    return e.jump(BPF_JGE, ranges[k].first, right, left);
  };
  Emitter::Label dispatch = subtree(0, ranges.size() - 1);
  if (arch == ir::Arch::X86_64)  // the x32 ABI: the same arch, numbers with bit 30 set
    dispatch = e.jump(BPF_JGE, kX32SyscallBit, e.ret(SECCOMP_RET_KILL_PROCESS), dispatch);
  e.flowInto(dispatch);
  Emitter::Label number = e.load(offsetof(seccomp_data, nr));
  e.jump(BPF_JEQ, auditArch(arch), number, e.ret(SECCOMP_RET_KILL_PROCESS));
  e.load(offsetof(seccomp_data, arch));
  if (e.size() > kMaxInstructions) {
    error = "the " + std::string(ir::archName(arch)) + " seccomp filter needs " + std::to_string(e.size()) +
            " instructions; the kernel accepts at most " + std::to_string(kMaxInstructions);
    return false;
  }
  out = e.program();
  return true;
}

}  // namespace shellc::backends
