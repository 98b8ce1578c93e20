// The Z3 encoding of each layer against ir::evaluate: many random requests on the shipped
// examples and on random policies, each asserted as constants of the layer's space; the
// decision the solver finds must be evaluate's. A disagreement fails.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "frontend/syscall_names.h"
#include "ir/evaluate.h"
#include "test_support.h"
#include "verify/placements.h"
#include "verify/prove.h"
#include "verify/requests.h"
#include "verify/smt.h"

namespace shellc {
namespace {

constexpr int kRequests = 3000;  // per layer and policy

std::string randomPolicy(std::mt19937 &rng) {
  auto pick = [&](std::vector<std::string> v) { return v[rng() % v.size()]; };
  std::ostringstream out;
  out << "policy random\nfilesystem {\n";
  if (rng() % 2) out << "  default allow\n";
  for (int i = 0; i < 8; ++i)
    out << "  " << pick({"allow", "deny"}) << " " << pick({"read", "write", "exec", "read, write", "connect", "read, connect"}) << " "
        << pick({"\"/a\"", "\"/a/b\"", "\"/a/b/c\"", "\"~/x\"", "\"~/x/y\"", "workspace", "workspace / \"g\"", "\"/\""}) << "\n";
  out << "}\nsyscalls {\n  default " << pick({"allow", "deny", "kill"}) << "\n";
  for (int i = 0; i < 8; ++i)
    out << "  deny " << pick({"socket", "ioctl", "clone"}) << "(arg0 " << pick({"==", "!=", "<", ">=", "& 0xff =="})
        << " " << rng() % 20 << ") => " << pick({"errno(EPERM)", "errno(EACCES)", "kill", "trap", "notify"}) << "\n";
  out << "  log openat\n}\nnetwork {\n";
  if (rng() % 2) out << "  default allow\n";
  for (int i = 0; i < 8; ++i) {
    bool allow = rng() % 2;
    out << "  " << (allow ? "allow " : "deny ") << (rng() % 3 == 0 ? "http " : "")
        << pick({"\"a.com\"", "\"*.a.com\"", "\"**.a.com\"", "\"b.a.com\"", "10.0.0.0/8", "127.0.0.1", "\"fe80::/10\"",
                 "169.254.169.254", "0.0.0.0/0"})
        << ":" << pick({"443", "80", "*", "[22, 8000-8100]"});
    if (rng() % 3 == 0) out << " by " << pick({"\"/usr/bin/git\"", "\"/usr/bin/*\""});
    out << "\n";
  }
  out << "  allow http \"api.a.com\":443 methods GET paths \"/v1/*\"\n  deny http \"api.a.com\":443 methods POST\n}\n";
  out << "inference {\n  provider p { endpoint \"https://p.example\"\n api openai }\n"
         "  provider q { endpoint \"https://q.example\"\n api openai }\n"
         "  route \"gpt-*\" => p\n  route \"gpt-4*\" => q\n  route \"c?aude\" => q\n  deny \"*-mini\"\n}\n";
  return out.str();
}

std::vector<std::unique_ptr<testing::Checked>> policies() {
  std::vector<std::unique_ptr<testing::Checked>> out;
  for (const char *name : {"coding-agent", "claude-code", "codex-cli", "ci-job", "openclaw-agent"})
    out.push_back(testing::checkText(testing::readFile(std::string(SHELLC_SOURCE_DIR) + "/examples/" + name + ".policy")));
  std::mt19937 rng(7);
  for (int i = 0; i < 6; ++i) out.push_back(testing::checkText(randomPolicy(rng)));
  for (auto &c : out) EXPECT_TRUE(c->output.ok) << c->rendered;
  return out;
}

// Whether `request` with `goal` is satisfiable in the layer's space.
bool holds(z3::solver &s, const verify::smt::Layer &layer, const z3::expr &request, const z3::expr &goal) {
  s.push();
  s.add(layer.domain() && request && goal);
  bool sat = s.check() == z3::sat;
  s.pop();
  return sat;
}

std::string randomWord(std::mt19937 &rng, const std::vector<std::string> &words) {
  return words.empty() || rng() % 5 == 0 ? "zz" + std::to_string(rng() % 3) : words[rng() % words.size()];
}

// The components of the rules' paths: random paths made of them meet the rules.
std::vector<std::string> pathWords(const ir::Filesystem &fs) {
  std::vector<std::string> words;
  for (const ir::FsRule &r : fs.rules)
    for (size_t b = 0, e; b < r.path.rel.size(); b = e + 1) {
      e = std::min(r.path.rel.find('/', b), r.path.rel.size());
      words.push_back(r.path.rel.substr(b, e - b));
    }
  return words;
}

// A policy's filesystem layer, with a solver and what the policy permits.
struct FilesystemSpace {
  explicit FilesystemSpace(const ir::Policy &p)
      : layer(verify::smt::filesystemLayer(ctx, {&p})), s(ctx), permits(layer->permits(p)) {}
  z3::context ctx;
  std::unique_ptr<verify::smt::Layer> layer;
  z3::solver s;
  z3::expr permits;
};

TEST(SmtCrossCheck, Filesystem) {
  for (auto &c : policies()) {
    const ir::Policy &p = c->output.policy;
    FilesystemSpace space(p);
    auto &[ctx, layer, s, permits] = space;
    std::vector<std::string> words = pathWords(p.filesystem);
    std::mt19937 rng(1);
    for (int i = 0; i < kRequests; ++i) {
      ir::Path path{static_cast<ir::PathRoot>(rng() % 3), ""};
      for (int depth = rng() % 5; depth > 0; --depth) path.rel += (path.rel.empty() ? "" : "/") + randomWord(rng, words);
      ir::Access right = ir::kAccessWords[rng() % ir::kAccessWords.size()].bit;
      auto request = verify::smt::fileRequest(*layer, path, right);
      ASSERT_TRUE(request) << path.display();
      bool expected = ir::evaluateFile(p.filesystem, path, right).allow;
      ASSERT_EQ(holds(s, *layer, *request, permits), expected) << path.display() << " right " << int(right);
    }
  }
}

// The placements' search without a solver (verify/placements.h) against the solver's: for
// patterns (rules' paths and roots) and random rights, a path beneath the pattern decided
// either way exists in both or in neither.
TEST(SmtCrossCheck, PlacementProbesFindWhatTheSolverFinds) {
  int found = 0;
  for (auto &c : policies()) {
    const ir::Policy &p = c->output.policy;
    FilesystemSpace space(p);
    auto &[ctx, layer, s, permits] = space;
    std::mt19937 rng(2);
    for (int i = 0; i < 400; ++i) {
      ir::Request pattern;
      pattern.kind = ir::Request::Kind::File;
      // A pattern the layer's space knows (an assert's paths are in it): a rule's path or a root.
      const std::vector<ir::FsRule> &rules = p.filesystem.rules;
      pattern.path = rng() % 4 == 0 || rules.empty() ? ir::Path{static_cast<ir::PathRoot>(rng() % 3), ""}
                                                     : rules[rng() % rules.size()].path;
      pattern.access = ir::kAccessWords[rng() % ir::kAccessWords.size()].bit;
      bool never = rng() % 2;
      std::optional<ir::Path> probe =
          verify::counterexampleBeneath(p.filesystem, pattern.path, static_cast<ir::Access>(pattern.access), never);
      bool solver = holds(s, *layer, layer->pattern(pattern), never ? permits : !permits);
      ASSERT_EQ(probe.has_value(), solver) << pattern.path.display() << " right " << int(pattern.access) << " never " << never;
      found += probe.has_value();
    }
  }
  EXPECT_GT(found, 500);
}

TEST(SmtCrossCheck, Syscalls) {
  for (auto &c : policies()) {
    const ir::Policy &p = c->output.policy;
    std::vector<uint64_t> values = {0, 1, ~0ull, 0xffffffffull, 1ull << 32};
    std::vector<int> numbers;
    for (const ir::SyscallRule &r : p.syscalls.rules) {
      for (auto [arch, nr] : r.numbers) numbers.push_back(nr);
      for (const ir::ArgCondition &cond : r.conditions)
        values.insert(values.end(), {cond.value, cond.value + 1, cond.value - 1, cond.value | ~cond.mask});
    }
    z3::context ctx;
    std::mt19937_64 rng(2);
    for (ir::Arch arch : ir::kAllArches) {
      auto layer = verify::smt::syscallLayer(ctx, arch);
      z3::solver s(ctx);
      z3::expr decision = layer->decision(p, ctx.int_val(-1));
      for (int i = 0; i < kRequests / 3; ++i) {  // per arch: bit-vector queries cost more
        int nr = numbers.empty() || rng() % 4 == 0 ? static_cast<int>(rng() % 450) : numbers[rng() % numbers.size()];
        ir::SyscallArgs args;
        for (uint64_t &a : args) a = rng() % 3 == 0 ? rng() : values[rng() % values.size()];
        int expected = verify::smt::actionRank(ir::evaluateSyscall(p.syscalls, arch, nr, args).action);
        ASSERT_TRUE(holds(s, *layer, verify::smt::syscallRequest(*layer, nr, args), decision == expected))
            << "nr " << nr << " on " << ir::archName(arch);
      }
    }
  }
}

TEST(SmtCrossCheck, Network) {
  for (auto &c : policies()) {
    const ir::Policy &p = c->output.policy;
    std::vector<std::string> names, binaries = {"/usr/bin/git", "/usr/bin/curl", "/bin/sh"};
    std::vector<ir::Address> addresses;
    for (const ir::NetworkRule &r : p.network.rules) {
      for (const ir::HostPattern &h : r.hosts)
        if (h.kind == ir::HostPattern::Kind::Cidr) addresses.push_back(h.address);
        else names.push_back(h.name);
      binaries.insert(binaries.end(), r.binaries.begin(), r.binaries.end());
    }
    for (const ir::ReservedRange &range : ir::reservedRanges()) addresses.push_back(range.cidr.address);
    z3::context ctx;
    auto layer = verify::smt::networkLayer(ctx, {&p});
    z3::solver s(ctx);
    z3::expr permits = layer->permits(p);
    std::mt19937 rng(3);
    int outside = 0;
    for (int i = 0; i < kRequests; ++i) {
      ir::NetworkRequest r;
      if (rng() % 3) r.host = std::vector<std::string>{"", "q.", "q.r."}[rng() % 3] + randomWord(rng, names);
      if (r.host.empty() || rng() % 3 == 0) {
        ir::Address a = addresses[rng() % addresses.size()];
        if (rng() % 2) a[15] = static_cast<uint8_t>(rng());
        r.address = a;
      }
      r.port = static_cast<uint16_t>(std::vector<int>{443, 80, 22, 8050, 1 + int(rng() % 65535)}[rng() % 5]);
      // The program, and sometimes an ancestor: a rule matches if either is its binary.
      if (rng() % 2) r.binaries = {binaries[rng() % binaries.size()]};
      if (rng() % 3 == 0) r.binaries.push_back(binaries[rng() % binaries.size()]);
      if (rng() % 3 == 0) {
        r.protocol = ir::Protocol::Http;
        r.method = std::vector<std::string>{"", "GET", "POST", "PUT", "HEAD"}[rng() % 5];
        r.path = std::vector<std::string>{"", "/", "/v1/x", "/simple/x", "/api/v10/x", "/botx/getUpdates"}[rng() % 6];
      }
      auto request = verify::smt::networkRequest(*layer, r);
      if (!request) {  // a binary or HTTP path outside the globs' instances (documented)
        ++outside;
        continue;
      }
      bool expected = ir::evaluateNetwork(p.network, r).allow;
      ASSERT_EQ(holds(s, *layer, *request, permits), expected) << r.host << ":" << r.port;
    }
    EXPECT_LT(outside, kRequests / 4);
  }
}

TEST(SmtCrossCheck, Inference) {
  for (auto &c : policies()) {
    const ir::Policy &p = c->output.policy;
    std::vector<std::string> globs;
    for (const ir::Route &r : p.inference.routes) globs.push_back(r.modelGlob);
    for (const ir::ModelDeny &d : p.inference.denies) globs.push_back(d.modelGlob);
    z3::context ctx;
    auto layer = verify::smt::inferenceLayer(ctx, {&p});
    z3::solver s(ctx);
    z3::expr permits = layer->permits(p);
    std::mt19937 rng(4);
    for (int i = 0; i < kRequests; ++i) {
      std::string model;
      std::string glob = globs.empty() ? "m*" : globs[rng() % globs.size()];
      for (char ch : glob)
        model += ch == '*' ? std::vector<std::string>{"", "4o", "-mini", "x-y"}[rng() % 4] : ch == '?' ? "l" : std::string(1, ch);
      if (rng() % 5 == 0) model = "unrelated";
      auto request = verify::smt::modelRequest(*layer, model);
      ASSERT_TRUE(request) << model;
      bool expected = ir::evaluateRoute(p.inference, model).route != nullptr;
      ASSERT_EQ(holds(s, *layer, *request, permits), expected) << model;
    }
  }
}

// The verifier leaves out of a question about one rule the statements whose footprints do
// not meet its own: sound only if no request matches two such statements.
TEST(SmtCrossCheck, FootprintsThatDoNotMeetShareNoRequest) {
  int disjointPairs = 0;
  for (auto &c : policies()) {
    const ir::Policy &p = c->output.policy;
    z3::context ctx;
    for (const auto &layer : verify::smt::encodeLayers(ctx, {&p})) {
      std::vector<verify::smt::Statement> statements = layer->statements(p);
      z3::solver s(ctx);
      for (size_t i = 0; i < statements.size(); ++i)
        for (size_t j = i + 1; j < statements.size(); ++j) {
          if (statements[i].footprint.meets(statements[j].footprint)) continue;
          ++disjointPairs;
          ASSERT_FALSE(holds(s, *layer, statements[i].matches, statements[j].matches))
              << layer->name() << ": " << verify::ruleLabel(*statements[i].id) << " and " << verify::ruleLabel(*statements[j].id);
        }
    }
  }
  EXPECT_GT(disjointPairs, 1000);
}

// Every witness the prover prints is decided again by evaluate, which must agree: on these
// policies with asserts that fail, the findings come, and no internal disagreement does.
TEST(SmtCrossCheck, WitnessesAreRechecked) {
  std::mt19937 rng(5);
  for (int i = 0; i < 6; ++i) {
    std::string text = randomPolicy(rng) +
                       "assert never read \"/a\"\nassert always write workspace\nassert never connect \"*.a.com\":*\n"
                       "assert never syscall socket\nassert always route \"gpt-*\" => p\n";
    auto c = testing::checkText(text);
    ASSERT_TRUE(c->output.ok) << c->rendered;
    verify::provePolicy(c->output.policy, c->diags);
    EXPECT_FALSE(c->has("verifier-internal")) << text;
    EXPECT_TRUE(c->has("assert-failed"));
  }
}

}  // namespace
}  // namespace shellc
