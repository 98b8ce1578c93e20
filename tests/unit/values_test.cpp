#include <gtest/gtest.h>

#include "frontend/values.h"
#include "ir/glob.h"

namespace shellc {
namespace {

ir::Path pathOf(std::string_view text) {
  ir::Path p;
  ValueError e;
  EXPECT_TRUE(parsePath(text, p, e)) << text << ": " << e.message;
  return p;
}

std::string pathError(std::string_view text) {
  ir::Path p;
  ValueError e;
  EXPECT_FALSE(parsePath(text, p, e)) << text;
  return e.message + " | " + e.hint;
}

TEST(Paths, RootsAndNormalForm) {
  EXPECT_EQ(pathOf("/usr/lib"), (ir::Path{ir::PathRoot::Absolute, "usr/lib"}));
  EXPECT_EQ(pathOf("/"), (ir::Path{ir::PathRoot::Absolute, ""}));
  EXPECT_EQ(pathOf("~"), (ir::Path{ir::PathRoot::Home, ""}));
  EXPECT_EQ(pathOf("~/.ssh"), (ir::Path{ir::PathRoot::Home, ".ssh"}));
}

TEST(Paths, RejectsWhatIsNotNormalised) {
  EXPECT_NE(pathError("/usr/../etc").find("'..'"), std::string::npos);
  EXPECT_NE(pathError("/usr//lib").find("write \"/usr/lib\""), std::string::npos);
  EXPECT_NE(pathError("/usr/./lib").find("write \"/usr/lib\""), std::string::npos);
  EXPECT_NE(pathError("/usr/").find("write \"/usr\""), std::string::npos);
  EXPECT_NE(pathError("usr").find("absolute"), std::string::npos);
  EXPECT_NE(pathError("~root/x").find("~user"), std::string::npos);
  EXPECT_NE(pathError("/" + std::string(5000, 'a')).find("4096"), std::string::npos);
}

ir::HostPattern hostOf(std::string_view text) {
  ir::HostPattern h;
  ValueError e;
  EXPECT_TRUE(parseHostPattern(text, h, e)) << text << ": " << e.message;
  return h;
}

std::string hostError(std::string_view text) {
  ir::HostPattern h;
  ValueError e;
  EXPECT_FALSE(parseHostPattern(text, h, e)) << text;
  return e.message + " | " + e.hint;
}

TEST(Hosts, PatternsAndAddresses) {
  EXPECT_EQ(hostOf("api.github.com").kind, ir::HostPattern::Kind::Exact);
  EXPECT_EQ(hostOf("*.pythonhosted.org").kind, ir::HostPattern::Kind::OneLabel);
  EXPECT_EQ(hostOf("**.githubusercontent.com").name, "githubusercontent.com");
  auto cidr = hostOf("10.0.0.0/8");
  EXPECT_EQ(cidr.kind, ir::HostPattern::Kind::Cidr);
  EXPECT_TRUE(cidr.ipv4);
  EXPECT_EQ(cidr.prefix, 104u);
  EXPECT_EQ(cidr.display(), "10.0.0.0/8");
  EXPECT_EQ(hostOf("fd00::/8").display(), "fd00::/8");
  EXPECT_EQ(hostOf("169.254.169.254").display(), "169.254.169.254");
}

TEST(Hosts, RejectsTricks) {
  EXPECT_NE(hostError("API.github.com").find("api.github.com"), std::string::npos);
  EXPECT_NE(hostError("github.com.").find("trailing dot"), std::string::npos);
  EXPECT_NE(hostError("*").find("bare wildcard"), std::string::npos);
  EXPECT_NE(hostError("*.com").find("top-level"), std::string::npos);
  EXPECT_NE(hostError("api.*.com").find("first label"), std::string::npos);
  EXPECT_NE(hostError("bücher.example").find("xn--bcher-kva.example"), std::string::npos);
  EXPECT_NE(hostError("10.1.2.3/8").find("write \"10.0.0.0/8\""), std::string::npos);
  EXPECT_NE(hostError("fd00::1/8").find("host bits"), std::string::npos);
  EXPECT_NE(hostError("-bad.example.com").find("invalid label"), std::string::npos);
  EXPECT_NE(hostError("10.0.0.0/33").find("/32"), std::string::npos);
}

TEST(Punycode, KnownLabels) {
  EXPECT_EQ(punycodeLabel("bücher"), "xn--bcher-kva");
  EXPECT_EQ(punycodeLabel("münchen"), "xn--mnchen-3ya");
  EXPECT_EQ(punycodeLabel("例え"), "xn--r8jz45g");
}

TEST(Quantities, SizesDurationsPorts) {
  uint64_t v;
  uint16_t port;
  ValueError e;
  ASSERT_TRUE(parseSize("8GiB", v, e));
  EXPECT_EQ(v, 8ull << 30);
  ASSERT_TRUE(parseSize("512MB", v, e));
  EXPECT_EQ(v, 512000000u);
  EXPECT_FALSE(parseSize("8", v, e));
  EXPECT_NE(e.message.find("needs a unit"), std::string::npos);
  EXPECT_FALSE(parseSize("8gb", v, e));
  EXPECT_NE(e.hint.find("GiB"), std::string::npos);
  ASSERT_TRUE(parseDuration("90s", v, e));
  EXPECT_EQ(v, 90000u);
  ASSERT_TRUE(parseDuration("2h", v, e));
  EXPECT_EQ(v, 7200000u);
  EXPECT_TRUE(parsePort("65535", port, e));
  EXPECT_FALSE(parsePort("0", port, e));
  EXPECT_FALSE(parsePort("65536", port, e));
  EXPECT_FALSE(parseSize("99999999999999999999GiB", v, e));
  EXPECT_TRUE(parseUnsigned("0xffffffffffffffff", v, e));
  EXPECT_EQ(v, ~0ull);
  EXPECT_FALSE(parseUnsigned("0x10000000000000000", v, e));
  EXPECT_TRUE(parseUnsigned("0o755", v, e));
  EXPECT_EQ(v, 0755u);
}

TEST(Urls, ProviderEndpoints) {
  ValueError e;
  EXPECT_TRUE(checkUrl("https://api.openai.com/v1", e));
  EXPECT_TRUE(checkUrl("http://127.0.0.1:8000/v1", e));
  EXPECT_TRUE(checkUrl("http://[::1]:8000/v1", e));
  EXPECT_FALSE(checkUrl("ftp://x.example", e));
  EXPECT_FALSE(checkUrl("https://user:pw@api.openai.com", e));
  EXPECT_FALSE(checkUrl("https://api.openai.com:99999/", e));
}

TEST(Globs, OverlapAndSpecificity) {
  EXPECT_TRUE(ir::globsOverlap("gpt-4o*", "gpt-*"));
  EXPECT_TRUE(ir::globsOverlap("*-mini", "gpt-*"));
  EXPECT_FALSE(ir::globsOverlap("claude-*", "gpt-*"));
  EXPECT_TRUE(ir::globsOverlap("a?c", "*c"));
  EXPECT_FALSE(ir::globsOverlap("a?c", "abd"));
  EXPECT_TRUE(ir::globsOverlap("*", ""));
  EXPECT_FALSE(ir::globsOverlap("?", ""));
  EXPECT_EQ(ir::globSpecificity("gpt-4o*"), 6u);
  EXPECT_EQ(ir::globSpecificity("*"), 0u);
}

}  // namespace
}  // namespace shellc
