#include "bundle.h"

#include <sys/resource.h>

#include <fstream>
#include <sstream>

#include "json.h"

namespace shellrt {

std::string SandboxPath::resolve(const std::string &home, const std::string &workspace) const {
  const std::string &base = root == Root::Absolute ? std::string("/") : root == Root::Home ? home : workspace;
  if (rel.empty()) return base;
  return (base.size() > 1 && base.back() != '/' ? base + "/" : base) + rel;
}

std::string RuleSource::display() const {
  std::string where = file + ":" + std::to_string(line);
  return name.empty() ? where : "@" + name + " (" + where + ")";
}

namespace {

constexpr uint64_t kFormatVersion = 1;

std::string decodeBase64(const std::string &in, bool &ok) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  ok = in.size() % 4 == 0;
  for (char c : in) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) {
      ok = false;
      return "";
    }
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

SandboxPath path(const Json &j) {
  SandboxPath p;
  const std::string &root = j["root"].string;
  p.root = root == "home" ? SandboxPath::Root::Home : root == "workspace" ? SandboxPath::Root::Workspace
                                                                          : SandboxPath::Root::Absolute;
  p.rel = j["rel"].string;
  return p;
}

RuleSource source(const Json &j) { return {j["file"].string, j["line"].number, j["name"].string}; }

const char *runningArch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "";
#endif
}

}  // namespace

bool loadBundle(const std::string &file, Bundle &out, std::string &error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = "cannot read " + file;
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  Json j;
  if (!parseJson(text.str(), j, error)) {
    error = file + ": not a bundle: " + error;
    return false;
  }
  if (j["format"].string != "shellc-bundle") {
    error = file + ": not a shellc bundle";
    return false;
  }
  if (j["format_version"].number != kFormatVersion) {
    error = file + ": bundle format " + std::to_string(j["format_version"].number) +
            " (this runtime reads format " + std::to_string(kFormatVersion) + "): rebuild it with a matching shellc";
    return false;
  }
  out.policy = j["policy"].string;

  const Json &process = j["process"];
  if (process.has("uid")) out.uid = static_cast<uint32_t>(process["uid"].number);
  if (process.has("gid")) out.gid = static_cast<uint32_t>(process["gid"].number);
  out.allowRoot = process["allow_root"].boolean;
  const std::pair<const char *, int> limits[] = {
      {"open_files", RLIMIT_NOFILE}, {"processes", RLIMIT_NPROC}, {"memory_bytes", RLIMIT_AS},
      {"file_size_bytes", RLIMIT_FSIZE}, {"stack_bytes", RLIMIT_STACK}, {"core_bytes", RLIMIT_CORE}};
  for (auto &[name, resource] : limits)
    if (process["limits"].has(name)) out.limits.push_back({resource, process["limits"][name].number});
  if (process["limits"].has("cpu_time_ms"))
    out.limits.push_back({RLIMIT_CPU, (process["limits"]["cpu_time_ms"].number + 999) / 1000});
  out.wallTimeMs = process["limits"]["wall_time_ms"].number;
  for (const Json &v : process["env_pass"].array) out.envPass.push_back(v.string);
  for (auto &[name, value] : process["env_set"].object) out.envSet.emplace_back(name, value.string);

  const Json &landlock = j["landlock"];
  out.landlock = landlock["enabled"].boolean;
  out.hardRequirement = landlock["compatibility"].string == "hard_requirement";
  out.handledAccess = landlock["handled_access_fs"].number;
  for (const Json &r : landlock["rights"].array)
    out.rightAbi.emplace_back(r["bit"].number, static_cast<int>(r["abi"].number));
  for (const Json &r : landlock["rules"].array) {
    LandlockRule rule{path(r["path"]), r["access"].number, {}};
    for (const Json &s : r["rules"].array) rule.rules.push_back(source(s));
    out.landlockRules.push_back(std::move(rule));
  }

  for (const Json &m : j["mounts"]["entries"].array) {
    const std::string &kind = m["kind"].string;
    MountEntry::Kind k = kind == "mask" ? MountEntry::Kind::Mask
                         : kind == "readonly" ? MountEntry::Kind::ReadOnly : MountEntry::Kind::NoExec;
    out.mounts.push_back({k, path(m["path"]), source(m["rule"])});
  }

  const Json &arch = j["seccomp"]["arches"][runningArch()];
  if (arch.kind != Json::Kind::Object) {
    error = file + ": the bundle has no seccomp filter for " + runningArch() + "; it targets other architectures";
    return false;
  }
  bool ok = false;
  std::string program = decodeBase64(arch["program"].string, ok);
  if (!ok || program.empty() || program.size() % sizeof(sock_filter) != 0) {
    error = file + ": the seccomp program is malformed";
    return false;
  }
  out.seccomp.resize(program.size() / sizeof(sock_filter));
  std::copy(program.begin(), program.end(), reinterpret_cast<char *>(out.seccomp.data()));
  out.seccompRules = arch["rules"].array.size();
  for (const Json &r : arch["rules"].array)
    if (r["action"].string == "notify") out.notifyRules.push_back({r["nr"].number, r["syscall"].string, source(r["rule"])});
  return true;
}

}  // namespace shellrt
