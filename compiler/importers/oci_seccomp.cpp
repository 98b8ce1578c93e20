#include <seccomp.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "frontend/parser.h"
#include "frontend/syscall_names.h"
#include "importers/importers.h"
#include "importers/oci_seccomp_profile.h"
#include "importers/policy_writer.h"

namespace shellc::importers {
namespace {

// Docker compares an entry's arches with Go's name of the architecture it runs on.
std::string goArch(ir::Arch arch) {
  return arch == ir::Arch::X86_64 ? "amd64" : "arm64";
}

bool contains(const std::vector<std::string> &list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Why Docker leaves `entry` out on `arch` for a container that holds no capabilities, on
// `kernel`; nullopt when it keeps it.
std::optional<std::string> leftOutBecause(const SeccompEntry &entry, ir::Arch arch, KernelVersion kernel) {
  const SeccompFilter &in = entry.includes, &out = entry.excludes;
  if (contains(out.arches, goArch(arch))) return "not on " + goArch(arch);
  if (!in.arches.empty() && !contains(in.arches, goArch(arch))) return "only on " + joined(in.arches);
  if (!in.caps.empty()) return "only with " + joined(in.caps, " and ") + ", and the sandbox holds no capabilities";
  if (out.minKernel && kernel >= *out.minKernel)
    return "only before Linux " + out.minKernel->text() + " (this is " + kernel.text() + ")";
  if (in.minKernel && kernel < *in.minKernel)
    return "only from Linux " + in.minKernel->text() + " on (this is " + kernel.text() + ")";
  return std::nullopt;
}

// libseccomp resolves a name it knows to a (maybe negative, pseudo) number on every
// architecture, and one it does not know to __NR_SCMP_ERROR.
bool knownToLibseccomp(const std::string &name) {
  return seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.c_str()) != __NR_SCMP_ERROR;
}

std::string libseccompVersion() {
  const scmp_version *v = seccomp_version();
  return "libseccomp " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

std::string number(uint64_t value, bool hex) {
  if (!hex) return std::to_string(value);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

// Flags and masks read best in hex, small numbers in decimal.
std::string number(uint64_t value) {
  return number(value, value >= 0x10000);
}

// Whether a call with this action fails (or waits for the supervisor) rather than running.
bool refuses(const ir::SyscallAction &action) {
  return action.kind != ir::ActionKind::Allow && action.kind != ir::ActionKind::Log;
}

bool isEperm(const ir::SyscallAction &action) {
  return action.kind == ir::ActionKind::Errno && action.errnoValue == EPERM;
}

// A rule of the language for `calls` (each a name, maybe with its conditions).
std::string rule(const ir::SyscallAction &action, const std::vector<std::string> &calls) {
  std::string list = joined(calls);
  switch (action.kind) {
  case ir::ActionKind::Allow: return "allow " + list;
  case ir::ActionKind::Log: return "log " + list;
  case ir::ActionKind::KillProcess: return "kill " + list;
  default: return "deny " + list + (isEperm(action) ? "" : " => " + ir::actionText(action));
  }
}

class SeccompWriter {
public:
  SeccompWriter(const SeccompProfile &profile, std::string file, const OciSeccompOptions &options, JsonInput &in)
      : profile_(profile), file_(std::move(file)), options_(options), in_(in),
        targets_(profile.arches.empty() ? std::vector<ir::Arch>(ir::kAllArches.begin(), ir::kAllArches.end())
                                        : profile.arches) {}

  void write(PolicyWriter &out) {
    out.comment("Imported by `shellc import oci-seccomp` from " + file_ + ", read as Docker reads it for a "
                "container that holds no capabilities, on Linux " + options_.kernel.text() + ".");
    out.statement("policy " + identifier(file_.substr(0, file_.rfind('.'))));
    out.open("syscalls");
    out.comment(file_ + ": defaultAction");
    out.statement("default " + (isEperm(profile_.defaultAction) ? "deny" : ir::actionText(profile_.defaultAction)));
    arches(out);
    for (const SeccompEntry &entry : profile_.entries) this->entry(out, entry);
    out.close();
  }

private:
  void arches(PolicyWriter &out) {
    if (!profile_.otherArches.empty())
      out.comment(file_ + ": architectures: shellc builds no filter for " + joined(profile_.otherArches) +
                  ", so calls through them are killed");
    if (profile_.arches.empty()) return;
    std::vector<std::string> names;
    for (ir::Arch arch : profile_.arches) names.push_back(ir::archName(arch));
    out.statement("arch " + joined(names));
  }

  std::string targetsText() const {
    std::vector<std::string> names;
    for (ir::Arch arch : targets_) names.push_back(ir::archName(arch));
    return joined(names, " or ");
  }

  void entry(PolicyWriter &out, const SeccompEntry &entry) {
    std::string where = file_ + ": " + entry.path + (entry.comment.empty() ? "" : " (" + entry.comment + ")");
    std::vector<ir::Arch> applies;
    std::string reason;
    for (ir::Arch arch : targets_) {
      auto why = leftOutBecause(entry, arch, options_.kernel);
      if (!why) applies.push_back(arch);
      else if (reason.empty()) reason = *why;
    }
    if (applies.empty()) {
      out.comment(where + ": not imported, " + reason);
      return;
    }
    std::vector<std::string> calls, elsewhere;
    std::vector<const SeccompName *> unknown;
    for (const SeccompName &name : entry.names) {
      auto info = lookupSyscall(name.name);
      std::vector<ir::Arch> exists;
      for (ir::Arch arch : targets_)
        if (info && info->numbers.count(arch)) exists.push_back(arch);
      if (!info && !knownToLibseccomp(name.name)) {
        unknown.push_back(&name);
      } else if (exists.empty()) {
        elsewhere.push_back(name.name);
      } else if (fitsArches(name, exists, applies, entry.action)) {
        if (auto call = this->call(name, *info, entry)) calls.push_back(*call);
      }
    }
    reportUnknown(unknown);
    out.comment(where);
    if (!elsewhere.empty()) out.comment("not on " + targetsText() + ": " + joined(elsewhere));
    if (calls.empty()) out.comment("nothing to import");
    else out.statement(rule(entry.action, calls));
  }

  // A shellc rule applies wherever its call exists, so a call of an entry that Docker applies
  // on only some architectures, and that exists on the others too, cannot be imported exactly:
  // an allowing entry leaves it out, a refusing one keeps it (it then refuses there too).
  bool fitsArches(const SeccompName &name, const std::vector<ir::Arch> &exists, const std::vector<ir::Arch> &applies,
                  const ir::SyscallAction &action) {
    for (ir::Arch arch : exists) {
      if (std::find(applies.begin(), applies.end(), arch) != applies.end()) continue;
      in_.diags().warning("no-equivalent", in_.span(name.path),
                          "'" + name.name + "' exists on " + ir::archName(arch) +
                              ", where Docker leaves this entry out, and a shellc rule cannot be limited to some "
                              "architectures: " + (refuses(action) ? "refused there too" : "left out"));
      return refuses(action);
    }
    return true;
  }

  // `name(arg OP value, ...)`. A condition on an argument the call does not take compares a
  // register the kernel ignores, which the language cannot name: an allowing entry leaves the
  // call out (nullopt), a refusing one drops the condition (it refuses whatever the register).
  std::optional<std::string> call(const SeccompName &name, const SyscallInfo &info, const SeccompEntry &entry) {
    std::vector<std::string> conditions;
    for (const ir::ArgCondition &c : entry.conditions) {
      if (c.index >= info.argNames.size()) {
        size_t n = info.argNames.size();
        std::string takes = n == 0 ? "no arguments" : n == 1 ? "1 argument" : std::to_string(n) + " arguments";
        in_.diags().warning("no-equivalent", in_.span(member(entry.path, "args")),
                            "'" + name.name + "' takes " + takes + ", so a condition on argument " +
                                std::to_string(c.index) + " compares a register the kernel ignores: " +
                                (refuses(entry.action) ? "condition dropped" : "call left out"));
        if (!refuses(entry.action)) return std::nullopt;
        continue;
      }
      std::string arg(info.argNames[c.index]);
      if (isKeyword(arg)) arg = "arg" + std::to_string(c.index);
      bool masked = c.op == ir::CompareOp::MaskedEq;
      conditions.push_back(arg + (masked ? " & " + number(c.mask, true) : "") + " " + ir::compareOpWords(c.op).language + " " +
                           number(c.value));
    }
    return conditions.empty() ? name.name : name.name + "(" + joined(conditions) + ")";
  }

  void reportUnknown(const std::vector<const SeccompName *> &unknown) {
    if (unknown.empty()) return;
    std::vector<std::string> names;
    for (const SeccompName *n : unknown) names.push_back("'" + n->name + "'");
    in_.diags().warning("unknown-syscall", in_.span(unknown.front()->path),
                        libseccompVersion() + " does not know " + joined(names) +
                            ": left out, so the default action applies to " + (names.size() == 1 ? "it" : "them"));
  }

  const SeccompProfile &profile_;
  std::string file_;
  const OciSeccompOptions &options_;
  JsonInput &in_;
  std::vector<ir::Arch> targets_;
};

}  // namespace

std::optional<KernelVersion> parseKernelVersion(std::string_view text) {
  KernelVersion v;
  size_t i = 0;
  auto digits = [&](unsigned &out) {
    size_t start = i;
    for (out = 0; i < text.size() && i - start < 6 && text[i] >= '0' && text[i] <= '9'; ++i)
      out = out * 10 + (text[i] - '0');
    return i > start;
  };
  if (!digits(v.major) || i >= text.size() || text[i++] != '.' || !digits(v.minor)) return std::nullopt;
  return v;
}

std::optional<KernelVersion> runningKernel() {
  utsname name;
  if (uname(&name) != 0) return std::nullopt;
  return parseKernelVersion(name.release);
}

bool importOciSeccomp(SourceManager &sources, FileId file, const OciSeccompOptions &options,
                      DiagnosticEngine &diags, std::string &out) {
  JsonInput in(sources, file, diags);
  if (!in.parse("a seccomp profile is a JSON object such as "
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [...]}"))
    return false;
  SeccompProfile profile;
  if (!readSeccompProfile(in, profile)) return false;
  PolicyWriter writer;
  SeccompWriter(profile, baseName(sources.name(file)), options, in).write(writer);
  return writer.finish(sources, sources.name(file) + " (imported)", diags, out);
}

}  // namespace shellc::importers
