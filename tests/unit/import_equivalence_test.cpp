// Issue #6: equivalence is tested, not assumed. An imported policy decides, through the
// decision functions of shellc (ir/evaluate.h) or its seccomp backend, what the original
// decides in the system it came from:
// - OpenShell: each corpus file, against a small reference of the OpenShell rules as
//   /work/shared/design/openshell-compat.md states them, read from the YAML itself;
// - Docker's default seccomp profile: shellc's BPF against the profile loaded through
//   libseccomp as Docker and runc load it.
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>
#include <seccomp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "backends/seccomp_bpf.h"
#include "frontend/syscall_names.h"
#include "importers/importers.h"
#include "ir/evaluate.h"
#include "test_support.h"

namespace shellc {
namespace {

// ================================================================ OpenShell reference
// The rules of openshell-compat.md, independent of the importer. Where the notes are silent,
// the choice is OpenShell's own and says so.

// `*`/`**` in binaries: `*` within one path component, `**` across; in REST paths both cross
// '/'. `?` one character; `[0-9]`, `[!0]` a class.
bool glob(std::string_view g, std::string_view s, bool starCrossesSlash) {
  if (g.empty()) return s.empty();
  if (g[0] == '*') {
    bool doubled = g.size() > 1 && g[1] == '*';
    std::string_view rest = g.substr(doubled ? 2 : 1);
    for (size_t n = 0; n <= s.size(); ++n) {
      if (glob(rest, s.substr(n), starCrossesSlash)) return true;
      if (n < s.size() && s[n] == '/' && !doubled && !starCrossesSlash) return false;
    }
    return false;
  }
  if (s.empty()) return false;
  if (g[0] == '?') return glob(g.substr(1), s.substr(1), starCrossesSlash);
  if (g[0] == '[') {
    size_t close = g.find(']', 2);
    if (close != std::string_view::npos) {
      std::string_view cls = g.substr(1, close - 1);
      bool negate = cls[0] == '!';
      if (negate) cls.remove_prefix(1);
      bool in = false;
      for (size_t i = 0; i < cls.size(); ++i)
        if (i + 2 < cls.size() && cls[i + 1] == '-') {
          in |= cls[i] <= s[0] && s[0] <= cls[i + 2];
          i += 2;
        } else {
          in |= cls[i] == s[0];
        }
      return in != negate && glob(g.substr(close + 1), s.substr(1), starCrossesSlash);
    }
  }
  return g[0] == s[0] && glob(g.substr(1), s.substr(1), starCrossesSlash);
}

// A host: exact, or a wildcard in the first label only (`*.x.com` one label, `**.x.com` one
// or more, `*-foo.x.com` part of one label). Case is ignored.
bool hostMatch(std::string pattern, std::string_view host) {
  std::transform(pattern.begin(), pattern.end(), pattern.begin(), ::tolower);
  size_t dot = pattern.find('.');
  if (pattern.find('*') == std::string::npos || dot == std::string::npos) return pattern == host;
  std::string first = pattern.substr(0, dot), suffix = pattern.substr(dot);
  if (host.size() <= suffix.size() || host.substr(host.size() - suffix.size()) != suffix) return false;
  std::string_view labels = host.substr(0, host.size() - suffix.size());
  if (first == "**") return true;
  return labels.find('.') == std::string_view::npos && glob(first, labels, true);
}

struct RefRule {
  std::set<std::string> methods;  // empty: any
  std::string path;               // "": any
  bool matches(const std::string &method, const std::string &p) const {
    return (methods.empty() || methods.count(method)) && (path.empty() || glob(path, p, true));
  }
};

struct RefEndpoint {
  std::string host;
  std::vector<uint16_t> ports;
  bool rest = false;
  std::vector<RefRule> allows, denies;
  std::vector<std::pair<uint32_t, unsigned>> allowedIps;  // IPv4 CIDRs: address, prefix
  std::string unsupported;  // why the importer cannot express it ("" when it can)
  int line = 0;
};

struct RefPolicy {
  std::vector<std::string> binaries;
  std::vector<RefEndpoint> endpoints;
};

struct Reference {
  bool workdir = false;
  std::vector<std::string> readOnly, readWrite;
  std::vector<RefPolicy> policies;
};

const std::vector<std::string> kAllMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

std::set<std::string> ruleMethods(const std::string &method) {
  std::string m = method;
  std::transform(m.begin(), m.end(), m.begin(), ::toupper);
  if (m == "*") return {};
  if (m == "GET") return {"GET", "HEAD"};  // notes silent; OpenShell's GET rules also allow HEAD
  return {m};
}

// Reads the parts of the YAML the reference models; a construct it does not model fails the
// test, so that a corpus that grows one is never compared silently.
Reference readReference(const YAML::Node &root) {
  Reference ref;
  if (auto fs = root["filesystem_policy"]) {
    ref.workdir = fs["include_workdir"] && fs["include_workdir"].as<bool>();
    for (auto p : fs["read_only"]) ref.readOnly.push_back(p.as<std::string>());
    for (auto p : fs["read_write"]) ref.readWrite.push_back(p.as<std::string>());
  }
  for (auto entry : root["network_policies"]) {
    RefPolicy policy;
    for (auto b : entry.second["binaries"]) policy.binaries.push_back(b["path"].as<std::string>());
    for (auto e : entry.second["endpoints"]) {
      RefEndpoint ep;
      ep.line = e.Mark().line + 1;
      ep.host = e["host"].as<std::string>();
      if (e["ports"])
        for (auto p : e["ports"]) ep.ports.push_back(p.as<uint16_t>());
      else
        ep.ports.push_back(e["port"].as<uint16_t>());
      for (auto ip : e["allowed_ips"]) {
        unsigned a, b, c, d, prefix = 32;
        std::string text = ip.as<std::string>();
        EXPECT_GE(std::sscanf(text.c_str(), "%u.%u.%u.%u/%u", &a, &b, &c, &d, &prefix), 4) << text;
        ep.allowedIps.push_back({a << 24 | b << 16 | c << 8 | d, prefix});
      }
      std::string protocol = e["protocol"] ? e["protocol"].as<std::string>() : "";
      ep.rest = protocol == "rest";
      size_t star = ep.host.find('*');
      if (protocol == "websocket" || protocol == "graphql" || protocol == "mcp" || protocol == "json-rpc")
        ep.unsupported = "protocol " + protocol;
      else if (star != std::string::npos && ep.host.rfind("*.", 0) != 0 && ep.host.rfind("**.", 0) != 0)
        ep.unsupported = "'" + ep.host + "'";
      EXPECT_FALSE(e["path"]) << "line " << ep.line << ": the reference does not model an endpoint path";
      EXPECT_NE(e["enforcement"].as<std::string>("enforce"), "audit")
          << "line " << ep.line << ": the reference does not model enforcement: audit";
      if (ep.rest) {
        std::string access = e["access"] ? e["access"].as<std::string>() : "";
        if (access == "read-only") ep.allows.push_back({{"GET", "HEAD", "OPTIONS"}, ""});
        if (access == "read-write") ep.allows.push_back({{"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"}, ""});
        if (access == "full") ep.allows.push_back({{}, ""});
        for (auto r : e["rules"]) {
          EXPECT_FALSE(r["allow"]["query"]) << "line " << ep.line << ": the reference does not model queries";
          ep.allows.push_back({ruleMethods(r["allow"]["method"].as<std::string>()),
                               r["allow"]["path"] ? r["allow"]["path"].as<std::string>() : ""});
        }
        for (auto r : e["deny_rules"]) {
          EXPECT_FALSE(r["query"]) << "line " << ep.line << ": the reference does not model queries";
          ep.denies.push_back({ruleMethods(r["method"].as<std::string>()), r["path"] ? r["path"].as<std::string>() : ""});
        }
      }
      policy.endpoints.push_back(ep);
    }
    ref.policies.push_back(policy);
  }
  return ref;
}

struct Request {
  std::string host;
  std::optional<ir::Address> address;
  uint16_t port = 0;
  std::string binary;
  std::string method = "", path = "";  // empty: the connection itself
  std::string text() const {
    return binary + " -> " + (host.empty() ? "(address)" : host) + ":" + std::to_string(port) +
           (method.empty() ? "" : " " + method + " " + path);
  }
};

ir::Address v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}
const ir::Address kPublic = v4(203, 0, 113, 10);

bool alwaysRefused(const ir::Address &a) {
  bool v4mapped = std::all_of(a.begin(), a.begin() + 10, [](uint8_t x) { return x == 0; }) && a[10] == 0xff && a[11] == 0xff;
  if (v4mapped) return a[12] == 127 || (a[12] == 169 && a[13] == 254) || a[12] == 0;
  bool loopback6 = std::all_of(a.begin(), a.begin() + 15, [](uint8_t x) { return x == 0; });  // ::1 and ::
  return loopback6 || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

// The private ranges (RFC 1918), as an IPv4 number; nullopt for another address.
std::optional<uint32_t> privateV4(const std::optional<ir::Address> &a) {
  if (!a || (*a)[10] != 0xff) return std::nullopt;
  uint32_t v = uint32_t((*a)[12]) << 24 | (*a)[13] << 16 | (*a)[14] << 8 | (*a)[15];
  bool isPrivate = (v >> 24) == 10 || (v >> 20) == (172u << 4 | 1) || (v >> 16) == (192u << 8 | 168);
  return isPrivate ? std::optional(v) : std::nullopt;
}

bool inCidr(uint32_t v, const std::pair<uint32_t, unsigned> &cidr) {
  return cidr.second == 0 || (v >> (32 - cidr.second)) == (cidr.first >> (32 - cidr.second));
}

// The decision OpenShell gives; `uncomparable` is set when an endpoint the importer
// reported it cannot express would take part in it; `exactNamePrivate` when it allows a
// private address only because the host is an exact name (no allowed_ips holds it).
struct Expected {
  bool allow = false;
  bool uncomparable = false;
  bool exactNamePrivate = false;
};

Expected expect(const Reference &ref, const Request &r) {
  Expected out;
  if (r.address && alwaysRefused(*r.address)) return out;  // loopback, link-local, unspecified
  if (r.host.empty()) return out;  // every corpus endpoint names a host; no row dials a bare address
  bool connected = false, allowed = false, denied = false, viaAllowedIps = false;
  std::optional<uint32_t> priv = privateV4(r.address);
  for (const RefPolicy &p : ref.policies) {
    if (!std::any_of(p.binaries.begin(), p.binaries.end(), [&](const std::string &b) { return glob(b, r.binary, false); }))
      continue;
    for (const RefEndpoint &e : p.endpoints) {
      if (!hostMatch(e.host, r.host) || std::find(e.ports.begin(), e.ports.end(), r.port) == e.ports.end()) continue;
      if (!e.unsupported.empty()) {
        out.uncomparable = true;
        continue;
      }
      // Private resolved addresses need allowed_ips unless the host is an exact name.
      bool listedIp = priv && std::any_of(e.allowedIps.begin(), e.allowedIps.end(),
                                          [&](const auto &c) { return inCidr(*priv, c); });
      if (priv && !listedIp && e.host.find('*') != std::string::npos) continue;
      viaAllowedIps |= listedIp;
      connected = true;
      if (r.method.empty() || !e.rest) {
        allowed = true;
        continue;
      }
      for (const RefRule &rule : e.allows) allowed |= rule.matches(r.method, r.path);
      for (const RefRule &rule : e.denies) denied |= rule.matches(r.method, r.path);  // deny_rules win
    }
  }
  out.allow = connected && allowed && !denied;
  out.exactNamePrivate = out.allow && priv && !viaAllowedIps;
  if (out.allow) out.uncomparable = false;
  return out;
}

// A concrete instance of a glob: `**` filled with `twoStars`, `*` with `star`.
std::string fill(const std::string &g, const std::string &twoStars, const std::string &star) {
  std::string out;
  for (size_t i = 0; i < g.size(); ++i) {
    if (g.compare(i, 2, "**") == 0) {
      out += twoStars;
      ++i;
    } else if (g[i] == '*') {
      out += star;
    } else if (g[i] == '?') {
      out += 'q';
    } else if (g[i] == '[') {
      size_t close = g.find(']', i + 2);
      out += g[i + 1] == '!' ? '~' : g[i + 1];
      i = close;
    } else {
      out += g[i];
    }
  }
  return out;
}

// Instances of a REST path glob: stars filled with text, with nothing (the notes: they match
// zero or more characters), and "/**/" taken as "/".
std::vector<std::string> pathInstances(const std::string &g) {
  std::vector<std::string> out = {fill(g, "a/b", "x"), fill(g, "", "")};
  std::string collapsed = g;
  for (size_t at; (at = collapsed.find("/**/")) != std::string::npos;) collapsed.replace(at, 4, "/");
  if (collapsed != g) out.push_back(fill(collapsed, "", ""));
  return out;
}

// A binary a glob names. Only filled instances: a process's resolved executable never has
// an empty component, and the notes do not say whether "/**/" matches a single '/'.
std::string binaryInstance(const std::string &g) { return fill(g, "a/b", "x"); }

std::string hostInstance(const std::string &pattern) {
  if (pattern.rfind("**.", 0) == 0) return "a.b" + pattern.substr(2);
  std::string out;
  for (char c : pattern) out += c == '*' ? std::string("x") : std::string(1, c);
  return out;
}

// Every request the brief lists, derived from the YAML.
std::vector<Request> requestsOf(const Reference &ref) {
  std::vector<Request> rows;
  const std::string kStranger = "/usr/bin/not-listed-anywhere";
  for (const RefPolicy &p : ref.policies) {
    std::vector<std::string> binaries;
    for (const std::string &b : p.binaries) binaries.push_back(binaryInstance(b));
    std::vector<std::string> withStranger = binaries;
    withStranger.push_back(kStranger);
    for (const RefEndpoint &e : p.endpoints) {
      std::string host = hostInstance(e.host);
      for (uint16_t port : e.ports) {
        for (const std::string &b : withStranger) rows.push_back({host, kPublic, port, b});
        for (uint16_t other : {uint16_t(port + 1), uint16_t(80)})
          if (std::find(e.ports.begin(), e.ports.end(), other) == e.ports.end())
            rows.push_back({host, kPublic, other, binaries.empty() ? kStranger : binaries[0]});
        for (const std::string &b : binaries) {
          // A listed exact host resolving to a private address (the notes: allowed).
          rows.push_back({host, v4(10, 0, 0, 5), port, b});
          // ... or to loopback or the metadata address: always refused.
          rows.push_back({host, v4(127, 0, 0, 1), port, b});
          rows.push_back({host, v4(169, 254, 169, 254), port, b});
          if (!e.rest) {
            rows.push_back({host, kPublic, port, b, "GET", "/any/path"});
            continue;
          }
          std::set<std::string> allowedMethods;
          bool anyMethod = false;
          for (const RefRule &rule : e.allows) {
            for (const std::string &m : rule.methods.empty() ? kAllMethods : std::vector<std::string>(rule.methods.begin(), rule.methods.end())) {
              allowedMethods.insert(m);
              for (const std::string &path : rule.path.empty() ? std::vector<std::string>{"/v1/x"} : pathInstances(rule.path))
                rows.push_back({host, kPublic, port, b, m, path});
              rows.push_back({host, kPublic, port, b, m, "/nomatch-zz"});
            }
            anyMethod |= rule.methods.empty();
          }
          for (const RefRule &rule : e.denies)
            for (const std::string &m : rule.methods.empty() ? kAllMethods : std::vector<std::string>(rule.methods.begin(), rule.methods.end()))
              for (const std::string &path : rule.path.empty() ? std::vector<std::string>{"/v1/x"} : pathInstances(rule.path))
                rows.push_back({host, kPublic, port, b, m, path});
          if (!anyMethod)
            for (const std::string &m : kAllMethods)
              if (!allowedMethods.count(m)) {
                rows.push_back({host, kPublic, port, b, m, "/v1/x"});
                for (const RefRule &rule : e.allows)
                  if (!rule.path.empty()) rows.push_back({host, kPublic, port, b, m, pathInstances(rule.path)[0]});
                break;
              }
        }
      }
    }
    std::string someone = binaries.empty() ? kStranger : binaries[0];
    rows.push_back({"unlisted.example.net", kPublic, 443, someone});
    rows.push_back({"", v4(127, 0, 0, 1), 443, someone});
    rows.push_back({"", v4(169, 254, 169, 254), 80, someone});
    rows.push_back({"", v4(169, 254, 169, 254), 443, someone});
    ir::Address loopback6{};
    loopback6[15] = 1;
    rows.push_back({"", loopback6, 443, someone});
  }
  return rows;
}

TEST(ImportEquivalence, OpenShellCorpusDecidesAsOpenShell) {
  const std::string dir = SHELLC_SOURCE_DIR "/tests/data/openshell";
  std::vector<std::string> files;
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 12u);
  size_t networkRows = 0, networkAllowed = 0, fileRows = 0, reported = 0, privateRows = 0;
  for (const std::string &file : files) {
    SCOPED_TRACE(file);
    std::string yaml = testing::readFile(file);
    SourceManager sources;
    DiagnosticEngine diags;
    std::string source;
    FileId id = sources.addBuffer(std::filesystem::path(file).filename().string(), yaml);
    ASSERT_TRUE(importers::importOpenShell(sources, id, diags, source));
    std::vector<Diagnostic> reports = diags.sorted(sources);
    auto checked = testing::checkText(source);
    ASSERT_TRUE(checked->output.ok) << checked->rendered << "\n" << source;
    const ir::Policy &policy = checked->output.policy;
    Reference ref = readReference(YAML::Load(yaml));

    // What the importer cannot express must be reported, at the endpoint.
    for (const RefPolicy &p : ref.policies)
      for (const RefEndpoint &e : p.endpoints)
        if (!e.unsupported.empty()) {
          bool found = std::any_of(reports.begin(), reports.end(), [&](const Diagnostic &d) {
            return d.code == "no-equivalent" && d.message.find(e.unsupported) != std::string::npos &&
                   sources.lineCol(id, d.span.begin).line >= uint32_t(e.line);
          });
          EXPECT_TRUE(found) << "line " << e.line << ": " << e.unsupported << " not reported";
          ++reported;
        }

    // Network.
    for (const Request &r : requestsOf(ref)) {
      Expected want = expect(ref, r);
      if (want.uncomparable) continue;  // reported above: the importer refuses the endpoint
      ir::NetworkRequest q;
      q.host = r.host;
      q.address = r.address;
      q.port = r.port;
      q.binaries = {r.binary};
      if (!r.method.empty()) {
        q.protocol = ir::Protocol::Http;
        q.method = r.method;
        q.path = r.path;
      }
      bool got = ir::evaluateNetwork(policy.network, q).allow;
      // Known divergence, not an importer slip: the notes let an exact host that resolves to a
      // private address through without allowed_ips; shellc (docs/language.md, section 10)
      // refuses private addresses reached by resolving a name unless a rule names the range,
      // and the importer has no way to say "private, but only through this name".
      if (want.exactNamePrivate) {
        EXPECT_FALSE(got) << r.text();
        ++privateRows;
        continue;
      }
      EXPECT_EQ(got, want.allow) << r.text() << "\n" << source;
      ++networkRows;
      networkAllowed += want.allow;
    }

    // Filesystem: each listed path, something beneath it, and paths no entry covers.
    std::vector<std::pair<ir::Path, uint8_t>> want;  // path, rights OpenShell grants
    auto rights = [&](const std::string &abs) {
      uint8_t granted = 0;
      auto under = [&](const std::string &entry) {
        return abs == entry || (abs.size() > entry.size() && abs.compare(0, entry.size(), entry) == 0 &&
                                (entry.back() == '/' || abs[entry.size()] == '/'));
      };
      // Landlock's read access, as OpenShell grants read_only, includes executing (the notes
      // are silent on exec); read_write grants everything. Access is the union of entries.
      for (const std::string &e : ref.readOnly) if (under(e)) granted |= ir::kRead | ir::kExec;
      for (const std::string &e : ref.readWrite) if (under(e)) granted |= ir::kRead | ir::kWrite | ir::kExec;
      return granted;
    };
    std::vector<std::string> paths = {"/", "/opt/none/file", "/home/user/.ssh/id_rsa"};
    for (const auto *list : {&ref.readOnly, &ref.readWrite})
      for (const std::string &p : *list) {
        paths.push_back(p);
        paths.push_back(p + "/sub/file");
        paths.push_back(p + "-sibling");
      }
    for (const std::string &p : paths) {
      ir::Path path;
      path.rel = p.substr(1);
      want.push_back({path, rights(p)});
    }
    ir::Path work{ir::PathRoot::Workspace, "src/main.c"}, home{ir::PathRoot::Home, ".bashrc"};
    want.push_back({work, uint8_t(ref.workdir ? ir::kRead | ir::kWrite | ir::kExec : 0)});
    want.push_back({home, 0});
    for (const auto &[path, granted] : want)
      for (ir::Access right : {ir::kRead, ir::kWrite, ir::kExec}) {
        EXPECT_EQ(ir::evaluateFile(policy.filesystem, path, right).allow, (granted & right) != 0)
            << path.display() << " right " << int(right);
        ++fileRows;
      }
  }
  std::printf("[ OpenShell ] %zu network rows (%zu allowed), %zu filesystem rows compared; %zu endpoints reported as "
              "not importable; %zu private-resolution rows of the known divergence\n",
              networkRows, networkAllowed, fileRows, reported, privateRows);
  EXPECT_GT(networkRows, 1000u);
}

// ================================================================ Docker's default profile

TEST(ImportEquivalence, DockerDefaultDecidesAsARuntimeLoadingIt) {
  const std::string file = SHELLC_SOURCE_DIR "/tests/data/oci-seccomp/docker-default.json";
  std::string text = testing::readFile(file);
  SourceManager sources;
  DiagnosticEngine diags;
  std::string source;
  importers::OciSeccompOptions options;
  options.kernel = {6, 1};
  ASSERT_TRUE(importers::importOciSeccomp(sources, sources.addBuffer("docker-default.json", text), options, diags, source));
  auto checked = testing::checkText(source);
  ASSERT_TRUE(checked->output.ok) << checked->rendered;
  const ir::Syscalls &sys = checked->output.policy.syscalls;
  bpf::Program ours;
  std::string error;
  ASSERT_TRUE(backends::compileSeccomp(sys, ir::Arch::X86_64, ours, error)) << error;

  auto parsed = llvm::json::parse(text);
  ASSERT_TRUE(bool(parsed));
  const llvm::json::Object &profile = *parsed->getAsObject();
  std::set<int> refused;
  testing::RuntimeContainer container;  // amd64, no capabilities, Linux 6.1
  bpf::Program runtime = testing::loadLikeARuntime(profile, container, refused);
  EXPECT_TRUE(refused.empty());

  // The values the profile's conditions name, and around them; then 32/64-bit edges.
  std::set<uint64_t> values = {0, 1, 2, 3, 7, 8, 0xff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
                               0x100000000, 0x100000001, 0xffffffff00000000, 0x7fffffffffffffff,
                               0x8000000000000000, 0xfffffffffffffffe, 0xffffffffffffffff};
  std::set<std::string> unknownToLibseccomp;
  for (const llvm::json::Value &v : *profile.getArray("syscalls")) {
    const llvm::json::Object &entry = *v.getAsObject();
    if (auto *args = entry.getArray("args")) {
      std::set<uint64_t> indexes;
      for (const llvm::json::Value &a : *args) {
        const llvm::json::Object &o = *a.getAsObject();
        uint64_t value = o.get("value")->getAsUINT64().getValueOr(0);
        for (uint64_t d : {value - 1, value, value + 1, value | 0x100000000, value ^ 0xffffffff}) values.insert(d);
        // runc splits an entry that compares one argument twice into several rules (an OR);
        // the loader here does not, and docker-default has no such entry.
        EXPECT_TRUE(indexes.insert(o.getInteger("index").getValueOr(0)).second);
      }
    }
    for (const llvm::json::Value &name : *entry.getArray("names"))
      if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.getAsString()->str().c_str()) < 0)
        unknownToLibseccomp.insert(name.getAsString()->str());
  }
  // Names libseccomp 2.5.4 does not know (other architectures' calls, and calls newer than
  // it) are left out by both: runc skips them, and shellc's table numbers the x86_64 ones it
  // knows. A number shellc gives such a name is not compared: a runtime linked with this
  // libseccomp cannot allow it, whatever the profile says.
  std::set<int> notCompared;
  for (const ir::SyscallRule &r : sys.rules)
    if (unknownToLibseccomp.count(r.name) && r.numbers.count(ir::Arch::X86_64))
      notCompared.insert(r.numbers.at(ir::Arch::X86_64));

  std::vector<ir::SyscallArgs> vectors;
  for (uint64_t v : values) {
    vectors.push_back({v, v, v, v, v, v});
    vectors.push_back({v, 0, 0, 0, 0, 0});
    vectors.push_back({0, v, 0, 0, 0, 0});
  }
  std::mt19937_64 rng(6);
  for (int i = 0; i < 8; ++i) vectors.push_back({rng(), rng(), rng(), rng(), rng(), rng()});

  // Where an argument the kernel reads as 32 bits carries high bits, shellc decides as the
  // kernel reads it and a libseccomp runtime on all 64 (docs/bundle.md): those rows differ
  // by design (seccomp_test.cpp runs the kernel's side) and are left out here.
  auto beyondWidth = [](int nr, const ir::SyscallArgs &args) {
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
    std::optional<SyscallInfo> info = name ? lookupSyscall(name) : std::nullopt;
    free(name);
    if (!info) return false;
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i] & ~widthMask(info->argWidths[i])) return true;
    return false;
  };
  size_t rows = 0;
  for (int nr = 0; nr <= 460; ++nr) {
    if (notCompared.count(nr)) continue;
    for (const ir::SyscallArgs &args : vectors) {
      if (beyondWidth(nr, args)) continue;
      bpf::SeccompData data;
      data.nr = nr;
      data.arch = backends::auditArch(ir::Arch::X86_64);
      data.args = args;
      bpf::RunResult theirs = bpf::run(runtime, data), mine = bpf::run(ours, data);
      ASSERT_TRUE(theirs.valid && mine.valid);
      ASSERT_EQ(theirs.action, mine.action) << "syscall " << nr << " args " << std::hex << args[0] << " "
                                            << args[1] << " " << args[2];
      ++rows;
    }
  }
  std::printf("[ Docker    ] %zu rows compared (%zu argument vectors, %zu names unknown to libseccomp); "
              "numbers not compared:", rows, vectors.size(), unknownToLibseccomp.size());
  for (int nr : notCompared) std::printf(" %d", nr);
  std::printf("\n");
  EXPECT_GT(rows, 461u * 30u);
}

}  // namespace
}  // namespace shellc
