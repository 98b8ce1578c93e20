#include "ir/policy.h"

#include <arpa/inet.h>
#include <string.h>

namespace shellc::ir {

const char *measureWord(Budget::Measure measure) {
  for (const MeasureWord &m : kMeasureWords)
    if (m.measure == measure) return m.word;
  return "";
}

std::string accessText(uint8_t access) {
  std::string out;
  for (const AccessWord &a : kAccessWords)
    if (access & a.bit) out += (out.empty() ? "" : ", ") + std::string(a.word);
  return out;
}

const CompareOpWords &compareOpWords(CompareOp op) {
  for (const CompareOpWords &w : kCompareOps)
    if (w.op == op) return w;
  return kCompareOps[0];  // unreachable: every op is in the table
}

const char *archName(Arch arch) { return arch == Arch::X86_64 ? "x86_64" : "aarch64"; }

std::string actionText(const SyscallAction &action) {
  switch (action.kind) {
  case ActionKind::Allow: return "allow";
  case ActionKind::Log: return "log";
  case ActionKind::Notify: return "notify";
  case ActionKind::Trap: return "trap";
  case ActionKind::KillThread: return "kill_thread";
  case ActionKind::KillProcess: return "kill";
  case ActionKind::Errno: break;
  }
  const char *name = strerrorname_np(action.errnoValue);
  return "errno(" + (name ? std::string(name) : std::to_string(action.errnoValue)) + ")";
}

std::string Path::display() const {
  switch (root) {
  case PathRoot::Absolute: return "/" + rel;
  case PathRoot::Home: return rel.empty() ? "~" : "~/" + rel;
  case PathRoot::Workspace: return rel.empty() ? "workspace" : "workspace / \"" + rel + "\"";
  }
  return rel;
}

std::string HostPattern::display() const {
  switch (kind) {
  case Kind::Exact: return name;
  case Kind::OneLabel: return "*." + name;
  case Kind::AnyLabels: return "**." + name;
  case Kind::Cidr: break;
  }
  char buf[INET6_ADDRSTRLEN];
  if (ipv4) {
    inet_ntop(AF_INET, &address[12], buf, sizeof buf);
    return std::string(buf) + (prefix == 128 ? "" : "/" + std::to_string(prefix - 96));
  }
  inet_ntop(AF_INET6, address.data(), buf, sizeof buf);
  return std::string(buf) + (prefix == 128 ? "" : "/" + std::to_string(prefix));
}

}  // namespace shellc::ir
