// The decision function of each layer (ir/evaluate.h), the globs it matches with, and the
// test runner built on them, against small policies: docs/language.md sections 6 to 14.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "frontend/check.h"

#include "ir/evaluate.h"
#include "ir/glob.h"
#include "test_support.h"
#include "verify/tests.h"

namespace shellc {
namespace {

using testing::checkText;

const ir::Policy &policyOf(const testing::Checked &c) {
  EXPECT_TRUE(c.output.ok) << c.rendered;
  return c.output.policy;
}

std::vector<std::string> names(const std::vector<const ir::FsRule *> &rules) {
  std::vector<std::string> out;
  for (auto *r : rules) out.push_back(r->id.name);
  return out;
}

// ---------------------------------------------------------------- globs
TEST(Glob, ModelNames) {
  EXPECT_TRUE(ir::matchModelGlob("gpt-4o*", "gpt-4o"));
  EXPECT_TRUE(ir::matchModelGlob("gpt-4o*", "gpt-4o-mini"));
  EXPECT_TRUE(ir::matchModelGlob("o?-*", "o1-preview"));
  EXPECT_FALSE(ir::matchModelGlob("o?-*", "o-preview"));
  EXPECT_FALSE(ir::matchModelGlob("claude-*", "claude"));
  EXPECT_TRUE(ir::matchModelGlob("a/*", "a/b/c"));  // no path structure in a model name
  EXPECT_FALSE(ir::matchModelGlob("[a]", "a"));     // no classes either
  EXPECT_TRUE(ir::matchModelGlob("[a]", "[a]"));
}

TEST(Glob, BinariesStarStaysInOneComponent) {
  EXPECT_TRUE(ir::matchBinaryGlob("/usr/bin/pip*", "/usr/bin/pip3"));
  EXPECT_FALSE(ir::matchBinaryGlob("/usr/bin/*", "/usr/bin/x/y"));
  EXPECT_TRUE(ir::matchBinaryGlob("/usr/**/python3", "/usr/local/lib/venv/bin/python3"));
  EXPECT_FALSE(ir::matchBinaryGlob("/usr/**/python3", "/opt/python3"));
  EXPECT_TRUE(ir::matchBinaryGlob("/opt/*/bin/node", "/opt/v20/bin/node"));
  EXPECT_FALSE(ir::matchBinaryGlob("/usr/bin/git", "/usr/bin/git-remote-https"));
  EXPECT_TRUE(ir::matchBinaryGlob("/usr/bin/?", "/usr/bin/?"));  // `?` is a literal here
  EXPECT_FALSE(ir::matchBinaryGlob("/usr/bin/?", "/usr/bin/a"));
}

TEST(Glob, HttpPaths) {
  EXPECT_TRUE(ir::matchHttpPathGlob("/simple/**", "/simple/requests/"));
  EXPECT_TRUE(ir::matchHttpPathGlob("/api/*", "/api/v10/channels/1"));  // `*` crosses '/'
  EXPECT_TRUE(ir::matchHttpPathGlob("/bot*/getUpdates", "/bot123:abc/getUpdates"));
  EXPECT_FALSE(ir::matchHttpPathGlob("/bot*/getUpdates", "/bot1/setWebhook"));
  EXPECT_TRUE(ir::matchHttpPathGlob("/v?/x", "/v1/x"));
  EXPECT_TRUE(ir::matchHttpPathGlob("/v[0-9]/x", "/v7/x"));
  EXPECT_FALSE(ir::matchHttpPathGlob("/v[0-9]/x", "/va/x"));
  EXPECT_TRUE(ir::matchHttpPathGlob("/v[!0]", "/v1"));
  EXPECT_FALSE(ir::matchHttpPathGlob("/v[!0]", "/v0"));
  EXPECT_TRUE(ir::matchHttpPathGlob("/[]]", "/]"));  // a leading ']' is a member
  EXPECT_TRUE(ir::matchHttpPathGlob("/a[b", "/a[b"));  // an unclosed '[' is itself
  EXPECT_FALSE(ir::matchHttpPathGlob("/a", "/a/b"));
  EXPECT_FALSE(ir::matchHttpPathGlob("/a", ""));
  // Linear time: this would take ages for a backtracking matcher.
  EXPECT_FALSE(ir::matchHttpPathGlob("/*a*a*a*a*a*a*a*a*a*a*a*a*b", "/" + std::string(4000, 'a')));
}

// What the verifier uses to stand for the texts two globs share: each text it returns is
// matched by both, and it finds one exactly when the globs overlap.
TEST(Glob, CommonTextIsMatchedByBoth) {
  struct Case {
    std::string a, b;
    bool overlap;
  };
  for (const Case &c : std::vector<Case>{{"/a/*/c", "/a/b/*", true},
                                         {"/v[0-9]/x", "/v[5-7]/*", true},
                                         {"/v[!0]", "/v0", false},
                                         {"/v?/x", "/v1/*", true},
                                         {"/api/*", "/bot*", false}}) {
    auto both = ir::commonHttpPath(c.a, c.b);
    ASSERT_EQ(both.has_value(), c.overlap) << c.a << " " << c.b;
    if (both) EXPECT_TRUE(ir::matchHttpPathGlob(c.a, *both) && ir::matchHttpPathGlob(c.b, *both)) << *both;
  }
  auto bin = ir::commonBinary("/usr/bin/*", "/usr/*/git");
  ASSERT_TRUE(bin);
  EXPECT_EQ(*bin, "/usr/bin/git");
  EXPECT_FALSE(ir::commonBinary("/usr/bin/*", "/usr/bin/x/y"));  // `*` stays in one component
  EXPECT_TRUE(ir::commonBinary("/usr/**", "/usr/bin/x/y"));
  auto model = ir::commonModelName("gpt-4*", "*-mini");
  ASSERT_TRUE(model);
  EXPECT_TRUE(ir::matchModelGlob("gpt-4*", *model) && ir::matchModelGlob("*-mini", *model)) << *model;
  EXPECT_FALSE(ir::commonModelName("claude-*", "gpt-*"));
}

TEST(Glob, UnclosedClassInHttpPathIsAnError) {
  auto c = checkText("network {\n  allow http \"a.example.com\":443 paths \"/v[0-9\"\n}\n");
  EXPECT_TRUE(c->has("invalid-http-path")) << c->rendered;
}

// ---------------------------------------------------------------- filesystem
TEST(EvaluateFilesystem, SubtreesDenyOverridesAllowAndDefault) {
  auto c = checkText(R"(
filesystem {
  @usr allow read, exec "/usr"
  @ws allow read, write workspace
  @hooks deny write workspace / ".git/hooks"
  @claude allow read, write "~/.claude"
}
)");
  const ir::Filesystem &fs = policyOf(*c).filesystem;
  auto eval = [&](ir::PathRoot root, std::string rel, ir::Access right) {
    return ir::evaluateFile(fs, ir::Path{root, std::move(rel)}, right);
  };
  auto d = eval(ir::PathRoot::Absolute, "usr/bin/python3", ir::kExec);
  EXPECT_TRUE(d.allow);
  EXPECT_EQ(names(d.deciding), std::vector<std::string>{"usr"});
  EXPECT_FALSE(eval(ir::PathRoot::Absolute, "usr/bin/python3", ir::kWrite).allow);
  EXPECT_TRUE(eval(ir::PathRoot::Absolute, "usr/bin/python3", ir::kWrite).matched.empty());
  EXPECT_FALSE(eval(ir::PathRoot::Absolute, "usrlocal", ir::kRead).allow);  // component boundary

  d = eval(ir::PathRoot::Workspace, ".git/hooks/pre-commit", ir::kWrite);
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(names(d.matched), (std::vector<std::string>{"ws", "hooks"}));
  EXPECT_EQ(names(d.deciding), std::vector<std::string>{"hooks"});
  EXPECT_TRUE(eval(ir::PathRoot::Workspace, ".git/hooks", ir::kRead).allow);
  EXPECT_FALSE(eval(ir::PathRoot::Workspace, ".git/hooks", ir::kWrite).allow);  // the path itself
  EXPECT_TRUE(eval(ir::PathRoot::Workspace, ".git/hooksx", ir::kWrite).allow);

  EXPECT_TRUE(eval(ir::PathRoot::Home, ".claude/projects/x", ir::kWrite).allow);
  EXPECT_FALSE(eval(ir::PathRoot::Home, ".claude.json", ir::kWrite).allow);
}

TEST(EvaluateFilesystem, StartUpRootsAreDisjointExceptUnderRoot) {
  auto c = checkText(R"(
filesystem {
  default allow
  @root_ro deny write "/"
  @home_secret deny read "/home"
  @ws_ro deny read workspace
}
)");
  const ir::Filesystem &fs = policyOf(*c).filesystem;
  // A rule on "/" covers whatever home and the workspace resolve to.
  EXPECT_FALSE(ir::evaluateFile(fs, {ir::PathRoot::Home, ".bashrc"}, ir::kWrite).allow);
  EXPECT_FALSE(ir::evaluateFile(fs, {ir::PathRoot::Workspace, "a"}, ir::kWrite).allow);
  // Other absolute rules cannot be compared with start-up paths, nor those with each other.
  EXPECT_TRUE(ir::evaluateFile(fs, {ir::PathRoot::Home, ".bashrc"}, ir::kRead).allow);
  EXPECT_TRUE(ir::evaluateFile(fs, {ir::PathRoot::Home, ""}, ir::kRead).allow);
  EXPECT_FALSE(ir::evaluateFile(fs, {ir::PathRoot::Workspace, ""}, ir::kRead).allow);
  // The default decides when nothing covers the request, and no rule is said to decide.
  auto d = ir::evaluateFile(fs, {ir::PathRoot::Absolute, "etc/passwd"}, ir::kRead);
  EXPECT_TRUE(d.allow);
  EXPECT_TRUE(d.deciding.empty());
}

// ---------------------------------------------------------------- syscalls
struct Sys {
  std::unique_ptr<testing::Checked> checked;
  ir::SyscallDecision operator()(const char *name, ir::SyscallArgs args = {}, ir::Arch arch = ir::Arch::X86_64) const {
    const ir::Syscalls &sys = checked->output.policy.syscalls;
    auto it = std::find_if(sys.rules.begin(), sys.rules.end(), [&](const ir::SyscallRule &r) { return r.name == name; });
    int nr = it == sys.rules.end() ? -1 : it->numbers.at(arch);
    return ir::evaluateSyscall(sys, arch, nr, args);
  }
};

TEST(EvaluateSyscalls, StrictestActionWins) {
  EXPECT_TRUE(ir::stricter({ir::ActionKind::KillProcess}, {ir::ActionKind::KillThread}));
  EXPECT_TRUE(ir::stricter({ir::ActionKind::KillThread}, {ir::ActionKind::Trap}));
  EXPECT_TRUE(ir::stricter({ir::ActionKind::Trap}, {ir::ActionKind::Errno, 1}));
  EXPECT_TRUE(ir::stricter({ir::ActionKind::Errno, 4095}, {ir::ActionKind::Notify}));
  EXPECT_TRUE(ir::stricter({ir::ActionKind::Notify}, {ir::ActionKind::Log}));
  EXPECT_TRUE(ir::stricter({ir::ActionKind::Log}, {ir::ActionKind::Allow}));
  EXPECT_TRUE(ir::stricter({ir::ActionKind::Errno, 1}, {ir::ActionKind::Errno, 38}));
  EXPECT_FALSE(ir::stricter({ir::ActionKind::Errno, 38}, {ir::ActionKind::Errno, 38}));

  Sys eval{checkText(R"(
syscalls {
  default allow
  @a deny ptrace
  @b kill ptrace
  @c log ptrace
  @d deny clone3 => errno(ENOSYS)
  @e deny clone3 => errno(EPERM)
  @f deny clone3 => notify
}
)")};
  auto d = eval("ptrace");
  EXPECT_EQ(d.action.kind, ir::ActionKind::KillProcess);
  ASSERT_EQ(d.matched.size(), 3u);
  ASSERT_EQ(d.deciding.size(), 1u);
  EXPECT_EQ(d.deciding[0]->id.name, "b");
  d = eval("clone3");
  EXPECT_EQ(d.action, (ir::SyscallAction{ir::ActionKind::Errno, 1}));  // EPERM (1) < ENOSYS (38)
  EXPECT_EQ(d.deciding[0]->id.name, "e");
}

TEST(EvaluateSyscalls, ConditionsAsTheKernelReadsTheArguments) {
  Sys eval{checkText(R"(
syscalls {
  default allow
  @packet deny socket(domain & 0xffffffff == AF_PACKET) => errno(EAFNOSUPPORT)
  @persona deny personality(persona not in [0, 8])
  @userns deny clone(flags & CLONE_NEWUSER != 0)
  @fd kill close(fd > 1000, fd <= 2000)
  @at deny openat(dirfd == -100)
  @big deny mmap(length > 0xffffffff)
}
)")};
  const uint64_t high = 1ull << 32;
  EXPECT_EQ(eval("socket", {17, 3, 0}).action.errnoValue, 97);
  EXPECT_EQ(eval("socket", {high | 17, 3, 0}).action.errnoValue, 97);  // masked: the kernel's view
  EXPECT_EQ(eval("socket", {2, 1, 0}).action.kind, ir::ActionKind::Allow);
  EXPECT_EQ(eval("personality", {8}).action.kind, ir::ActionKind::Allow);
  // persona is an unsigned int: the kernel runs personality(8) whatever the high bits say.
  EXPECT_EQ(eval("personality", {high | 8}).action.kind, ir::ActionKind::Allow);
  EXPECT_EQ(eval("personality", {high | 9}).action.kind, ir::ActionKind::Errno);
  EXPECT_EQ(eval("clone", {0x10000000}).action.kind, ir::ActionKind::Errno);
  EXPECT_EQ(eval("clone", {0x00020000}).action.kind, ir::ActionKind::Allow);
  EXPECT_EQ(eval("close", {1500}).action.kind, ir::ActionKind::KillProcess);
  EXPECT_EQ(eval("close", {1000}).action.kind, ir::ActionKind::Allow);
  EXPECT_EQ(eval("close", {2001}).action.kind, ir::ActionKind::Allow);
  EXPECT_EQ(eval("openat", {static_cast<uint64_t>(-100)}).action.kind, ir::ActionKind::Errno);
  EXPECT_EQ(eval("openat", {0xffffff9c}).action.kind, ir::ActionKind::Errno);  // dirfd is an int: -100
  // clone's flags and mmap's length are unsigned longs: all 64 bits count.
  EXPECT_EQ(eval("clone", {high | 0x10000000}).action.kind, ir::ActionKind::Errno);
  EXPECT_EQ(eval("mmap", {0, high}).action.kind, ir::ActionKind::Errno);
  EXPECT_EQ(eval("mmap", {0, 0xffffffff}).action.kind, ir::ActionKind::Allow);
  EXPECT_EQ(eval("socket", {17}, ir::Arch::AArch64).action.errnoValue, 97);
}

TEST(EvaluateSyscalls, DefaultAndArchitectures) {
  Sys eval{checkText("syscalls {\n  arch x86_64\n  allow read\n}\n")};
  auto d = eval("read");
  EXPECT_EQ(d.action.kind, ir::ActionKind::Allow);
  d = ir::evaluateSyscall(eval.checked->output.policy.syscalls, ir::Arch::X86_64, 1, {});  // write
  EXPECT_EQ(d.action, (ir::SyscallAction{ir::ActionKind::Errno, 1}));  // no default: EPERM
  EXPECT_TRUE(d.deciding.empty());
  // A call through an arch that the policy builds no filter for kills the process.
  d = ir::evaluateSyscall(eval.checked->output.policy.syscalls, ir::Arch::AArch64, 63, {});
  EXPECT_EQ(d.action.kind, ir::ActionKind::KillProcess);
  EXPECT_FALSE(d.archTargeted);
  // A rule applies on an arch only through that arch's number.
  Sys both{checkText("syscalls {\n  default allow\n  deny iopl\n}\n")};
  EXPECT_EQ(both("iopl").action.kind, ir::ActionKind::Errno);
  int iopl = both.checked->output.policy.syscalls.rules[0].numbers.at(ir::Arch::X86_64);
  EXPECT_EQ(ir::evaluateSyscall(both.checked->output.policy.syscalls, ir::Arch::AArch64, iopl, {}).action.kind,
            ir::ActionKind::Allow);
}

// ---------------------------------------------------------------- network
ir::Address v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}
ir::Address v6(const char *text) {
  ir::Address a;
  inet_pton(AF_INET6, text, a.data());
  return a;
}

ir::NetworkRequest byName(std::string host, uint16_t port, std::vector<std::string> binaries = {}) {
  ir::NetworkRequest r;
  r.host = std::move(host);
  r.port = port;
  r.binaries = std::move(binaries);
  return r;
}
ir::NetworkRequest byAddress(ir::Address address, uint16_t port, std::string resolvedFrom = "") {
  ir::NetworkRequest r;
  r.host = std::move(resolvedFrom);
  r.address = address;
  r.port = port;
  return r;
}
ir::NetworkRequest http(ir::NetworkRequest r, std::string method, std::string path) {
  r.protocol = ir::Protocol::Http;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(EvaluateNetwork, HostsPortsAndBinaries) {
  auto c = checkText(R"(
network {
  @git allow "api.github.com":443 by "/usr/bin/git"
  @one allow "*.example.com":[80, 8000-8100]
  @many allow "**.corp.example":443
  @net allow 10.20.0.0/16:*
}
)");
  const ir::Network &net = policyOf(*c).network;
  auto allowed = [&](const ir::NetworkRequest &r) { return ir::evaluateNetwork(net, r).allow; };
  EXPECT_TRUE(allowed(byName("api.github.com", 443, {"/usr/bin/git"})));
  EXPECT_TRUE(allowed(byName("api.github.com", 443, {"/usr/bin/ssh", "/usr/bin/git"})));  // an ancestor
  EXPECT_FALSE(allowed(byName("api.github.com", 443, {"/usr/bin/curl"})));
  EXPECT_FALSE(allowed(byName("api.github.com", 443)));  // a program that no `by` names
  EXPECT_FALSE(allowed(byName("api.github.com", 80, {"/usr/bin/git"})));
  EXPECT_TRUE(allowed(byName("a.example.com", 8050)));
  EXPECT_FALSE(allowed(byName("a.example.com", 443)));
  EXPECT_FALSE(allowed(byName("example.com", 80)));
  EXPECT_FALSE(allowed(byName("a.b.example.com", 80)));
  EXPECT_FALSE(allowed(byName("aexample.com", 80)));
  EXPECT_TRUE(allowed(byName("a.b.corp.example", 443)));
  EXPECT_TRUE(allowed(byName("a.corp.example", 443)));
  EXPECT_FALSE(allowed(byName("corp.example", 443)));
  EXPECT_TRUE(allowed(byAddress(v4(10, 20, 3, 4), 22)));
  EXPECT_TRUE(allowed(byAddress(v4(10, 20, 3, 4), 22, "db.internal")));  // resolved, named by CIDR
  EXPECT_FALSE(allowed(byAddress(v4(10, 21, 3, 4), 22)));
  EXPECT_FALSE(allowed(byName("db.internal", 22)));  // a CIDR matches an address, not a name
}

TEST(EvaluateNetwork, HttpRequestsAndConnections) {
  auto c = checkText(R"(
network {
  default allow
  @read allow http "registry.npmjs.org":443 methods GET, HEAD
  @security allow http "registry.npmjs.org":443 methods POST paths "/-/npm/v1/security/*"
  @no_put deny http "registry.npmjs.org":443 methods PUT
  @no_admin deny http "api.example.com":443 paths "/admin/**"
}
)");
  const ir::Network &net = policyOf(*c).network;
  auto npm = byName("registry.npmjs.org", 443);
  // The connection is allowed; deny rules with methods or paths are left to its requests.
  auto d = ir::evaluateNetwork(net, npm);
  EXPECT_TRUE(d.allow);
  ASSERT_EQ(d.matched.size(), 2u);
  EXPECT_TRUE(ir::evaluateNetwork(net, http(npm, "GET", "/left-pad")).allow);
  d = ir::evaluateNetwork(net, http(npm, "PUT", "/left-pad"));
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.deciding[0]->id.name, "no_put");
  EXPECT_TRUE(ir::evaluateNetwork(net, http(npm, "POST", "/-/npm/v1/security/audits/quick")).allow);
  // No rule matches a POST elsewhere: the default decides.
  d = ir::evaluateNetwork(net, http(npm, "POST", "/left-pad"));
  EXPECT_TRUE(d.allow);
  EXPECT_TRUE(d.deciding.empty());
  auto api = byName("api.example.com", 443);
  EXPECT_TRUE(ir::evaluateNetwork(net, api).allow);
  EXPECT_FALSE(ir::evaluateNetwork(net, http(api, "GET", "/admin/users")).allow);
  // A request without a path has one that no `paths` clause names.
  EXPECT_TRUE(ir::evaluateNetwork(net, http(api, "GET", "")).allow);
}

TEST(EvaluateNetwork, ReservedRanges) {
  auto c = checkText(R"(
network {
  default allow
  @local allow 127.0.0.1:8000
  @all allow 0.0.0.0/0:*
  @lan allow 192.168.1.0/24:443
  @metadata deny 169.254.169.254
}
)");
  const ir::Network &net = policyOf(*c).network;
  // Loopback, link-local and unspecified: refused whatever the default says...
  auto d = ir::evaluateNetwork(net, byAddress(v4(127, 0, 0, 1), 22));
  EXPECT_FALSE(d.allow);
  ASSERT_NE(d.reserved, nullptr);
  EXPECT_STREQ(d.reserved->what, "loopback");
  EXPECT_FALSE(ir::evaluateNetwork(net, byAddress(v6("::1"), 8000)).allow);
  EXPECT_FALSE(ir::evaluateNetwork(net, byAddress(v6("fe80::1"), 80)).allow);
  EXPECT_FALSE(ir::evaluateNetwork(net, byAddress(v4(0, 0, 0, 0), 80)).allow);
  EXPECT_FALSE(ir::evaluateNetwork(net, byAddress(v6("::"), 80)).allow);
  // ...unless an allow rule that matches names a CIDR inside the range; 0.0.0.0/0 is not inside.
  EXPECT_TRUE(ir::evaluateNetwork(net, byAddress(v4(127, 0, 0, 1), 8000)).allow);
  EXPECT_TRUE(ir::evaluateNetwork(net, byAddress(v6("::ffff:127.0.0.1"), 8000)).allow);  // canonical v4
  // A deny still wins over the reopening allow.
  d = ir::evaluateNetwork(net, byAddress(v4(169, 254, 169, 254), 80));
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.reserved, nullptr);
  EXPECT_EQ(d.deciding[0]->id.name, "metadata");
  // Private and CGNAT addresses are refused when a name resolves to them, not when dialed.
  EXPECT_TRUE(ir::evaluateNetwork(net, byAddress(v4(10, 1, 2, 3), 80)).allow);
  EXPECT_FALSE(ir::evaluateNetwork(net, byAddress(v4(10, 1, 2, 3), 80, "intranet.example")).allow);
  EXPECT_FALSE(ir::evaluateNetwork(net, byAddress(v4(100, 64, 0, 1), 80, "a.example")).allow);
  EXPECT_FALSE(ir::evaluateNetwork(net, byAddress(v6("fd12::1"), 80, "a.example")).allow);
  EXPECT_TRUE(ir::evaluateNetwork(net, byAddress(v4(100, 128, 0, 1), 80, "a.example")).allow);
  EXPECT_TRUE(ir::evaluateNetwork(net, byAddress(v4(192, 168, 1, 5), 443, "nas.home")).allow);
  EXPECT_FALSE(ir::evaluateNetwork(net, byAddress(v4(192, 168, 1, 5), 80, "nas.home")).allow);
}

TEST(EvaluateNetwork, AuditLogsAndLetsThrough) {
  auto c = checkText(R"(
network {
  @watched deny "a.example.com" audit
  @blocked deny "b.example.com"
  @logged allow "c.example.com":443 audit
}
)");
  const ir::Network &net = policyOf(*c).network;
  auto d = ir::evaluateNetwork(net, byName("a.example.com", 443));
  EXPECT_FALSE(d.allow);  // tests judge the deny...
  EXPECT_FALSE(d.enforced);  // ...which the runtime logs and lets through
  EXPECT_TRUE(d.logged);
  d = ir::evaluateNetwork(net, byName("b.example.com", 443));
  EXPECT_TRUE(d.enforced);
  EXPECT_FALSE(d.logged);
  d = ir::evaluateNetwork(net, byName("c.example.com", 443));
  EXPECT_TRUE(d.allow);
  EXPECT_TRUE(d.logged);

  auto audit = checkText("network {\n  enforcement audit\n}\n");
  const ir::Network &learning = policyOf(*audit).network;
  d = ir::evaluateNetwork(learning, byName("d.example.com", 443));
  EXPECT_FALSE(d.allow);
  EXPECT_FALSE(d.enforced);
  // Reserved ranges stay refused in audit mode.
  EXPECT_TRUE(ir::evaluateNetwork(learning, byAddress(v4(169, 254, 169, 254), 80)).enforced);
}

// ---------------------------------------------------------------- inference
TEST(EvaluateInference, DenyThenMostSpecificRoute) {
  auto c = checkText(R"(
inference {
  provider a {
    endpoint "https://a.example/v1"
    api openai
  }
  provider b {
    endpoint "https://b.example/v1"
    api anthropic
  }
  @wide route "gpt-*" => a
  @narrow route "gpt-4o*" => b
  @fast route "fast" => a rewrite "gpt-4o-mini"
  @no_o1 deny "o1-*"
  @o route "o*" => a
}
)");
  const ir::Inference &inf = policyOf(*c).inference;
  auto d = ir::evaluateRoute(inf, "gpt-4o-mini");
  ASSERT_NE(d.route, nullptr);
  EXPECT_EQ(d.route->provider, "b");
  EXPECT_EQ(d.matched.size(), 2u);
  EXPECT_EQ(ir::evaluateRoute(inf, "gpt-3.5").route->provider, "a");
  EXPECT_EQ(ir::evaluateRoute(inf, "fast").route->rewrite, "gpt-4o-mini");
  d = ir::evaluateRoute(inf, "o1-preview");
  EXPECT_EQ(d.route, nullptr);
  EXPECT_EQ(d.denies.size(), 1u);
  EXPECT_EQ(d.matched.size(), 1u);
  EXPECT_EQ(ir::evaluateRoute(inf, "o3").route->provider, "a");
  EXPECT_EQ(ir::evaluateRoute(inf, "llama").route, nullptr);
  EXPECT_EQ(ir::evaluateRoute(ir::Inference{}, "gpt-4o").route, nullptr);
}

// ---------------------------------------------------------------- tests and explain
TEST(RunTests, PassFailAndPerArchitecture) {
  auto c = checkText(R"(
filesystem {
  allow read "/usr"
}
syscalls {
  default allow
  @x deny iopl
}
test "passes" {
  expect allow read "/usr/lib"
  expect errno(EPERM) syscall iopl
  expect allow syscall read
}
test "fails" {
  expect allow write "/usr/lib"
  expect kill syscall iopl
}
)");
  auto results = verify::runTests(policyOf(*c));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].passed());
  ASSERT_EQ(results[1].failures.size(), 2u);
  EXPECT_EQ(verify::expectedText(*results[1].failures[1].expectation), "kill");
  // iopl exists on x86_64 only: it is judged there, not on aarch64.
  EXPECT_EQ(verify::actualText(results[1].failures[1]), "errno(EPERM) on x86_64");
  EXPECT_EQ(verify::actualText(results[1].failures[0]),
            "deny (no rule covers it: the filesystem default is deny)");

  DiagnosticEngine diags;
  verify::reportFailedTests(results, diags);
  auto all = diags.sorted(c->sources);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].code, "test-failed");
  EXPECT_EQ(all[1].message, "test 'fails': expected kill, got errno(EPERM) on x86_64");
  ASSERT_EQ(all[1].notes.size(), 1u);
  EXPECT_EQ(all[1].notes[0].message, "decided by @x: errno(EPERM)");
}

TEST(RunTests, CallMissingOnEveryTargetedArchFails) {
  auto c = checkText("syscalls {\n  arch aarch64\n}\ntest \"t\" {\n  expect deny syscall iopl\n}\n");
  auto results = verify::runTests(policyOf(*c));
  ASSERT_EQ(results[0].failures.size(), 1u);
  EXPECT_EQ(verify::actualText(results[0].failures[0]),
            "'iopl' does not exist on the architectures this policy targets");
}

TEST(Explain, RequestTextIsParsedAndCheckedAgainstThePolicy) {
  char path[] = "/tmp/shellc-explain-XXXXXX.policy";
  int fd = mkstemps(path, 7);
  std::ofstream(path) << "param bin: path = \"/usr/bin/git\"\nnetwork {\n  allow \"a.example.com\":443 by bin\n}\n";
  close(fd);
  auto explain = [&](const std::string &request, std::vector<ir::Request> &out, DiagnosticEngine &diags) {
    SourceManager sources;
    CheckOptions options;
    options.stdlibDir = SHELLC_SOURCE_DIR "/stdlib";
    return checkPolicyAndRequest(path, request, options, sources, diags, out).ok;
  };
  std::vector<ir::Request> requests;
  DiagnosticEngine diags;
  ASSERT_TRUE(explain("connect \"a.example.com\":443 by bin", requests, diags));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].binary, "/usr/bin/git");
  EXPECT_EQ(requests[0].host.name, "a.example.com");

  DiagnosticEngine bad;
  EXPECT_FALSE(explain("connect \"*.example.com\":443", requests, bad));  // not concrete
  DiagnosticEngine syntax;
  EXPECT_FALSE(explain("connect \"a.example.com\":443 extra", requests, syntax));
  EXPECT_EQ(syntax.errorCount(), 1u);
  unlink(path);
}

}  // namespace
}  // namespace shellc
