#include "bundle/bundle.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <set>

#include "bundle/json.h"
#include "bundle/schema.h"
#include "bundle/seccomp_check.h"

namespace shellrt {

std::string SandboxPath::resolve(const std::string &home, const std::string &workspace) const {
  const std::string &base = root == Root::Absolute ? std::string("/") : root == Root::Home ? home : workspace;
  if (rel.empty()) return base;
  return (base.size() > 1 && base.back() != '/' ? base + "/" : base) + rel;
}

bool pathWithin(const std::string &path, const std::string &dir) {
  if (dir == "/") return true;
  return path.compare(0, dir.size(), dir) == 0 && (path.size() == dir.size() || path[dir.size()] == '/');
}

bool Egress::judgesRequests() const {
  return std::any_of(rules.begin(), rules.end(), [](const EgressRule &r) { return !r.methods.empty() || !r.paths.empty(); });
}

std::string RuleSource::display() const {
  std::string where = file + ":" + std::to_string(line);
  return name.empty() ? where : "@" + name + " (" + where + ")";
}

namespace {

constexpr uint64_t kFormatVersion = 5;
constexpr size_t kMaxText = 4096;          // names, rule files, display strings
constexpr size_t kMaxPath = PATH_MAX - 1;  // what the kernel takes
constexpr size_t kMaxEntries = 100000;     // rules of one kind
constexpr size_t kMaxVariables = 4096;     // env_pass, env_set
constexpr size_t kMaxValue = 128u << 10;   // MAX_ARG_STRLEN: the kernel's bound on one variable
constexpr uint64_t kMaxId = 0xfffffffeu;   // uid and gid; (uid_t)-1 means "unchanged"
constexpr uint64_t kMaxRlimit = 1ull << 62;
constexpr uint64_t kMaxMilliseconds = 100ull * 366 * 24 * 3600 * 1000;  // a century

// ---------------------------------------------------------------- shared shapes

RuleSource readRule(const Field &f) {
  auto o = f.object();
  RuleSource r{o["file"].text(kMaxText), o["line"].unsignedInt(1, 0xffffffffu), ""};
  if (o.has("name")) r.name = o["name"].text(kMaxText);  // the one optional key: names are for people
  o.finish();
  return r;
}

// Relative and normalised, so that no `..`, absolute or empty component leads out of the
// root the path is meant to be under.
std::string readRelative(const Field &f) {
  const std::string &rel = f.text(kMaxPath, false);
  if (rel.empty()) return rel;
  if (rel.front() == '/') f.reject("\"" + rel + "\" is absolute; `rel` is relative to `root`");
  for (size_t start = 0; start <= rel.size();) {
    size_t end = std::min(rel.find('/', start), rel.size());
    std::string part = rel.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      f.reject("\"" + rel + "\" is not normalised (an empty, \".\" or \"..\" component)");
    start = end + 1;
  }
  return rel;
}

SandboxPath readPath(const Field &f) {
  auto o = f.object();
  SandboxPath p;
  p.root = static_cast<SandboxPath::Root>(o["root"].oneOf({"absolute", "home", "workspace"}));
  p.rel = readRelative(o["rel"]);
  o["display"].text(kMaxPath + kMaxText);
  o.finish();
  return p;
}

std::vector<std::string> readStrings(const Field &f, size_t maxCount, size_t maxBytes, bool (*valid)(const std::string &),
                                     const char *what) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const Field &item : f.items(maxCount)) {
    const std::string &s = item.text(maxBytes);
    if (valid && !valid(s)) item.reject("\"" + s + "\" is not " + what);
    if (!seen.insert(s).second) item.reject("\"" + s + "\" is listed twice");
    out.push_back(s);
  }
  return out;
}

bool isEnvName(const std::string &s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// ---------------------------------------------------------------- process

void readLimits(const Field &f, Bundle &out) {
  auto o = f.object();
  struct Kind {
    const char *key;
    int resource;
    uint64_t max;
  };
  const Kind kinds[] = {{"open_files", RLIMIT_NOFILE, 1u << 20}, {"processes", RLIMIT_NPROC, 1u << 22},
                        {"file_size_bytes", RLIMIT_FSIZE, kMaxRlimit}, {"stack_bytes", RLIMIT_STACK, kMaxRlimit},
                        {"core_bytes", RLIMIT_CORE, kMaxRlimit}};
  for (const Kind &k : kinds) {
    Field v = o[k.key];  // every limit is there; null when the policy sets none
    if (!v.isNull()) out.limits.push_back({k.resource, v.unsignedInt(0, k.max)});
  }
  Field memory = o["memory_bytes"];
  if (!memory.isNull()) out.memoryBytes = memory.unsignedInt(1, kMaxRlimit);
  Field cpu = o["cpu_time_ms"];
  if (!cpu.isNull()) out.limits.push_back({RLIMIT_CPU, (cpu.unsignedInt(1, kMaxMilliseconds) + 999) / 1000});
  Field wall = o["wall_time_ms"];
  if (!wall.isNull()) out.wallTimeMs = wall.unsignedInt(1, kMaxMilliseconds);
  o.finish();
}

void readEnvironment(Field::Object &o, Bundle &out) {
  out.envPass = readStrings(o["env_pass"], kMaxVariables, kMaxText, isEnvName, "an environment variable name");
  Field set = o["env_set"];
  auto entries = set.object();
  for (auto &[name, value] : entries.entries(kMaxVariables)) {
    if (name.size() > kMaxText || !isEnvName(name)) value.reject("\"" + name + "\" is not an environment variable name");
    out.envSet.emplace_back(name, value.text(kMaxValue, false));
  }
}

void readProcess(const Field &f, Bundle &out) {
  auto o = f.object();
  for (auto [key, id] : {std::pair{"uid", &out.uid}, std::pair{"gid", &out.gid}}) {
    Field v = o[key];  // null: the ids of the user who starts the sandbox
    if (!v.isNull()) *id = static_cast<uint32_t>(v.unsignedInt(0, kMaxId));
  }
  out.allowRoot = o["allow_root"].boolean();
  // The sandbox drops every capability whatever this lists; it is checked, not used.
  for (const Field &cap : o["capabilities"].items(64)) {
    auto c = cap.object();
    c["name"].text(kMaxText);
    c["number"].unsignedInt(0, 63);
    c.finish();
  }
  readLimits(o["limits"], out);
  readEnvironment(o, out);
  o.finish();
}

// ---------------------------------------------------------------- landlock and mounts

// The runtime's own table: a bundle cannot move a right to a later ABI to have it dropped.
struct LandlockRightInfo {
  const char *name;
  uint64_t bit;
  int abi;
};
constexpr LandlockRightInfo kLandlockRights[] = {
    {"execute", 1ull << 0, 1},     {"write_file", 1ull << 1, 1}, {"read_file", 1ull << 2, 1},
    {"read_dir", 1ull << 3, 1},    {"remove_dir", 1ull << 4, 1}, {"remove_file", 1ull << 5, 1},
    {"make_char", 1ull << 6, 1},   {"make_dir", 1ull << 7, 1},   {"make_reg", 1ull << 8, 1},
    {"make_sock", 1ull << 9, 1},   {"make_fifo", 1ull << 10, 1}, {"make_block", 1ull << 11, 1},
    {"make_sym", 1ull << 12, 1},   {"refer", 1ull << 13, 2},     {"truncate", 1ull << 14, 3},
    {"ioctl_dev", 1ull << 15, 5}};

}  // namespace

uint64_t landlockFsRights(int abi) {
  uint64_t rights = 0;
  for (const LandlockRightInfo &r : kLandlockRights)
    if (r.abi <= abi) rights |= r.bit;
  return rights;
}

namespace {

uint64_t readRights(const Field &f, Bundle &out) {
  uint64_t known = 0;
  for (const Field &item : f.items(64)) {
    auto r = item.object();
    const std::string &name = r["name"].text(32);
    const LandlockRightInfo *right = std::find_if(std::begin(kLandlockRights), std::end(kLandlockRights),
                                                  [&](const LandlockRightInfo &i) { return name == i.name; });
    if (right == std::end(kLandlockRights)) r["name"].reject("\"" + name + "\" is not a Landlock right this runtime knows");
    const LandlockRightInfo &info = *right;
    if (r["bit"].unsignedInt(info.bit, info.bit) & known) item.reject("right listed twice");
    r["abi"].unsignedInt(info.abi, info.abi);
    r.finish();
    known |= info.bit;
    out.rightAbi.emplace_back(info.bit, info.abi);
  }
  return known;
}

void readLandlock(const Field &f, Bundle &out) {
  auto o = f.object();
  out.landlock = o["enabled"].boolean();
  out.hardRequirement = o["compatibility"].oneOf({"best_effort", "hard_requirement"}) == 1;
  uint64_t known = readRights(o["rights"], out);
  out.handledAccess = o["handled_access_fs"].unsignedInt(0, known);
  if (out.handledAccess & ~known) o["handled_access_fs"].reject("has bits that `rights` does not name");
  if (out.landlock == (out.handledAccess == 0))
    o["handled_access_fs"].reject(out.landlock ? "is 0 while Landlock is enabled" : "is not 0 while Landlock is disabled");
  // Both scopes are always applied where the kernel has them; a bundle may not name others.
  readStrings(o["scoped"], 2, kMaxText, [](const std::string &s) { return s == "abstract_unix_socket" || s == "signal"; },
              "a Landlock scope (abstract_unix_socket, signal)");
  for (const Field &item : o["rules"].items(kMaxEntries)) {
    auto r = item.object();
    LandlockRule rule{readPath(r["path"]), r["access"].unsignedInt(1, out.handledAccess), {}};
    if (rule.access & ~out.handledAccess) r["access"].reject("grants rights the ruleset does not handle");
    for (const Field &s : r["rules"].items(kMaxEntries)) rule.rules.push_back(readRule(s));
    if (rule.rules.empty()) r["rules"].reject("is empty: every Landlock rule comes from a policy rule");
    r.finish();
    out.landlockRules.push_back(std::move(rule));
  }
  if (!out.landlock && !out.landlockRules.empty()) o["rules"].reject("is not empty while Landlock is disabled");
  o.finish();
}

void readMounts(const Field &f, Bundle &out) {
  auto o = f.object();
  for (const Field &item : o["entries"].items(kMaxEntries)) {
    auto m = item.object();
    auto kind = static_cast<MountEntry::Kind>(m["kind"].oneOf({"readonly", "mask", "noexec", "scratch"}));
    out.mounts.push_back({kind, readPath(m["path"]), readRule(m["rule"])});
    const SandboxPath &path = out.mounts.back().path;
    if (kind == MountEntry::Kind::Scratch && (path.root != SandboxPath::Root::Absolute || path.rel.empty()))
      m["path"].reject("a scratch directory is an absolute path other than /");
    m["create_if_missing"].boolean();  // the runtime creates what it masks, whatever this says
    m.finish();
  }
  o.finish();
}

// A host's socket the sandbox may connect to, as the policy names it (docs/bundle.md).
void readUnixSockets(const Field &f, Bundle &out) {
  auto o = f.object();
  for (const Field &item : o["rules"].items(kMaxEntries)) {
    auto r = item.object();
    bool allow = r["allow"].boolean();
    out.unixSockets.push_back({allow, readPath(r["path"]), readRule(r["rule"])});
    r.finish();
  }
  o.finish();
}

// ---------------------------------------------------------------- seccomp

// `allow`, `log`, `notify`, `errno(N)`, `trap`, `kill_thread`, `kill_process` → SECCOMP_RET_*.
uint32_t readAction(const Field &f) {
  const std::string &text = f.text(32);
  if (text.rfind("errno(", 0) == 0 && text.back() == ')') {
    std::string digits = text.substr(6, text.size() - 7);
    bool ok = !digits.empty() && digits.size() <= 4 && std::all_of(digits.begin(), digits.end(), ::isdigit) &&
              (digits.size() == 1 || digits[0] != '0') && std::stoul(digits) <= 4095;
    if (!ok) f.reject("\"" + text + "\": errno takes a number from 0 to 4095");
    return SECCOMP_RET_ERRNO | static_cast<uint32_t>(std::stoul(digits));
  }
  const uint32_t actions[] = {SECCOMP_RET_ALLOW, SECCOMP_RET_LOG, SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRAP,
                              SECCOMP_RET_KILL_THREAD, SECCOMP_RET_KILL_PROCESS};
  return actions[f.oneOf({"allow", "log", "notify", "trap", "kill_thread", "kill_process"})];
}

SeccompRule::Condition readCondition(const Field &f) {
  auto o = f.object();
  SeccompRule::Condition c{};
  c.arg = static_cast<unsigned>(o["arg"].unsignedInt(0, 5));
  c.op = static_cast<SeccompRule::Condition::Op>(o["op"].oneOf({"==", "!=", "<", "<=", ">", ">=", "&==", "&!="}));
  c.mask = o["mask"].unsignedInt(0, ~0ull);
  c.value = o["value"].unsignedInt(0, ~0ull);
  o.finish();
  return c;
}

SeccompRule readSeccompRule(const Field &f) {
  auto o = f.object();
  SeccompRule r;
  r.syscall = o["syscall"].text(64);
  r.nr = static_cast<uint32_t>(o["nr"].unsignedInt(0, 4095));
  for (const Field &c : o["conditions"].items(64)) r.conditions.push_back(readCondition(c));
  r.action = readAction(o["action"]);
  r.rule = readRule(o["rule"]);
  o.finish();
  return r;
}

const char *runningArch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "";
#endif
}

SeccompProgram readArch(const std::string &arch, const Field &f, uint32_t defaultAction) {
  auto o = f.object();
  SeccompProgram p;
  p.arch = arch;
  uint32_t expected = arch == "x86_64" ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
  p.auditArch = static_cast<uint32_t>(o["audit_arch"].unsignedInt(expected, expected));
  std::string bytes;
  if (!decodeBase64(o["program"].text(kMaxSeccompInstructions * 8 * 4 / 3 + 4), bytes) || bytes.empty() ||
      bytes.size() % sizeof(sock_filter) != 0)
    o["program"].reject("is not the base64 of whole BPF instructions");
  p.program.resize(bytes.size() / sizeof(sock_filter));
  std::memcpy(p.program.data(), bytes.data(), bytes.size());
  o["instructions"].unsignedInt(p.program.size(), p.program.size());
  for (const Field &r : o["rules"].items(kMaxEntries)) p.rules.push_back(readSeccompRule(r));
  // Run against its rules where it is the program this runtime loads: another
  // architecture's is never loaded here, and checking it cost every start-up as much again.
  std::string error;
  if (arch == runningArch() && !checkSeccompProgram(p, defaultAction, error))
    o["program"].reject("does not decide as its rules: " + error);
  o.finish();
  return p;
}


void readSeccomp(const Field &f, Bundle &out) {
  auto o = f.object();
  out.seccompDefault = readAction(o["default_action"]);
  Field arches = o["arches"];
  auto a = arches.object();
  for (auto &[arch, program] : a.entries(2)) {
    if (arch != "x86_64" && arch != "aarch64") program.reject("an architecture this runtime does not know");
    out.seccompPrograms.push_back(readArch(arch, program, out.seccompDefault));
  }
  o.finish();
  for (const SeccompProgram &p : out.seccompPrograms) {
    if (p.arch != runningArch()) continue;
    out.runningProgram = &p - out.seccompPrograms.data();
    return;
  }
  arches.reject(std::string("has no filter for ") + runningArch() + "; the bundle targets other architectures");
}

// ---------------------------------------------------------------- egress and routes

// An address, or an address and a prefix length ("10.0.0.0/8"; "::1" is one address).
bool isCidr(const std::string &s) {
  size_t slash = std::min(s.find('/'), s.size());
  std::string host = s.substr(0, slash), digits = slash < s.size() ? s.substr(slash + 1) : "";
  unsigned char address[16];
  unsigned width = inet_pton(AF_INET, host.c_str(), address) == 1    ? 32
                   : inet_pton(AF_INET6, host.c_str(), address) == 1 ? 128
                                                                      : 0;
  if (std::any_of(host.begin(), host.end(), ::isupper)) return false;  // canonical: lowercase hex
  if (width == 0 || slash == s.size()) return width != 0;
  bool number = !digits.empty() && digits.size() <= 3 && std::all_of(digits.begin(), digits.end(), ::isdigit) &&
                (digits.size() == 1 || digits[0] != '0');
  return number && std::stoul(digits) <= width;
}

// Canonical, as the compiler writes them: lowercase, punycode, no trailing dot.
bool isHostName(const std::string &s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.' || s.find("..") != std::string::npos) return false;
  size_t label = 0;
  for (char c : s) {
    if (c == '.') label = 0;
    else if (++label > 63 || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

EgressRule::Host readHost(const Field &f) {
  auto o = f.object();
  const char *keys[] = {"exact", "one_label_under", "any_labels_under", "cidr"};
  for (size_t k = 0; k < 4; ++k) {
    if (!o.has(keys[k])) continue;
    Field v = o[keys[k]];
    EgressRule::Host h{static_cast<EgressRule::Host::Kind>(k), v.text(kMaxText)};
    if (k == 3 ? !isCidr(h.text) : !isHostName(h.text)) v.reject("\"" + h.text + "\" is not canonical");
    o.finish();
    return h;
  }
  f.reject("expected one of exact, one_label_under, any_labels_under, cidr");
}

std::pair<uint16_t, uint16_t> readPorts(const Field &f) {
  std::vector<Field> pair = f.items(2);
  if (pair.size() != 2) f.reject("expected [low, high]");
  uint64_t low = pair[0].unsignedInt(1, 65535);
  return {static_cast<uint16_t>(low), static_cast<uint16_t>(pair[1].unsignedInt(low, 65535))};
}

bool isAbsolute(const std::string &s) { return s.front() == '/'; }
bool isMethod(const std::string &s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

EgressRule readEgressRule(const Field &f) {
  auto o = f.object();
  EgressRule r;
  r.rule = readRule(o["rule"]);
  r.allow = o["decision"].oneOf({"deny", "allow"}) == 1;
  r.http = o["protocol"].oneOf({"tcp", "http"}) == 1;
  for (const Field &h : o["hosts"].items(kMaxEntries)) r.hosts.push_back(readHost(h));
  for (const Field &p : o["ports"].items(kMaxEntries)) r.ports.push_back(readPorts(p));
  if (r.hosts.empty() || r.ports.empty()) f.reject("names no host or no port");
  r.binaries = readStrings(o["binaries"], kMaxEntries, kMaxPath, isAbsolute, "an absolute path");
  r.methods = readStrings(o["methods"], 64, 32, isMethod, "an HTTP method");
  r.paths = readStrings(o["paths"], kMaxEntries, kMaxText, isAbsolute, "an HTTP path");
  r.audit = o["audit"].boolean();
  o.finish();
  return r;
}

void readEgress(const Field &f, Bundle &out) {
  auto o = f.object();
  out.egress.defaultAllow = o["default"].oneOf({"deny", "allow"}) == 1;
  out.egress.auditOnly = o["enforcement"].oneOf({"enforce", "audit"}) == 1;
  for (const Field &item : o["always_denied"].items(256)) {
    auto d = item.object();
    Field cidr = d["cidr"];
    if (!isCidr(cidr.text(64))) cidr.reject("\"" + cidr.text(64) + "\" is not a CIDR");
    Egress::Reserved range{cidr.text(64), d["why"].text(kMaxText), d["only_when_resolved"].boolean()};
    d.finish();
    out.egress.alwaysDenied.push_back(range);
  }
  for (const Field &r : o["rules"].items(kMaxEntries)) out.egress.rules.push_back(readEgressRule(r));
  o.finish();
}

Routes::Provider readProvider(const Field &f) {
  auto o = f.object();
  Routes::Provider p;
  p.name = o["name"].text(kMaxText);
  p.endpoint = o["endpoint"].text(kMaxText);
  if (p.endpoint.rfind("https://", 0) != 0 && p.endpoint.rfind("http://", 0) != 0)
    o["endpoint"].reject("\"" + p.endpoint + "\" is not an http:// or https:// URL");
  p.api = o["api"].text(32);
  o["api"].oneOf({"openai", "anthropic"});
  Field keyField = o["key"];
  auto key = keyField.object();
  p.keySource = key["source"].text(8);
  if (key["source"].oneOf({"env", "file", "none"}) != 2) {
    p.keyName = key["name"].text(kMaxPath);
    p.keyOptional = key["optional"].boolean();
  }
  key.finish();
  p.timeoutMs = o["timeout_ms"].unsignedInt(0, kMaxMilliseconds);  // 0: the policy sets none
  p.rule = readRule(o["rule"]);
  o.finish();
  return p;
}

// One cap per measure and scope, as the checker allows; a provider the table declares.
Routes::Budget readBudget(const Field &f, const std::set<std::string> &providers, const std::vector<Routes::Budget> &before) {
  auto o = f.object();
  Routes::Budget b;
  b.tokens = o["measure"].oneOf({"tokens", "requests"}) == 0;
  Field provider = o["provider"];
  if (!provider.isNull()) {
    b.provider = provider.text(kMaxText);
    if (!providers.count(b.provider)) provider.reject("\"" + b.provider + "\" names no provider");
  }
  b.cap = o["cap"].unsignedInt(0, 1ull << 53);
  b.rule = readRule(o["rule"]);
  for (const Routes::Budget &other : before)
    if (other.tokens == b.tokens && other.provider == b.provider) f.reject("a second budget of that measure and scope");
  o.finish();
  return b;
}

void readRoutes(const Field &f, Bundle &out) {
  auto o = f.object();
  std::set<std::string> providers;
  for (const Field &p : o["providers"].items(kMaxEntries)) {
    out.routes.providers.push_back(readProvider(p));
    if (!providers.insert(out.routes.providers.back().name).second) p.reject("a second provider of that name");
  }
  for (const Field &item : o["routes"].items(kMaxEntries)) {
    auto r = item.object();
    Routes::Route route{r["model"].text(kMaxText), r["provider"].text(kMaxText), "", readRule(r["rule"])};
    if (!providers.count(route.provider)) r["provider"].reject("\"" + route.provider + "\" names no provider");
    Field rewrite = r["rewrite"];
    if (!rewrite.isNull()) route.rewrite = rewrite.text(kMaxText);
    r.finish();
    out.routes.routes.push_back(std::move(route));
  }
  for (const Field &item : o["denied"].items(kMaxEntries)) {
    auto d = item.object();
    out.routes.denied.push_back({d["model"].text(kMaxText), "", "", readRule(d["rule"])});
    d.finish();
  }
  o["unrouted"].oneOf({"deny"});
  for (const Field &item : o["budgets"].items(kMaxEntries)) out.routes.budgets.push_back(readBudget(item, providers, out.routes.budgets));
  o.finish();
}

void readPlacements(const Field &f, Bundle &out) {
  auto o = f.object();
  for (const Field &item : o["refused"].items(kMaxEntries)) {
    auto r = item.object();
    RefusedPlacement refused;
    for (const Field &c : r["inside"].items(4)) {
      auto condition = c.object();
      bool workspace = condition["start"].oneOf({"home", "workspace"}) == 1;
      refused.inside.push_back({workspace, readPath(condition["path"])});
      condition.finish();
    }
    if (refused.inside.empty()) r["inside"].reject("a refused placement names where");
    refused.why = r["why"].text(kMaxText);
    r.finish();
    out.refusedPlacements.push_back(std::move(refused));
  }
  for (const Field &item : o["named"].items(kMaxEntries)) {
    auto n = item.object();
    NamedPath named{readPath(n["path"]), ""};
    named.by = n["by"].text(kMaxText);
    n.finish();
    out.namedPaths.push_back(std::move(named));
  }
  o.finish();
}

// ---------------------------------------------------------------- the whole

void readProvenance(Field::Object &o) {
  o["compiler"].text(kMaxText);
  for (const Field &item : o["sources"].items(kMaxEntries)) {
    auto s = item.object();
    s["path"].text(kMaxPath);
    const std::string &hash = s["sha256"].text(64);
    if (hash.size() != 64 || !std::all_of(hash.begin(), hash.end(), [](char c) { return isdigit(c) || (c >= 'a' && c <= 'f'); }))
      s["sha256"].reject("is not 64 lowercase hex digits");
    s.finish();
  }
  Field params = o["params"];
  auto p = params.object();
  for (auto &[name, value] : p.entries(kMaxEntries)) value.text(kMaxValue, false);
}

void readBundle(const Json &json, Bundle &out) {
  Field root(json, "");
  auto o = root.object();
  o["format"].oneOf({"shellc-bundle"});
  Field version = o["format_version"];
  if (version.unsignedInt(0, ~0ull) != kFormatVersion)
    version.reject("this runtime reads format " + std::to_string(kFormatVersion) + ": rebuild the bundle with a matching shellc");
  readProvenance(o);
  out.policy = o["policy"].text(kMaxText, false);
  readProcess(o["process"], out);
  readLandlock(o["landlock"], out);
  readMounts(o["mounts"], out);
  readUnixSockets(o["unix_sockets"], out);
  readSeccomp(o["seccomp"], out);
  readEgress(o["egress"], out);
  readRoutes(o["routes"], out);
  readPlacements(o["placements"], out);
  o.finish();
}

}  // namespace

bool parseBundle(const std::string &text, Bundle &out, std::string &error) {
  out = Bundle{};
  Json json;
  if (!parseJson(text, json, error, JsonLimits{kMaxBundleBytes})) {
    error = "not a bundle: " + error;
    return false;
  }
  try {
    readBundle(json, out);
  } catch (const SchemaError &e) {
    error = e.field + ": " + e.why;
    out = Bundle{};
    return false;
  }
  return true;
}

bool readBoundedFile(const std::string &path, size_t maxBytes, std::string &text, std::string &error, bool ownName) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (ownName ? O_NOFOLLOW : 0));
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
    return false;
  }
  const std::string tooLarge = path + ": larger than " + std::to_string(maxBytes >> 20) + " MiB";
  bool ok = true;
  if (!S_ISREG(st.st_mode)) ok = false, error = path + ": not a regular file";
  else if (ownName && st.st_nlink != 1) ok = false, error = path + ": has another name";
  else if (static_cast<uint64_t>(st.st_size) > maxBytes) ok = false, error = tooLarge;
  text.clear();
  char buffer[65536];
  for (ssize_t n; ok && (n = read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false, error = "cannot read " + path + ": " + std::strerror(errno);
    else if (text.size() + n > maxBytes) ok = false, error = tooLarge;  // it grew while it was read
    else text.append(buffer, n);
  }
  close(fd);
  return ok;
}


}  // namespace shellrt
