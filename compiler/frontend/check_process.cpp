#include <linux/capability.h>

#include <algorithm>

#include "frontend/checker.h"
#include "frontend/constants.h"

namespace shellc {

namespace {
// The bounds are the runtime's (docs/bundle.md): a policy that checks is never refused at
// start for a limit. Durations are in milliseconds, from 1 to a century.
constexpr uint64_t kMaxBytes = 1ull << 62, kMaxMilliseconds = 100ull * 366 * 24 * 3600 * 1000;
struct LimitKind {
  std::string_view name;
  ir::Limit limit;
  enum { Count, Size, Duration } unit;
  uint64_t min, max;
  const char *why;
};
const LimitKind kLimits[] = {
    {"open_files", ir::Limit::OpenFiles, LimitKind::Count, 0, 1u << 20, "the kernel's nr_open ceiling"},
    {"processes", ir::Limit::Processes, LimitKind::Count, 0, 1u << 22, "the kernel's pid ceiling"},
    {"memory", ir::Limit::Memory, LimitKind::Size, 0, kMaxBytes, "2^62 bytes"},
    {"file_size", ir::Limit::FileSize, LimitKind::Size, 0, kMaxBytes, "2^62 bytes"},
    {"stack", ir::Limit::Stack, LimitKind::Size, 0, kMaxBytes, "2^62 bytes"},
    {"core", ir::Limit::Core, LimitKind::Size, 0, kMaxBytes, "2^62 bytes"},
    {"cpu_time", ir::Limit::CpuTime, LimitKind::Duration, 1, kMaxMilliseconds, "1 ms to a century"},
    {"wall_time", ir::Limit::WallTime, LimitKind::Duration, 1, kMaxMilliseconds, "1 ms to a century"},
};
}  // namespace

namespace {

// `run_as UID[:GID]`: numbers (or int parameters), never names, which differ by machine.
void runAs(Checker &c, const ast::ProcessStmt &s, ir::Process &proc) {
  std::optional<uint32_t> ids[2];
  for (size_t i = 0; i < s.values.size(); ++i) {
    const char *what = i ? "gid" : "uid";
    if (s.values[i].kind == ast::Value::Kind::Ident && !c.declaredParams().count(s.values[i].text)) {
      c.error("invalid-value", s.values[i].span, "'" + s.values[i].text + "' is not a numeric " + what)
          .withHint("user names differ between machines; write the number");
      continue;
    }
    auto v = c.resolve(s.values[i], {ParamType::Int}, what);
    uint64_t n;
    ValueError e;
    if (!v) continue;
    if (!parseUnsigned(v->text, n, e) || n > 4294967294u)
      c.error("invalid-value", v->span, "a " + std::string(what) + " is 0..4294967294");
    else
      ids[i] = static_cast<uint32_t>(n);
  }
  if (!ids[0] || (s.values.size() > 1 && !ids[1])) return;
  proc.uid = ids[0];
  proc.gid = s.values.size() > 1 ? ids[1] : ids[0];
}

void reportUnknownCapability(Checker &c, const ast::Value &cap) {
  Diagnostic &d = c.error("unknown-capability", cap.span, "unknown capability '" + cap.text + "'");
  std::vector<std::string_view> names = constantNames("CAP_");
  std::erase_if(names, [](std::string_view n) {
    auto v = lookupConstant(n);
    return !v || !v->on(ir::Arch::X86_64) || *v->on(ir::Arch::X86_64) > CAP_LAST_CAP;
  });
  std::string guess = didYouMean(cap.text, names);
  if (guess.empty() && cap.text.rfind("CAP_", 0) != 0) guess = didYouMean("CAP_" + cap.text, names);
  if (!guess.empty()) d.withHint(guess);
}

void capabilities(Checker &c, const ast::ProcessStmt &s, ir::Process &proc) {
  if (s.values.size() == 1 && s.values[0].text == "none") return;
  for (const ast::Value &cap : s.values) {
    if (cap.text == "none") {
      c.error("invalid-value", cap.span, "'none' cannot be combined with capabilities")
          .withHint("write `capabilities none` alone, or list only the capabilities");
      continue;
    }
    auto values = cap.text.rfind("CAP_", 0) == 0 ? lookupConstant(cap.text) : std::nullopt;
    auto value = values ? values->on(ir::Arch::X86_64) : std::nullopt;  // the same on every arch
    if (!value || *value > CAP_LAST_CAP) {
      reportUnknownCapability(c, cap);
      continue;
    }
    proc.capabilities.emplace_back(cap.text, static_cast<int>(*value));
  }
}

void limit(Checker &c, const ast::ProcessStmt &s, ir::Process &proc) {
  const ast::Value &name = s.values[0];
  const LimitKind *kind = nullptr;
  std::vector<std::string_view> names;
  for (const LimitKind &k : kLimits) {
    names.push_back(k.name);
    if (k.name == name.text) kind = &k;
  }
  if (!kind) {
    c.oneOf(name, names, "limit");
    return;
  }
  ParamType type = kind->unit == LimitKind::Count  ? ParamType::Int
                   : kind->unit == LimitKind::Size ? ParamType::Size
                                                   : ParamType::Duration;
  auto value = c.resolve(s.values[1], {type}, paramTypeName(type));
  if (!value) return;
  uint64_t n = 0;
  ValueError e;
  bool ok = false;
  if (kind->unit == LimitKind::Count && value->kind == ast::Value::Kind::Quantity)
    e = {"'" + name.text + "' is a count, not a quantity", "write a plain number"};
  else
    ok = kind->unit == LimitKind::Count  ? parseUnsigned(value->text, n, e)
         : kind->unit == LimitKind::Size ? parseSize(value->text, n, e)
                                         : parseDuration(value->text, n, e);
  if (ok && (n < kind->min || n > kind->max)) {
    ok = false;
    e = {"limit " + std::string(kind->name) + " is out of range (" + kind->why + ")",
         "the runtime accepts " + std::to_string(kind->min) + " to " + std::to_string(kind->max) +
             (kind->unit == LimitKind::Count ? "" : kind->unit == LimitKind::Size ? " bytes" : " ms")};
  }
  if (!ok) c.report("invalid-value", value->span, e);
  else proc.limits[kind->limit] = n;
}

// `env pass` and `env set`; each variable is passed or set once.
class Environment {
public:
  explicit Environment(Checker &c) : c_(c) {}

  void pass(const ast::ProcessStmt &s, ir::Process &proc) {
    for (const ast::Value &v : s.values) {
      auto name = c_.resolve(v, {ParamType::String}, "variable name");
      ValueError e;
      if (!name) continue;
      if (!checkEnvName(name->text, e)) c_.report("invalid-value", v.span, e);
      else if (claim(name->text, v.span)) proc.envPass.push_back(name->text);
    }
  }

  void set(const ast::ProcessStmt &s, ir::Process &proc) {
    ValueError e;
    if (!checkEnvName(s.values[0].text, e)) {
      c_.report("invalid-value", s.values[0].span, e);
      return;
    }
    auto value = c_.resolve(s.values[1], {ParamType::String, ParamType::Path, ParamType::Host, ParamType::Int,
                                          ParamType::Url}, "string");
    if (value && claim(s.values[0].text, s.values[0].span)) proc.envSet.emplace_back(s.values[0].text, value->text);
  }

private:
  bool claim(const std::string &name, Span span) {
    auto [it, inserted] = variables_.emplace(name, span);
    if (!inserted)
      c_.error("duplicate-statement", span, "environment variable '" + name + "' is given twice")
          .withNote(it->second, "first given here");
    return inserted;
  }

  Checker &c_;
  std::map<std::string, Span> variables_;
};

}  // namespace

void Checker::checkProcess() {
  ir::Process &proc = policy_.process;
  std::map<std::string, Span> seen;  // statements that may appear once
  std::optional<Span> runAsSpan, rootOptIn;
  Environment environment(*this);
  forEachModule([&](const ast::Module &m) {
    for (const ast::ProcessStmt &s : m.processStmts) {
      std::string key = s.kind == "limit" ? "limit " + s.values[0].text : s.kind;
      if (s.kind != "env_pass" && s.kind != "env_set") {
        auto [it, inserted] = seen.emplace(key, s.span);
        if (!inserted) {
          Diagnostic &d = error("duplicate-statement", s.span, "'" + key + "' is given twice");
          d.withNote(it->second, "first given here");
          addImportNotes(d, sources_, chainOf(s.span.file));
          continue;
        }
      }
      if (s.kind == "run_as") runAs(*this, s, proc), runAsSpan = s.span;
      else if (s.kind == "allow_root") proc.allowRoot = true, rootOptIn = s.span;
      else if (s.kind == "capabilities") capabilities(*this, s, proc);
      else if (s.kind == "limit") limit(*this, s, proc);
      else if (s.kind == "env_pass") environment.pass(s, proc);
      else if (s.kind == "env_set") environment.set(s, proc);
    }
  });
  if (proc.uid && !proc.allowRoot && (*proc.uid == 0 || *proc.gid == 0)) {
    error("root-refused", *runAsSpan, "running as uid or gid 0 is refused")
        .withHint("if the sandbox really must run as root, add `allow_root` to the process block");
  }
  if (rootOptIn && (!proc.uid || (*proc.uid != 0 && *proc.gid != 0)))
    warning("unused-allow-root", *rootOptIn, "'allow_root' has no effect: the policy does not run as root");
}

}  // namespace shellc
