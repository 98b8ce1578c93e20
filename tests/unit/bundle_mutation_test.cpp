// Every field of a real bundle, mutated: its kind changed, its value taken out of the
// schema's domain, its key removed or given twice, an unknown key added beside it. The
// runtime must refuse each mutant or read it with identical protection, never less. The
// few mutations that make another valid bundle (an optional id or limit set to null, a
// limit or timeout with another value) are listed below, by field, and only those.
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>

#include <functional>
#include <regex>
#include <sstream>

#include "backends/bundle.h"
#include "bundle/bundle.h"
#include "test_support.h"

namespace shellc {
namespace {

// A policy that fills every section of the bundle.
const char *kPolicy = R"(policy mutants
filesystem {
  allow read, exec "/usr", "/lib"
  allow read, write workspace
  @hooks deny write workspace / ".git/hooks"
  deny read, write "~/.ssh"
}
process {
  run_as 1000:1000
  capabilities none
  limit memory 1GiB
  limit processes 64
  limit wall_time 1h
  limit cpu_time 10m
  env pass "PATH"
  env set "LANG" = "C.UTF-8"
}
syscalls {
  default allow
  deny ptrace
  deny socket(arg0 == 40) => errno(EAFNOSUPPORT)
  deny ioctl(arg1 & 0xffff == 0x5412) => notify
  log personality(arg0 > 7)
  deny kill => trap
}
network {
  allow "api.github.com":443 by "/usr/bin/git"
  allow "*.npmjs.org":443, "**.pypi.org":[80, 443]
  allow http "api.example.com":443 methods GET paths "/v1/*"
  deny 10.0.0.0/8:*
}
inference {
  provider p {
    endpoint "https://p.example"
    api openai
    key env "P_KEY"
    timeout 30s
  }
  route "gpt-*" => p
  route "fast" => p rewrite "gpt-4o-mini"
  deny "*-preview"
}
)";

using Path = std::vector<std::string>;  // keys, and array indices as "[i]"

struct Mutation {
  enum Kind { Replace, Remove, Duplicate, AddKey } kind;
  Path at;
  std::string value;  // JSON text, for Replace and Duplicate
  std::string what;
};

// The JSON text of `v` with `m` applied.
void write(const llvm::json::Value &v, Path &here, const Mutation &m, std::string &out) {
  if (m.kind == Mutation::Replace && here == m.at) return void(out += m.value);
  if (const auto *array = v.getAsArray()) {
    out += "[";
    for (size_t i = 0; i < array->size(); ++i) {
      here.push_back("[" + std::to_string(i) + "]");
      out += i ? ", " : "";
      write((*array)[i], here, m, out);
      here.pop_back();
    }
    return void(out += "]");
  }
  const auto *object = v.getAsObject();
  if (!object) return void(out += llvm::formatv("{0}", v).str());
  std::vector<std::string> keys;
  for (const auto &kv : *object) keys.push_back(kv.first.str());
  std::sort(keys.begin(), keys.end());
  std::string sep;
  out += "{";
  for (const std::string &key : keys) {
    here.push_back(key);
    if (!(m.kind == Mutation::Remove && here == m.at)) {
      out += sep + llvm::formatv("{0}", llvm::json::Value(key)).str() + ": ";
      write(*object->get(key), here, m, out);
      sep = ", ";
      if (m.kind == Mutation::Duplicate && here == m.at) out += ", " + llvm::formatv("{0}", llvm::json::Value(key)).str() + ": " + m.value;
    }
    here.pop_back();
  }
  if (m.kind == Mutation::AddKey && here == m.at) out += sep + "\"unknown_key\": 1";
  out += "}";
}

std::string text(const llvm::json::Value &v) { return llvm::formatv("{0}", v).str(); }

std::string upper(std::string s) {
  for (char &c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Values outside the schema's domain for a string field, by what the field holds.
std::vector<std::string> stringMutants(const std::string &key, const std::string &s) {
  static const std::set<std::string> words = {"format", "root", "kind", "compatibility", "action", "default_action", "op",
                                             "decision", "protocol", "default", "enforcement", "api", "source",
                                             "unrouted"};
  static const std::set<std::string> hosts = {"exact", "one_label_under", "any_labels_under"};
  std::vector<std::string> out;
  if (key == "rel") out = {"/" + s, s + "/..", "../" + s, s + "//x", s + "/."};
  if (words.count(key)) out = {"", s + "x", "x" + s, upper(s)};
  if (hosts.count(key)) out = {"", s + ".", "." + s, s + "..x", "a b." + s, upper(s)};
  if (key == "cidr") out = {"", s + "x", "x" + s, s + "/999", upper(s)};
  if (key == "program") out = {"", s + "=", s.substr(1), "!" + s.substr(1)};
  if (key == "sha256") out = {"", s + "0", s.substr(1) + "G"};
  std::vector<std::string> json;
  for (const std::string &m : out)
    if (m != s) json.push_back(text(llvm::json::Value(m)));
  return json;
}

void mutationsOf(const llvm::json::Value &v, Path &here, bool inObject, std::vector<Mutation> &out) {
  auto add = [&](Mutation::Kind kind, std::string value, std::string what) { out.push_back({kind, here, value, what}); };
  if (inObject) {
    add(Mutation::Remove, "", "removed");
    add(Mutation::Duplicate, text(v), "given twice");
  }
  for (const char *other : {"null", "true", "7", "\"x\"", "[]", "{}"}) {
    llvm::json::Value o = *llvm::json::parse(other);
    if (o.kind() != v.kind()) add(Mutation::Replace, other, std::string("replaced by ") + other);
  }
  if (auto n = v.getAsUINT64()) {
    for (std::string m : {std::string("-1"), "-" + std::to_string(*n + 1), std::to_string(*n + (1ull << 32)),
                          std::string("18446744073709551615"), std::string("18446744073709551616")})
      add(Mutation::Replace, m, "number " + m);
  }
  if (auto s = v.getAsString())
    for (const std::string &m : stringMutants(here.empty() ? "" : here.back(), s->str())) add(Mutation::Replace, m, "string " + m);
  if (const auto *object = v.getAsObject()) {
    add(Mutation::AddKey, "", "unknown key added");
    for (const auto &kv : *object) {
      here.push_back(kv.first.str());
      mutationsOf(kv.second, here, true, out);
      here.pop_back();
    }
  }
  if (const auto *array = v.getAsArray())
    for (size_t i = 0; i < array->size(); ++i) {
      here.push_back("[" + std::to_string(i) + "]");
      mutationsOf((*array)[i], here, false, out);
      here.pop_back();
    }
}

// Everything that protects, and nothing that only names (rule sources, the policy's name).
std::string protection(const shellrt::Bundle &b) {
  std::ostringstream o;
  o << (b.uid ? std::to_string(*b.uid) : "-") << (b.gid ? std::to_string(*b.gid) : "-") << b.allowRoot << b.wallTimeMs
    << b.memoryBytes << "|";
  for (auto &l : b.limits) o << l.resource << "=" << l.value << ",";
  for (auto &e : b.envPass) o << e << ",";
  for (auto &[n, v] : b.envSet) o << n << "=" << v << ",";
  o << "|" << b.landlock << b.hardRequirement << b.handledAccess;
  for (auto &r : b.landlockRules) o << int(r.path.root) << r.path.rel << r.access << ",";
  for (auto &[bit, abi] : b.rightAbi) o << bit << ":" << abi << ",";
  for (auto &m : b.mounts) o << int(m.kind) << int(m.path.root) << m.path.rel << ",";
  o << "|" << b.seccompDefault;
  // What this runtime loads: its architecture's program (checked against its rules).
  const shellrt::SeccompProgram &p = b.running();
  o << std::string(reinterpret_cast<const char *>(p.program.data()), p.program.size() * sizeof(sock_filter));
  for (auto &r : p.rules) o << r.nr << "/" << r.action << ",";
  o << "|" << b.egress.defaultAllow << b.egress.auditOnly;
  for (auto &c : b.egress.alwaysDenied) o << c.cidr << c.why << c.onlyWhenResolved << ",";
  for (auto &r : b.egress.rules) {
    o << r.allow << r.http << r.audit;
    for (auto &h : r.hosts) o << int(h.kind) << h.text;
    for (auto &[lo, hi] : r.ports) o << lo << "-" << hi;
    for (auto *list : {&r.binaries, &r.methods, &r.paths})
      for (auto &s : *list) o << s << ",";
  }
  for (auto &p : b.routes.providers) o << p.name << p.endpoint << p.api << p.keySource << p.keyName << p.timeoutMs;
  for (auto *list : {&b.routes.routes, &b.routes.denied})
    for (auto &r : *list) o << r.model << r.provider << r.rewrite;
  return o.str();
}

// Mutations that make another valid bundle: the field, and the mutation.
bool anotherValidBundle(const Mutation &m) {
  std::string at;
  for (const std::string &k : m.at) at += (k[0] == '[' ? "[]" : "." + k);
  static const std::regex nullable(R"(\.process\.(uid|gid|limits\.\w+)|\.routes\.routes\[\]\.rewrite)");
  static const std::regex number(R"(\.process\.limits\.\w+|\.routes\.providers\[\]\.timeout_ms)");
  static const std::regex text(R"(\.routes\.routes\[\]\.rewrite)");
  static const std::regex mapEntry(R"(\.process\.env_set\.\w+)");
  bool isNumber = !m.value.empty() && (std::isdigit(static_cast<unsigned char>(m.value[0])));
  return (m.kind == Mutation::Replace && m.value == "null" && std::regex_match(at, nullable)) ||
         (m.kind == Mutation::Replace && isNumber && std::regex_match(at, number)) ||
         (m.kind == Mutation::Replace && m.value[0] == '"' && std::regex_match(at, text)) ||
         (m.kind == Mutation::Remove && std::regex_match(at, mapEntry));
}

TEST(BundleMutation, EveryFieldMutatedIsRefusedOrProtectsTheSame) {
  auto checked = testing::checkText(kPolicy);
  ASSERT_TRUE(checked->output.ok) << checked->rendered;
  backends::SourceNames names("/", SHELLC_SOURCE_DIR "/stdlib");
  backends::Bundle built;
  std::string error;
  ASSERT_TRUE(backends::buildBundle(checked->output.policy, checked->sources, names, "0", built, error)) << error;
  shellrt::Bundle original;
  ASSERT_TRUE(shellrt::parseBundle(backends::canonicalJson(built.json), original, error)) << error;
  const std::string expected = protection(original);

  std::vector<Mutation> mutations;
  Path root;
  mutationsOf(built.json, root, false, mutations);
  size_t refused = 0, same = 0, valid = 0;
  for (const Mutation &m : mutations) {
    std::string mutant;
    Path here;
    write(built.json, here, m, mutant);
    shellrt::Bundle read;
    std::string why;
    std::string at;
    for (const std::string &k : m.at) at += (k[0] == '[' ? k : "." + k);
    if (!shellrt::parseBundle(mutant, read, why)) {
      ++refused;
      continue;
    }
    if (protection(read) == expected) {
      ++same;
      continue;
    }
    EXPECT_TRUE(anotherValidBundle(m)) << at << " " << m.what << ": read, with other protection";
    ++valid;
  }
  EXPECT_GT(mutations.size(), 3000u);
  EXPECT_GT(refused, mutations.size() * 9 / 10);
  std::cout << mutations.size() << " mutants: " << refused << " refused, " << same << " same protection, " << valid
            << " another valid bundle\n";
}

}  // namespace
}  // namespace shellc
