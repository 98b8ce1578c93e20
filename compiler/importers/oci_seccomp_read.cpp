#include <algorithm>
#include <cerrno>
#include <map>

#include "importers/oci_seccomp_profile.h"

namespace shellc::importers {
namespace {

using llvm::json::Object;
using llvm::json::Value;

const std::vector<std::string_view> kActions = {
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",   "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_LOG",   "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE"};


constexpr unsigned kMaxErrno = 4095;  // the kernel's MAX_ERRNO: larger values are cut to it
constexpr uint64_t kErrnoBits = 0xffff;  // what libseccomp keeps of errnoRet

const char *kIgnoredKey = "ignored, as Docker ignores it";

std::string describe(const std::string &path) {
  return path.empty() ? "the profile" : "'" + path + "'";
}

// Go decodes null as an absent value; so does the profile reader.
const Value *present(const Object &object, std::string_view key) {
  const Value *v = object.get(key);
  return v && v->kind() != Value::Null ? v : nullptr;
}

class ProfileReader {
public:
  explicit ProfileReader(JsonInput &in) : in_(in) {}

  bool read(SeccompProfile &out) {
    const Object *root = in_.object(in_.root(), "");
    if (!root) return false;
    in_.warnUnknownKeys(*root, "",
                        {"defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "flags",
                         "listenerPath", "listenerMetadata"},
                        kIgnoredKey);
    unsupported(*root, "flags", "seccomp filter flags have no equivalent in shellc; ignored");
    unsupported(*root, "listenerPath", "shellc's supervisor answers SCMP_ACT_NOTIFY itself; ignored");
    unsupported(*root, "listenerMetadata", "shellc's supervisor answers SCMP_ACT_NOTIFY itself; ignored");
    bool ok = true;
    if (auto action = this->action(*root, "", "defaultAction", "defaultErrnoRet")) out.defaultAction = *action;
    else ok = false;
    ok &= arches(*root, out);
    const Value *syscalls = present(*root, "syscalls");
    const llvm::json::Array *entries = syscalls ? in_.array(*syscalls, "syscalls") : nullptr;
    if (syscalls && !entries) return false;
    for (size_t i = 0; entries && i < entries->size(); ++i) {
      SeccompEntry entry;
      if (this->entry((*entries)[i], element("syscalls", i), entry)) out.entries.push_back(std::move(entry));
      else ok = false;
    }
    return ok;
  }

private:
  void unsupported(const Object &object, std::string_view key, const std::string &message) {
    if (present(object, key)) in_.diags().warning("no-equivalent", in_.keySpan(std::string(key)), message);
  }

  std::optional<ir::SyscallAction> action(const Object &object, const std::string &path, std::string_view actionKey,
                                          std::string_view errnoKey) {
    const Value *v = present(object, actionKey);
    if (!v) {
      in_.diags()
          .error("missing-key", in_.span(path), describe(path) + " has no '" + std::string(actionKey) + "'")
          .withHint("add e.g. \"" + std::string(actionKey) + "\": \"SCMP_ACT_ERRNO\"");
      return std::nullopt;
    }
    std::string actionPath = member(path, actionKey), errnoPath = member(path, errnoKey);
    auto name = in_.string(*v, actionPath);
    if (!name) return std::nullopt;
    const Value *errnoRet = present(object, errnoKey);
    if (*name == "SCMP_ACT_ERRNO") {
      auto value = errnoRet ? errnoValue(*errnoRet, errnoPath) : std::optional<uint16_t>(EPERM);
      if (!value) return std::nullopt;
      return ir::SyscallAction{ir::ActionKind::Errno, *value};
    }
    if (errnoRet && *name != "SCMP_ACT_TRACE")
      in_.diags().warning("unused-key", in_.keySpan(errnoPath),
                          "'" + std::string(errnoKey) + "' applies only to SCMP_ACT_ERRNO; ignored");
    if (*name == "SCMP_ACT_ALLOW") return ir::SyscallAction{ir::ActionKind::Allow, 0};
    if (*name == "SCMP_ACT_LOG") return ir::SyscallAction{ir::ActionKind::Log, 0};
    if (*name == "SCMP_ACT_NOTIFY") return ir::SyscallAction{ir::ActionKind::Notify, 0};
    if (*name == "SCMP_ACT_TRAP") return ir::SyscallAction{ir::ActionKind::Trap, 0};
    // libseccomp defines SCMP_ACT_KILL as SCMP_ACT_KILL_THREAD.
    if (*name == "SCMP_ACT_KILL" || *name == "SCMP_ACT_KILL_THREAD") return ir::SyscallAction{ir::ActionKind::KillThread, 0};
    if (*name == "SCMP_ACT_KILL_PROCESS") return ir::SyscallAction{ir::ActionKind::KillProcess, 0};
    if (*name == "SCMP_ACT_TRACE") {
      in_.diags().warning("no-equivalent", in_.span(actionPath),
                          "SCMP_ACT_TRACE hands the call to a ptrace tracer, and a shellc sandbox has none; "
                          "without a tracer the kernel fails the call with ENOSYS: imported as errno(ENOSYS)");
      return ir::SyscallAction{ir::ActionKind::Errno, ENOSYS};
    }
    Diagnostic &d = in_.diags().error("invalid-value", in_.span(actionPath), "unknown action '" + *name + "'");
    std::string guess = didYouMean(*name, kActions);
    d.withHint(guess.empty() ? "one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, "
                               "SCMP_ACT_TRAP, SCMP_ACT_LOG, SCMP_ACT_NOTIFY, SCMP_ACT_TRACE"
                             : guess);
    return std::nullopt;
  }

  std::optional<uint16_t> errnoValue(const Value &v, const std::string &path) {
    auto value = in_.unsignedInteger(v, path);
    if (!value) return std::nullopt;
    if (*value == 0 || *value > kErrnoBits) {
      // libseccomp keeps 16 bits, and errno 0 makes the call return 0 without running it.
      in_.diags()
          .error("invalid-value", in_.span(path), "errno " + std::to_string(*value) + " does not make the call fail")
          .withHint("write an errno from 1 to " + std::to_string(kMaxErrno) + ", e.g. 1 (EPERM)");
      return std::nullopt;
    }
    if (*value > kMaxErrno) {
      in_.diags().warning("no-equivalent", in_.span(path),
                          "the kernel cuts errno values to " + std::to_string(kMaxErrno) + ": imported as errno(" +
                              std::to_string(kMaxErrno) + ")");
      return kMaxErrno;
    }
    return static_cast<uint16_t>(*value);
  }

  std::optional<std::vector<std::string>> strings(const Value &v, const std::string &path) {
    const llvm::json::Array *array = in_.array(v, path);
    if (!array) return std::nullopt;
    std::vector<std::string> out;
    for (size_t i = 0; i < array->size(); ++i) {
      auto s = in_.string((*array)[i], element(path, i));
      if (!s) return std::nullopt;
      out.push_back(*s);
    }
    return out;
  }

  bool arches(const Object &root, SeccompProfile &out) {
    std::vector<std::pair<std::string, std::string>> named;  // SCMP_ARCH_ name, JSON path
    if (const Value *list = present(root, "architectures")) {
      auto names = strings(*list, "architectures");
      if (!names) return false;
      for (size_t i = 0; i < names->size(); ++i) named.emplace_back((*names)[i], element("architectures", i));
    }
    const Value *map = present(root, "archMap");
    const llvm::json::Array *entries = map ? in_.array(*map, "archMap") : nullptr;
    if (map && !entries) return false;
    for (size_t i = 0; entries && i < entries->size(); ++i) {
      std::string path = element("archMap", i);
      const Object *entry = in_.object((*entries)[i], path);
      if (!entry) return false;
      in_.warnUnknownKeys(*entry, path, {"architecture", "subArchitectures"}, kIgnoredKey);
      if (const Value *arch = present(*entry, "architecture")) {
        auto name = in_.string(*arch, member(path, "architecture"));
        if (!name) return false;
        named.emplace_back(*name, member(path, "architecture"));
      }
      if (const Value *subs = present(*entry, "subArchitectures")) {
        auto names = strings(*subs, member(path, "subArchitectures"));
        if (!names) return false;
        for (const std::string &n : *names) named.emplace_back(n, member(path, "subArchitectures"));
      }
    }
    for (auto &[name, path] : named) {
      std::optional<ir::Arch> arch = name == "SCMP_ARCH_X86_64"    ? std::optional(ir::Arch::X86_64)
                                     : name == "SCMP_ARCH_AARCH64" ? std::optional(ir::Arch::AArch64)
                                                                   : std::nullopt;
      std::vector<ir::Arch> &ours = out.arches;
      if (arch && std::find(ours.begin(), ours.end(), *arch) == ours.end()) ours.push_back(*arch);
      std::vector<std::string> &others = out.otherArches;
      if (!arch && std::find(others.begin(), others.end(), name) == others.end()) others.push_back(name);
    }
    if (!named.empty() && out.arches.empty())
      in_.diags().warning("no-equivalent", in_.span(named.front().second),
                          "the profile names neither SCMP_ARCH_X86_64 nor SCMP_ARCH_AARCH64, the architectures "
                          "shellc builds filters for: the policy targets both");
    if (out.arches.size() == ir::kAllArches.size()) out.arches.clear();
    return true;
  }

  bool entry(const Value &v, const std::string &path, SeccompEntry &out) {
    const Object *o = in_.object(v, path);
    if (!o) return false;
    in_.warnUnknownKeys(*o, path, {"names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes"},
                        kIgnoredKey);
    out.path = path;
    bool ok = names(*o, path, out.names);
    if (auto action = this->action(*o, path, "action", "errnoRet")) out.action = *action;
    else ok = false;
    if (const Value *args = present(*o, "args")) ok &= conditions(*args, member(path, "args"), out.conditions);
    if (const Value *comment = present(*o, "comment")) {
      auto text = in_.string(*comment, member(path, "comment"));
      if (text) out.comment = *text;
      else ok = false;
    }
    ok &= filter(*o, path, "includes", out.includes);
    ok &= filter(*o, path, "excludes", out.excludes);
    return ok;
  }

  bool names(const Object &entry, const std::string &path, std::vector<SeccompName> &out) {
    const Value *list = present(entry, "names"), *single = present(entry, "name");
    if (list && single) {
      in_.diags()
          .error("invalid-value", in_.keySpan(member(path, "name")), "'name' and 'names' cannot both be set")
          .withHint("move the name into 'names'");
      return false;
    }
    if (single) {
      auto name = in_.string(*single, member(path, "name"));
      if (name) out.push_back({*name, member(path, "name")});
      return name.has_value();
    }
    if (!list) {
      in_.diags().warning("missing-key", in_.span(path), describe(path) + " has no 'names': it matches no call");
      return true;
    }
    auto names = strings(*list, member(path, "names"));
    if (!names) return false;
    for (size_t i = 0; i < names->size(); ++i) out.push_back({(*names)[i], element(member(path, "names"), i)});
    return true;
  }

  bool conditions(const Value &v, const std::string &path, std::vector<ir::ArgCondition> &out) {
    const llvm::json::Array *args = in_.array(v, path);
    if (!args) return false;
    bool ok = true;
    std::map<unsigned, std::string> seen;  // argument index -> the first condition on it
    for (size_t i = 0; i < args->size(); ++i) {
      ir::ArgCondition c;
      std::string at = element(path, i);
      if (!condition((*args)[i], at, c)) {
        ok = false;
        continue;
      }
      auto [first, fresh] = seen.emplace(c.index, at);
      if (!fresh)
        in_.diags()
            .warning("no-equivalent", in_.span(at),
                     "a second condition on argument " + std::to_string(c.index) +
                         ": imported ANDed with the first, as libseccomp and crun apply them; runc (Docker's "
                         "runtime) applies each condition on its own, ORed")
            .withNote(in_.span(first->second), "the first condition on it");
      out.push_back(c);
    }
    return ok;
  }

  bool condition(const Value &v, const std::string &path, ir::ArgCondition &out) {
    const Object *o = in_.object(v, path);
    if (!o) return false;
    in_.warnUnknownKeys(*o, path, {"index", "value", "valueTwo", "op"}, kIgnoredKey);
    uint64_t index = 0, value = 0, valueTwo = 0;
    for (auto [key, slot] : {std::pair{"index", &index}, {"value", &value}, {"valueTwo", &valueTwo}}) {
      const Value *field = present(*o, key);
      if (!field) continue;  // Go's zero value
      auto n = in_.unsignedInteger(*field, member(path, key));
      if (!n) return false;
      *slot = *n;
    }
    if (index > 5) {
      in_.diags()
          .error("invalid-value", in_.span(member(path, "index")), "a system call has arguments 0 to 5")
          .withHint("write an index from 0 to 5");
      return false;
    }
    const Value *op = present(*o, "op");
    auto opName = op ? in_.string(*op, member(path, "op")) : std::nullopt;
    if (!op) in_.diags().error("missing-key", in_.span(path), describe(path) + " has no 'op'").withHint("add e.g. \"op\": \"SCMP_CMP_EQ\"");
    if (!opName) return false;
    auto known = std::find_if(ir::kCompareOps.begin(), ir::kCompareOps.end(),
                              [&](const ir::CompareOpWords &w) { return w.oci && *opName == w.oci; });
    if (known == ir::kCompareOps.end()) {
      std::vector<std::string_view> names;
      for (const ir::CompareOpWords &w : ir::kCompareOps)
        if (w.oci) names.push_back(w.oci);
      std::string guess = didYouMean(*opName, names);
      in_.diags()
          .error("invalid-value", in_.span(member(path, "op")), "unknown comparison '" + *opName + "'")
          .withHint(guess.empty() ? "one of SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GT, "
                                    "SCMP_CMP_GE, SCMP_CMP_MASKED_EQ"
                                  : guess);
      return false;
    }
    out.index = static_cast<unsigned>(index);
    out.op = known->op;
    // SCMP_CMP_MASKED_EQ compares `arg & value` with valueTwo.
    bool masked = out.op == ir::CompareOp::MaskedEq;
    out.mask = masked ? value : ~0ull;
    out.value = masked ? valueTwo : value;
    return true;
  }

  bool filter(const Object &entry, const std::string &path, std::string_view key, SeccompFilter &out) {
    const Value *v = present(entry, key);
    if (!v) return true;
    std::string at = member(path, key);
    const Object *o = in_.object(*v, at);
    if (!o) return false;
    in_.warnUnknownKeys(*o, at, {"caps", "arches", "minKernel"}, kIgnoredKey);
    for (auto [name, list] : {std::pair{"caps", &out.caps}, {"arches", &out.arches}}) {
      const Value *field = present(*o, name);
      if (!field) continue;
      auto values = strings(*field, member(at, name));
      if (!values) return false;
      *list = std::move(*values);
    }
    if (const Value *minKernel = present(*o, "minKernel")) {
      auto text = in_.string(*minKernel, member(at, "minKernel"));
      if (!text) return false;
      out.minKernel = parseKernelVersion(*text);
      if (!out.minKernel) {
        in_.diags()
            .error("invalid-value", in_.span(member(at, "minKernel")), "invalid kernel version '" + *text + "'")
            .withHint("write \"<kernel>.<major>\", e.g. \"4.8\"");
        return false;
      }
    }
    return true;
  }

  JsonInput &in_;
};

}  // namespace

bool readSeccompProfile(JsonInput &in, SeccompProfile &out) {
  return ProfileReader(in).read(out);
}

}  // namespace shellc::importers
