#include "bundle/seccomp_check.h"

#include <linux/audit.h>

#include <algorithm>
#include <array>
#include <map>
#include <cstddef>
#include <cstring>
#include <set>

namespace shellrt {

namespace {

constexpr uint32_t kX32SyscallBit = 0x40000000;

int actionRank(uint32_t action) {
  switch (action & SECCOMP_RET_ACTION_FULL) {
  case SECCOMP_RET_ALLOW: return 0;
  case SECCOMP_RET_LOG: return 1;
  case SECCOMP_RET_USER_NOTIF: return 2;
  case SECCOMP_RET_ERRNO: return 3;
  case SECCOMP_RET_TRAP: return 4;
  case SECCOMP_RET_KILL_THREAD: return 5;
  default: return 6;  // SECCOMP_RET_KILL_PROCESS, and whatever the kernel treats as it
  }
}

// A load the kernel accepts and shellc emits: a 32-bit word of nr, arch or an argument.
bool loadable(uint32_t offset) {
  return offset % 4 == 0 && offset < sizeof(seccomp_data) &&
         (offset < offsetof(seccomp_data, instruction_pointer) || offset >= offsetof(seccomp_data, args));
}

uint32_t loadWord(const seccomp_data &call, uint32_t offset) {
  uint32_t word;
  std::memcpy(&word, reinterpret_cast<const char *>(&call) + offset, sizeof word);
  return word;
}

bool aluOp(uint16_t op, uint32_t &a, uint32_t k) {
  switch (op) {
  case BPF_AND: a &= k; return true;
  case BPF_OR: a |= k; return true;
  case BPF_XOR: a ^= k; return true;
  case BPF_ADD: a += k; return true;
  case BPF_SUB: a -= k; return true;
  case BPF_LSH: return k < 32 && (a <<= k, true);
  case BPF_RSH: return k < 32 && (a >>= k, true);
  default: return false;
  }
}

bool jumpTaken(uint16_t op, uint32_t a, uint32_t k, bool &known) {
  known = true;
  switch (op) {
  case BPF_JEQ: return a == k;
  case BPF_JGT: return a > k;
  case BPF_JGE: return a >= k;
  case BPF_JSET: return (a & k) != 0;
  default: known = false; return false;
  }
}

// `arg & mask <op> value`: the mask also narrows an argument the kernel reads as 32 bits.
bool conditionHolds(const SeccompRule::Condition &c, uint64_t arg) {
  using Op = SeccompRule::Condition::Op;
  arg &= c.mask;
  switch (c.op) {
  case Op::Eq: return arg == c.value;
  case Op::Ne: return arg != c.value;
  case Op::Lt: return arg < c.value;
  case Op::Le: return arg <= c.value;
  case Op::Gt: return arg > c.value;
  case Op::Ge: return arg >= c.value;
  case Op::MaskedEq: return arg == c.value;
  case Op::MaskedNe: return arg != c.value;
  }
  return false;
}

}  // namespace

bool stricterAction(uint32_t a, uint32_t b) {
  int ra = actionRank(a), rb = actionRank(b);
  if (ra != rb) return ra > rb;
  return ra == 3 && (a & SECCOMP_RET_DATA) < (b & SECCOMP_RET_DATA);
}

bool runSeccompProgram(const std::vector<sock_filter> &program, const seccomp_data &call, uint32_t &result,
                       std::string &error, unsigned *argumentsRead) {
  uint32_t a = 0, x = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter &in = program[pc];
    auto refuse = [&](const std::string &why) { return error = "instruction " + std::to_string(pc) + ": " + why, false; };
    switch (BPF_CLASS(in.code)) {
    case BPF_LD:
      if (in.code == (BPF_LD | BPF_W | BPF_ABS) && loadable(in.k)) {
        a = loadWord(call, in.k);
        if (argumentsRead && in.k >= offsetof(seccomp_data, args))
          *argumentsRead |= 1u << ((in.k - offsetof(seccomp_data, args)) / 8);
      }
      else if (in.code == (BPF_LD | BPF_IMM)) a = in.k;
      else return refuse("a load outside the call's number, architecture and arguments");
      break;
    case BPF_LDX:
      if (in.code != (BPF_LDX | BPF_IMM)) return refuse("an index load shellc never emits");
      x = in.k;
      break;
    case BPF_ALU:
      if (BPF_SRC(in.code) != BPF_K || !aluOp(BPF_OP(in.code), a, in.k)) return refuse("an arithmetic shellc never emits");
      break;
    case BPF_MISC:
      if (BPF_MISCOP(in.code) == BPF_TAX) x = a;
      else a = x;
      break;
    case BPF_JMP: {
      if (BPF_OP(in.code) == BPF_JA) {
        if (in.k >= program.size() - pc - 1) return refuse("a jump past the end");
        pc += in.k;
        break;
      }
      bool known;
      bool taken = jumpTaken(BPF_OP(in.code), a, BPF_SRC(in.code) == BPF_X ? x : in.k, known);
      if (!known) return refuse("a jump shellc never emits");
      size_t offset = taken ? in.jt : in.jf;
      if (offset >= program.size() - pc - 1) return refuse("a jump past the end");
      pc += offset;
      break;
    }
    case BPF_RET:
      if (BPF_RVAL(in.code) != BPF_K) return refuse("a return of a computed value");
      result = in.k;
      return true;
    default: return refuse("an instruction shellc never emits");
    }
  }
  error = "the program runs past its end";
  return false;
}

uint32_t decideByRules(const std::vector<SeccompRule> &rules, uint32_t defaultAction, uint32_t nr,
                       const uint64_t (&args)[6]) {
  bool matched = false;
  uint32_t action = defaultAction;
  for (const SeccompRule &rule : rules) {
    if (rule.nr != nr) continue;
    if (!std::all_of(rule.conditions.begin(), rule.conditions.end(),
                     [&](const SeccompRule::Condition &c) { return conditionHolds(c, args[c.arg]); }))
      continue;
    if (!matched || stricterAction(rule.action, action)) action = rule.action;
    matched = true;
  }
  return action;
}

namespace {

std::string hex(uint64_t v) {
  char buffer[24];
  snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(v));
  return buffer;
}

std::string callText(const seccomp_data &call) {
  std::string text = "call " + std::to_string(call.nr) + " (arch " + hex(call.arch) + ")";
  for (int i = 0; i < 6; ++i)
    if (call.args[i]) text += ", arg" + std::to_string(i) + " = " + hex(call.args[i]);
  return text;
}

// Values around each condition's edge: where a comparison of all 64 bits, of the low 32 or
// of the masked bits would tell a different answer.
void edgeValues(const SeccompRule::Condition &c, std::set<uint64_t> &out) {
  uint64_t v = c.value;
  const uint64_t lowestMaskBit = c.mask & (~c.mask + 1);
  for (uint64_t e : std::initializer_list<uint64_t>{v, v - 1, v + 1, v ^ (1ull << 32), v | 0xffffffff00000000ull,
                                                    v & 0xffffffffull, v | ~c.mask, (v & c.mask) ^ lowestMaskBit, 0,
                                                    ~0ull})
    out.insert(e);
}

// Values where the program's own comparisons of an argument change their answer: each
// constant compared with its low word (with a zero high word, and with the high word
// compared just before it, as a 64-bit comparison is emitted), or with its high word.
using ArgumentEdges = std::array<std::set<uint64_t>, 6>;

ArgumentEdges programEdges(const std::vector<sock_filter> &program) {
  ArgumentEdges out;
  int arg = -1;
  bool high = false;
  uint64_t lastHigh[6] = {};
  for (const sock_filter &in : program) {
    if (in.code == (BPF_LD | BPF_W | BPF_ABS)) {
      // A load past the call's data (which the kernel refuses to load) is no argument.
      bool argument = in.k >= offsetof(seccomp_data, args) && in.k < sizeof(seccomp_data);
      arg = argument ? static_cast<int>((in.k - offsetof(seccomp_data, args)) / 8) : -1;
      high = argument && (in.k - offsetof(seccomp_data, args)) % 8 == 4;
      continue;
    }
    bool compares = BPF_CLASS(in.code) == BPF_JMP && BPF_OP(in.code) != BPF_JA;
    if (arg < 0 || !(compares || in.code == (BPF_ALU | BPF_AND | BPF_K))) continue;
    uint64_t k = in.k;
    if (high) {
      out[arg].insert({k << 32, (k << 32) | 0xffffffffull, (k + 1) << 32, ((k - 1) << 32) | 0xffffffffull});
      lastHigh[arg] = k << 32;
    } else {
      out[arg].insert({k, k - 1, k + 1, lastHigh[arg] | k, (lastHigh[arg] | k) - 1, (lastHigh[arg] | k) + 1});
    }
  }
  return out;
}

class Prober {
public:
  Prober(const SeccompProgram &p, uint32_t defaultAction)
      : p_(p), default_(defaultAction), programEdges_(programEdges(p.program)) {
    for (const SeccompRule &r : p.rules) rulesByNumber_[r.nr].push_back(r);
  }

  bool run() { return foreignCalls() && numbers() && arguments(); }
  const std::string &error() const { return error_; }

private:
  // One call: the program's answer must be `expected`.
  bool probe(const seccomp_data &call, uint32_t expected) {
    uint32_t got;
    unsigned read = 0;
    if (!runSeccompProgram(p_.program, call, got, error_, &read)) return false;
    // A run that loaded no argument took a path that no argument can change.
    if (read) argumentsRead_[call.nr] |= read;
    if (got == expected) return true;
    error_ = callText(call) + ": the program returns " + hex(got) + ", its rules say " + hex(expected);
    return false;
  }
  bool byRules(seccomp_data call) {
    uint64_t args[6];
    std::copy(std::begin(call.args), std::end(call.args), args);
    auto rules = rulesByNumber_.find(call.nr);
    static const std::vector<SeccompRule> none;
    return probe(call, decideByRules(rules == rulesByNumber_.end() ? none : rules->second, default_, call.nr, args));
  }

  // Another architecture, and on x86_64 the x32 ABI, are killed whatever the rules say.
  bool foreignCalls() {
    for (uint32_t arch : std::initializer_list<uint32_t>{AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64,
                                                         AUDIT_ARCH_ARM, 0}) {
      if (arch == p_.auditArch) continue;
      for (uint32_t nr : {0u, 1u, 59u, 221u, kX32SyscallBit})
        if (!probe(seccomp_data{static_cast<int>(nr), arch, 0, {}}, SECCOMP_RET_KILL_PROCESS)) return false;
    }
    if (p_.auditArch != AUDIT_ARCH_X86_64) return true;
    for (uint32_t nr : {kX32SyscallBit, kX32SyscallBit | 1, kX32SyscallBit | 59, 0xffffffffu})
      if (!probe(seccomp_data{static_cast<int>(nr), p_.auditArch, 0, {}}, SECCOMP_RET_KILL_PROCESS)) return false;
    return true;
  }

  // Every number up to past the last rule's, and a few far ones, with zero arguments.
  bool numbers() {
    uint32_t top = 512;
    for (const SeccompRule &r : p_.rules) top = std::max(top, r.nr + 64);
    for (uint32_t nr = 0; nr <= top; ++nr)
      if (!byRules(seccomp_data{static_cast<int>(nr), p_.auditArch, 0, {}})) return false;
    for (uint32_t nr : {0xfffu, 0x10000u, kX32SyscallBit - 1})
      if (!byRules(seccomp_data{static_cast<int>(nr), p_.auditArch, 0, {}})) return false;
    return true;
  }

  // For each number whose rules have conditions or whose program reads an argument: zero,
  // then a point that meets each rule, then each argument that either reads moved across
  // every edge of the rules' conditions and of the program's comparisons.
  bool arguments() {
    std::map<uint32_t, unsigned> numbers = argumentsRead_;
    for (const SeccompRule &r : p_.rules)
      for (const auto &c : r.conditions) numbers[r.nr] |= 1u << c.arg;
    for (auto [nr, args] : numbers)
      if (!argumentsOf(nr, args)) return false;
    return true;
  }

  bool argumentsOf(uint32_t nr, unsigned args) {
    ArgumentEdges edges = programEdges_;
    std::vector<const SeccompRule *> bases{nullptr};
    for (const SeccompRule &r : rulesByNumber_[nr]) {
      for (const auto &c : r.conditions) edgeValues(c, edges[c.arg]);
      if (!r.conditions.empty()) bases.push_back(&r);
    }
    for (const SeccompRule *rule : bases) {
      seccomp_data base{static_cast<int>(nr), p_.auditArch, 0, {}};
      if (rule) meet(*rule, edges, base);
      if (!byRules(base)) return false;
      // Arguments a run is seen to read join those still to move.
      for (unsigned done = 0; (args | argumentsRead_[nr]) & ~done;) {
        unsigned arg = __builtin_ctz((args | argumentsRead_[nr]) & ~done);
        done |= 1u << arg;
        for (uint64_t v : edges[arg]) {
          seccomp_data moved = base;
          moved.args[arg] = v;
          if (!byRules(moved)) return false;
        }
      }
    }
    return true;
  }

  // The first edge value, per argument, that meets the rule's conditions there.
  static void meet(const SeccompRule &r, const ArgumentEdges &edges, seccomp_data &call) {
    for (unsigned arg = 0; arg < 6; ++arg)
      for (uint64_t v : edges[arg])
        if (std::all_of(r.conditions.begin(), r.conditions.end(),
                        [&](const auto &c) { return c.arg != arg || conditionHolds(c, v); })) {
          call.args[arg] = v;
          break;
        }
  }

  const SeccompProgram &p_;
  uint32_t default_;
  ArgumentEdges programEdges_;
  std::map<uint32_t, std::vector<SeccompRule>> rulesByNumber_;
  std::map<uint32_t, unsigned> argumentsRead_;
  std::string error_;
};

}  // namespace

bool checkSeccompProgram(const SeccompProgram &program, uint32_t defaultAction, std::string &error) {
  if (program.program.empty() || program.program.size() > kMaxSeccompInstructions) {
    error = std::to_string(program.program.size()) + " instructions; the kernel loads 1 to " +
            std::to_string(kMaxSeccompInstructions);
    return false;
  }
  Prober prober(program, defaultAction);
  if (prober.run()) return true;
  error = prober.error();
  return false;
}

}  // namespace shellrt
