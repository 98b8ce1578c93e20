#include "backends/bpf.h"

#include <linux/seccomp.h>

#include <cstring>
#include <iomanip>
#include <sstream>

namespace shellc::bpf {

RunResult run(const Program &program, const SeccompData &data) {
  // The kernel's seccomp_data layout: nr, arch, instruction_pointer, args[6].
  uint8_t bytes[64];
  std::memcpy(bytes, &data.nr, 4);
  std::memcpy(bytes + 4, &data.arch, 4);
  std::memcpy(bytes + 8, &data.instructionPointer, 8);
  std::memcpy(bytes + 16, data.args.data(), 48);
  RunResult result;
  uint32_t a = 0, x = 0;
  uint32_t scratch[BPF_MEMWORDS] = {};
  for (size_t pc = 0; pc < program.size();) {
    const sock_filter &in = program[pc];
    ++result.executed;
    auto jump = [&](bool taken) { pc += 1 + (taken ? in.jt : in.jf); };
    uint32_t operand = BPF_SRC(in.code) == BPF_X ? x : in.k;
    switch (BPF_CLASS(in.code)) {
    case BPF_LD:
      if (BPF_MODE(in.code) == BPF_ABS && BPF_SIZE(in.code) == BPF_W && in.k % 4 == 0 && in.k + 4 <= 64) {
        std::memcpy(&a, bytes + in.k, 4);
      } else if (BPF_MODE(in.code) == BPF_IMM) {
        a = in.k;
      } else if (BPF_MODE(in.code) == BPF_MEM && in.k < BPF_MEMWORDS) {
        a = scratch[in.k];
      } else {
        return {0, result.executed, false};
      }
      ++pc;
      break;
    case BPF_ST:
      if (in.k >= BPF_MEMWORDS) return {0, result.executed, false};
      scratch[in.k] = a;
      ++pc;
      break;
    case BPF_ALU:
      switch (BPF_OP(in.code)) {
      case BPF_AND: a &= operand; break;
      case BPF_OR: a |= operand; break;
      case BPF_ADD: a += operand; break;
      case BPF_SUB: a -= operand; break;
      case BPF_LSH: a <<= operand; break;
      case BPF_RSH: a >>= operand; break;
      default: return {0, result.executed, false};
      }
      ++pc;
      break;
    case BPF_MISC:
      if (BPF_MISCOP(in.code) == BPF_TAX) x = a;
      else a = x;
      ++pc;
      break;
    case BPF_JMP:
      switch (BPF_OP(in.code)) {
      case BPF_JA: pc += 1 + in.k; break;
      case BPF_JEQ: jump(a == operand); break;
      case BPF_JGT: jump(a > operand); break;
      case BPF_JGE: jump(a >= operand); break;
      case BPF_JSET: jump((a & operand) != 0); break;
      default: return {0, result.executed, false};
      }
      break;
    case BPF_RET:
      result.action = BPF_RVAL(in.code) == BPF_A ? a : in.k;
      return result;
    default:
      return {0, result.executed, false};
    }
  }
  result.valid = false;  // fell off the end: the kernel rejects such a program
  return result;
}

namespace {
std::string actionName(uint32_t k) {
  std::ostringstream os;
  switch (k & SECCOMP_RET_ACTION_FULL) {
  case SECCOMP_RET_KILL_PROCESS: return "KILL_PROCESS";
  case SECCOMP_RET_KILL_THREAD: return "KILL_THREAD";
  case SECCOMP_RET_TRAP: return "TRAP";
  case SECCOMP_RET_ERRNO: os << "ERRNO(" << (k & SECCOMP_RET_DATA) << ")"; return os.str();
  case SECCOMP_RET_USER_NOTIF: return "USER_NOTIF";
  case SECCOMP_RET_TRACE: return "TRACE";
  case SECCOMP_RET_LOG: return "LOG";
  case SECCOMP_RET_ALLOW: return "ALLOW";
  }
  os << "0x" << std::hex << k;
  return os.str();
}

std::string loadName(uint32_t k) {
  if (k == 0) return "nr";
  if (k == 4) return "arch";
  if (k >= 16 && k < 64) return "args[" + std::to_string((k - 16) / 8) + "]." + ((k - 16) % 8 ? "hi" : "lo");
  return "data[" + std::to_string(k) + "]";
}
}  // namespace

std::string disassemble(const Program &program) {
  std::ostringstream os;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter &in = program[pc];
    os << std::setw(4) << std::setfill('0') << pc << ": " << std::setfill(' ');
    auto hex = [](uint32_t v) {
      std::ostringstream h;
      h << "0x" << std::hex << v;
      return h.str();
    };
    switch (BPF_CLASS(in.code)) {
    case BPF_LD: os << "ld  " << (BPF_MODE(in.code) == BPF_ABS ? loadName(in.k) : hex(in.k)); break;
    case BPF_ALU: os << "and " << hex(in.k); break;
    case BPF_RET: os << "ret " << actionName(in.k); break;
    case BPF_JMP: {
      const char *op = BPF_OP(in.code) == BPF_JEQ ? "jeq" : BPF_OP(in.code) == BPF_JGT ? "jgt"
                       : BPF_OP(in.code) == BPF_JGE ? "jge" : BPF_OP(in.code) == BPF_JSET ? "jset" : "ja";
      if (BPF_OP(in.code) == BPF_JA) {
        os << "ja  " << pc + 1 + in.k;
      } else {
        os << op << (std::strlen(op) == 3 ? " " : "") << " " << hex(in.k) << ", " << pc + 1 + in.jt << ", "
           << pc + 1 + in.jf;
      }
      break;
    }
    default: os << "op 0x" << std::hex << in.code << std::dec;
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace shellc::bpf
