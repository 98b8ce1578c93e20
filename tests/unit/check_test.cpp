// What the checker builds: the normalised rule set of each layer.
#include <gtest/gtest.h>

#include "test_support.h"

namespace shellc {
namespace {

using testing::checkText;

TEST(Check, FilesystemPathsAndRoots) {
  auto c = checkText(R"(
param cache: path = "/var/cache"
filesystem {
  allow read, exec "/usr", cache / "pip"
  allow read, write, exec workspace
  @hooks deny write workspace / ".git/hooks"
  deny read home / ".ssh", "~/.aws"
}
)");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  const auto &rules = c->output.policy.filesystem.rules;
  ASSERT_EQ(rules.size(), 6u);
  EXPECT_EQ(rules[1].path, (ir::Path{ir::PathRoot::Absolute, "var/cache/pip"}));
  EXPECT_EQ(rules[2].path.root, ir::PathRoot::Workspace);
  EXPECT_EQ(rules[3].id.name, "hooks");
  EXPECT_EQ(rules[3].path, (ir::Path{ir::PathRoot::Workspace, ".git/hooks"}));
  EXPECT_EQ(rules[3].access, ir::kWrite);
  EXPECT_FALSE(rules[3].allow);
  EXPECT_EQ(rules[4].path, (ir::Path{ir::PathRoot::Home, ".ssh"}));
  EXPECT_EQ(rules[0].id.line, 4u);
  EXPECT_FALSE(c->output.policy.filesystem.defaultAllow);
}

TEST(Check, SyscallRulesResolveNumbersAndExpandIn) {
  auto c = checkText(R"(
syscalls {
  default allow
  deny socket(domain in [AF_PACKET, AF_NETLINK], type != 3) => errno(EAFNOSUPPORT)
  deny clone(flags & CLONE_NEWUSER == CLONE_NEWUSER)
  kill io_uring_setup
  deny openat(dirfd == -100)
}
)");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  const auto &sys = c->output.policy.syscalls;
  EXPECT_EQ(sys.defaultAction.kind, ir::ActionKind::Allow);
  ASSERT_EQ(sys.rules.size(), 5u);
  EXPECT_EQ(sys.rules[0].numbers.at(ir::Arch::X86_64), 41);
  EXPECT_EQ(sys.rules[0].numbers.at(ir::Arch::AArch64), 198);
  EXPECT_EQ(sys.rules[0].conditions.size(), 2u);
  EXPECT_EQ(sys.rules[0].conditions[0].value, 17u);  // AF_PACKET
  EXPECT_EQ(sys.rules[1].conditions[0].value, 16u);  // AF_NETLINK
  EXPECT_EQ(sys.rules[0].action.errnoValue, 97);     // EAFNOSUPPORT
  EXPECT_EQ(sys.rules[2].conditions[0].op, ir::CompareOp::MaskedEq);
  EXPECT_EQ(sys.rules[2].conditions[0].mask, 0x10000000u);
  EXPECT_EQ(sys.rules[2].action.errnoValue, 1);
  EXPECT_EQ(sys.rules[3].action.kind, ir::ActionKind::KillProcess);
  // dirfd is an int: compared as the kernel reads it, its low 32 bits.
  EXPECT_EQ(sys.rules[4].conditions[0].value, 0xffffff9cu);
  EXPECT_EQ(sys.rules[4].conditions[0].mask, 0xffffffffu);
  EXPECT_EQ(sys.rules[0].conditions[0].mask, 0xffffffffu);
}

TEST(Check, ParametersAndDefines) {
  const char *text = R"(
param registry: host = "pypi.org"
param port: port = 443
network { allow registry:port }
)";
  auto c = checkText(text);
  ASSERT_TRUE(c->output.ok) << c->rendered;
  EXPECT_EQ(c->output.policy.network.rules[0].hosts[0].name, "pypi.org");
  auto d = checkText(text, {{"registry", "pypi.corp.example"}, {"port", "8443"}});
  ASSERT_TRUE(d->output.ok) << d->rendered;
  EXPECT_EQ(d->output.policy.network.rules[0].hosts[0].name, "pypi.corp.example");
  EXPECT_EQ(d->output.policy.network.rules[0].ports[0].low, 8443);
  EXPECT_EQ(d->output.policy.params.at("registry"), "pypi.corp.example");
  auto bad = checkText(text, {{"port", "http"}});
  EXPECT_TRUE(bad->has("invalid-value")) << bad->rendered;
}

TEST(Check, NetworkEndpointsKeepTheirPorts) {
  auto c = checkText(R"(
network {
  allow "a.example.com":443, "b.example.com":443, "c.example.com":80
  allow http "d.example.com":8000-8100 methods GET paths "/simple/**"
  deny 169.254.0.0/16
}
)");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  const auto &rules = c->output.policy.network.rules;
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].hosts.size(), 2u);
  EXPECT_EQ(rules[1].hosts[0].name, "c.example.com");
  EXPECT_EQ(rules[1].ports[0].low, 80);
  EXPECT_EQ(rules[2].protocol, ir::Protocol::Http);
  EXPECT_EQ(rules[2].ports[0].high, 8100);
  EXPECT_TRUE(rules[3].ports.empty());
}

TEST(Check, InferenceRoutesAndAmbiguity) {
  auto c = checkText(R"(
inference {
  provider openai {
    endpoint "https://api.openai.com/v1"
    api openai
    key env "OPENAI_API_KEY"
  }
  provider local {
    endpoint "http://127.0.0.1:8000/v1"
    api openai
  }
  route "gpt-4o*" => openai
  route "*" => local
  deny "o1-*"
}
test "routes" {
  expect route "gpt-4o-mini" => openai
  expect deny route "o1-preview"
}
)");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  EXPECT_EQ(c->output.policy.inference.routes.size(), 2u);
  EXPECT_EQ(c->output.policy.inference.providers[0].keySource, ir::Provider::KeySource::Env);
  EXPECT_EQ(c->output.policy.tests[0].expectations.size(), 2u);
  auto amb = checkText(R"(
inference {
  provider a { endpoint "https://a.example.com" api openai }
  provider b { endpoint "https://b.example.com" api openai }
  route "gpt-*" => a
  route "*mini" => b
}
)");
  EXPECT_TRUE(amb->has("ambiguous-route")) << amb->rendered;
}

TEST(Check, RootNeedsOptIn) {
  EXPECT_TRUE(checkText("process { run_as 0:0 }")->has("root-refused"));
  EXPECT_FALSE(checkText("process {\n run_as 0:0\n allow_root\n}")->has("root-refused"));
  auto p = checkText("process {\n run_as 1000:1000\n capabilities CAP_NET_BIND_SERVICE\n limit memory 8GiB\n limit wall_time 2h\n env pass \"PATH\"\n}");
  ASSERT_TRUE(p->output.ok) << p->rendered;
  EXPECT_EQ(p->output.policy.process.limits.at(ir::Limit::Memory), 8ull << 30);
  EXPECT_EQ(p->output.policy.process.capabilities[0].second, 10);
}

TEST(Check, ModulesFromTheStdlibMerge) {
  auto c = checkText("use std.base\nsyscalls { default allow }\n");
  ASSERT_TRUE(c->output.ok) << c->rendered;
  EXPECT_GE(c->output.policy.files.size(), 2u);
  EXPECT_FALSE(c->output.policy.syscalls.rules.empty());
}

TEST(Check, TestsMustBeConcrete) {
  auto c = checkText(R"(
test "t" {
  expect allow connect "*.github.com":443
  expect deny syscall socket(*, 1, 0)
}
)");
  EXPECT_TRUE(c->has("pattern-in-test")) << c->rendered;
}

}  // namespace
}  // namespace shellc
