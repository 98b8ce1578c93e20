// The syscalls layer on one architecture: the call number and the six arguments are
// bit-vectors, as the kernel passes them, and the action is a rank that orders actions as
// ir::stricter does, so that the strictest matching rule is the greatest rank. Exact.
#include <algorithm>
#include <map>

#include "frontend/syscall_names.h"
#include "verify/requests.h"
#include "verify/smt.h"

namespace shellc::verify::smt {

// Greater is stricter: the kind, then the smaller errno.
int actionRank(const ir::SyscallAction &action) {
  int errnoPart = action.kind == ir::ActionKind::Errno ? 4096 - action.errnoValue : 0;
  return static_cast<int>(action.kind) * 8192 + errnoPart;
}

namespace {


const int kLogRank = actionRank({ir::ActionKind::Log, 0});

// The call's name on `arch`, for printing a witness whose number the solver chose.
std::string callName(ir::Arch arch, int number) {
  static std::map<std::pair<ir::Arch, int>, std::string> names = [] {
    std::map<std::pair<ir::Arch, int>, std::string> out;
    for (std::string_view name : knownSyscallNames())
      if (auto info = lookupSyscall(name))
        for (auto [a, nr] : info->numbers) out.emplace(std::pair{a, nr}, std::string(name));
    return out;
  }();
  auto found = names.find({arch, number});
  return found != names.end() ? found->second : "syscall_" + std::to_string(number);
}

class SyscallLayer : public Layer {
public:
  SyscallLayer(z3::context &ctx, ir::Arch arch)
      : Layer(ctx), arch_(arch), nr_(ctx.bv_const((std::string("nr_") + ir::archName(arch)).c_str(), 32)), args_(ctx) {
    for (int i = 0; i < 6; ++i)
      args_.push_back(ctx.bv_const((std::string("arg") + std::to_string(i) + "_" + ir::archName(arch)).c_str(), 64));
  }

  std::string name() const override { return std::string("syscalls (") + ir::archName(arch_) + ")"; }
  z3::expr domain() const override { return ctx_.bool_val(true); }

  std::vector<Statement> statements(const ir::Policy &policy) const override {
    return groupStatements(
        policy.syscalls.rules, [&](const ir::SyscallRule &r) { return matches(r); },
        [](const ir::SyscallRule &r) { return actionRank(r.action) <= kLogRank; },
        [&](const ir::SyscallRule &r) { return where(r); });
  }

  // An arch the policy builds no filter for kills every call (ir::evaluateSyscall).
  z3::expr decision(const ir::Policy &policy, const z3::expr &skip) const override {
    const ir::Syscalls &sys = policy.syscalls;
    if (std::find(sys.arches.begin(), sys.arches.end(), arch_) == sys.arches.end())
      return ctx_.int_val(actionRank({ir::ActionKind::KillProcess, 0}));
    std::vector<int> statement = statementOf(sys.rules);
    // One test per action, of whether any rule with it matches: a test per rule made a
    // chain as long as the policy, which took Z3 half a minute for 10,000 rules.
    std::map<int, std::vector<z3::expr>> byRank;
    for (size_t i = 0; i < sys.rules.size(); ++i)
      byRank[actionRank(sys.rules[i].action)].push_back(matches(sys.rules[i]) && skip != statement[i]);
    // Built from the least strict up, so that the strictest matching action is tested first.
    z3::expr out = ctx_.int_val(actionRank(sys.defaultAction));
    for (const auto &[rank, terms] : byRank) out = z3::ite(anyOf(ctx_, terms), ctx_.int_val(rank), out);
    return out;
  }

  // `notify` is decided at run time: it possibly permits and possibly refuses.
  z3::expr permits(const ir::Policy &policy, const ir::Request *) const override {
    return decision(policy, ctx_.int_val(-1)) <= actionRank({ir::ActionKind::Notify, 0});
  }
  z3::expr refuses(const ir::Policy &policy, const ir::Request *) const override {
    return decision(policy, ctx_.int_val(-1)) > kLogRank;
  }

  bool describes(const ir::Request &pattern) const override {
    return pattern.kind == ir::Request::Kind::Syscall && pattern.syscallNumbers.count(arch_) &&
           (!pattern.arch || *pattern.arch == arch_);
  }

  z3::expr pattern(const ir::Request &pattern) const override {
    z3::expr out = nr_ == ctx_.bv_val(pattern.syscallNumbers.at(arch_), 32);
    for (size_t i = 0; i < pattern.args.size() && i < 6; ++i)
      if (pattern.args[i]) {
        uint64_t seen = pattern.argMasks[i];
        out = out && (args_[i] & ctx_.bv_val(seen, 64)) == ctx_.bv_val(*pattern.args[i] & seen, 64);
      }
    return out;
  }

  std::string text(const z3::model &model) const override {
    auto [number, args] = decode(model);
    std::string out = "syscall " + callName(arch_, number) + "(";
    for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + std::to_string(args[i]);
    return out + ") on " + ir::archName(arch_);
  }

  Recheck recheck(const z3::model &model, const ir::Policy &policy, const ir::Request *) const override {
    auto [number, args] = decode(model);
    ir::SyscallDecision d = ir::evaluateSyscall(policy.syscalls, arch_, number, args);
    int r = actionRank(d.action);
    Recheck out{r <= actionRank({ir::ActionKind::Notify, 0}), r > kLogRank, actionText(d.action), {}};
    for (const ir::SyscallRule *rule : d.deciding) out.deciding.push_back(&rule->id);
    return out;
  }

  z3::expr request(int number, const ir::SyscallArgs &args) const {
    z3::expr out = nr_ == ctx_.bv_val(number, 32);
    for (int i = 0; i < 6; ++i) out = out && args_[i] == ctx_.bv_val(args[i], 64);
    return out;
  }

  z3::expr matches(const ir::SyscallRule &rule) const {
    auto nr = rule.numbers.find(arch_);
    if (nr == rule.numbers.end()) return ctx_.bool_val(false);
    z3::expr out = nr_ == ctx_.bv_val(nr->second, 32);
    for (const ir::ArgCondition &c : rule.conditions) out = out && condition(c);
    return out;
  }

private:
  // Along the call number, then the first argument where a rule fixes it (socket(AF_UNIX)
  // and socket(AF_INET) never meet): the number in the top bits, the argument's low bits
  // below. Equal low bits of different values meet, which only costs a larger question.
  static constexpr int kArgBits = 54;
  Footprint where(const ir::SyscallRule &rule) const {
    auto nr = rule.numbers.find(arch_);
    if (nr == rule.numbers.end()) return Footprint();
    if (nr->second < 0 || nr->second >= (1 << (64 - kArgBits))) return Footprint::anywhere();
    uint64_t call = static_cast<uint64_t>(nr->second) << kArgBits;
    for (const ir::ArgCondition &c : rule.conditions)
      if (c.index == 0 && c.op == ir::CompareOp::Eq && (~c.mask & ((uint64_t{1} << kArgBits) - 1)) == 0) {
        uint64_t arg = c.value & ((uint64_t{1} << kArgBits) - 1);
        return Footprint::range(call + arg, call + arg + 1);
      }
    return Footprint::range(call, call + (uint64_t{1} << kArgBits));
  }

  z3::expr condition(const ir::ArgCondition &c) const {
    // As the kernel reads it: the mask narrows an `int` to its low 32 bits (ir::ArgCondition).
    z3::expr arg = c.mask == ~0ull ? args_[c.index] : (args_[c.index] & ctx_.bv_val(c.mask, 64));
    z3::expr value = ctx_.bv_val(c.value, 64);
    switch (c.op) {
    case ir::CompareOp::Eq: return arg == value;
    case ir::CompareOp::Ne: return arg != value;
    case ir::CompareOp::Lt: return z3::ult(arg, value);
    case ir::CompareOp::Le: return z3::ule(arg, value);
    case ir::CompareOp::Gt: return z3::ugt(arg, value);
    case ir::CompareOp::Ge: return z3::uge(arg, value);
    case ir::CompareOp::MaskedEq: return arg == value;
    case ir::CompareOp::MaskedNe: return arg != value;
    }
    return ctx_.bool_val(false);
  }

  std::pair<int, ir::SyscallArgs> decode(const z3::model &model) const {
    ir::SyscallArgs args{};
    for (int i = 0; i < 6; ++i) args[i] = model.eval(args_[i], true).get_numeral_uint64();
    return {static_cast<int>(model.eval(nr_, true).get_numeral_uint64()), args};
  }

  ir::Arch arch_;
  z3::expr nr_;
  z3::expr_vector args_;
};

}  // namespace

std::unique_ptr<Layer> syscallLayer(z3::context &ctx, ir::Arch arch) { return std::make_unique<SyscallLayer>(ctx, arch); }

z3::expr syscallRequest(const Layer &layer, int number, const ir::SyscallArgs &args) {
  return static_cast<const SyscallLayer &>(layer).request(number, args);
}

}  // namespace shellc::verify::smt
