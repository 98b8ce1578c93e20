// The sandbox's resolver (runtime/egress/dns.h): its answers on the wire, and the addresses
// it hands out and maps back.
#include <gtest/gtest.h>

#include "bundle/bundle.h"
#include "egress/dns.h"
#include "test_support.h"

namespace {

using namespace shellrt::egress;

std::string query(const std::string &name, uint16_t type, uint16_t id = 0x1234) {
  std::string q = {char(id >> 8), char(id & 0xff), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  for (size_t at = 0; at <= name.size();) {
    size_t dot = std::min(name.find('.', at), name.size());
    q += char(dot - at);
    q += name.substr(at, dot - at);
    at = dot + 1;
  }
  return q + std::string(1, '\0') + char(type >> 8) + char(type & 0xff) + std::string("\0\1", 2);
}

struct Resolver {
  shellrt::Bundle bundle;
  std::unique_ptr<Table> table;
  dns::Names names;
  explicit Resolver(const std::string &network) {
    auto checked = shellc::testing::checkText("policy p\nnetwork {\n" + network + "}\n");
    EXPECT_TRUE(checked->output.ok);
    std::string error;
    EXPECT_TRUE(shellrt::parseBundle(shellc::testing::bundleJson(*checked), bundle, error)) << error;
    table = std::make_unique<Table>(bundle.egress);
  }
  std::string ask(const std::string &q, dns::Outcome &out) { return dns::answer(q, *table, names, out); }
};

int rcode(const std::string &reply) { return reply[3] & 0xf; }
int answers(const std::string &reply) { return (uint8_t(reply[6]) << 8) | uint8_t(reply[7]); }

TEST(Resolver, AnswersOnlyNamesARuleMayAllow) {
  Resolver r("  allow \"api.example.com\":443\n  allow \"**.wild.example\":443 by \"/usr/bin/git\"\n"
             "  deny \"bad.wild.example\":*\n");
  dns::Outcome out;
  std::string a = r.ask(query("API.Example.com", 1, 0xbeef), out);
  ASSERT_EQ(rcode(a), 0);
  EXPECT_EQ(answers(a), 1);
  EXPECT_EQ(a.substr(0, 2), "\xbe\xef");
  EXPECT_NE(a.find("API"), std::string::npos);  // the question as asked (0x20 case kept)
  EXPECT_EQ(out.name, "api.example.com");
  EXPECT_EQ(out.answer.rfind("240.1.", 0), 0u);
  // Only the program named by `by` may go there, but the resolver cannot tell: it answers.
  EXPECT_EQ(answers(r.ask(query("x.y.wild.example", 1), out)), 1);
  // A name every rule that matches denies, one no rule names, an address: NXDOMAIN.
  EXPECT_EQ(rcode(r.ask(query("bad.wild.example", 1), out)), 3);
  EXPECT_EQ(rcode(r.ask(query("other.example", 1), out)), 3);
  EXPECT_EQ(out.answer, "nxdomain");
  EXPECT_EQ(rcode(r.ask(query("10.0.0.1", 1), out)), 3);
  // Other types of an allowed name: no data (nothing made up, nothing asked upstream).
  for (uint16_t type : {28, 16, 255, 33, 65}) {
    std::string reply = r.ask(query("api.example.com", type), out);
    EXPECT_EQ(rcode(reply), 0) << type;
    EXPECT_EQ(answers(reply), 0) << type;
  }
  // Malformed: a pointer in the question, two questions, a truncated one; a reply is ignored.
  std::string pointer = query("api.example.com", 1);
  pointer[12] = char(0xc0);
  EXPECT_EQ(rcode(r.ask(pointer, out)), 1);
  std::string two = query("api.example.com", 1);
  two[5] = 2;
  EXPECT_EQ(rcode(r.ask(two, out)), 1);
  EXPECT_EQ(rcode(r.ask(query("api.example.com", 1).substr(0, 20), out)), 1);
  std::string reply = query("api.example.com", 1);
  reply[2] = char(0x81);
  EXPECT_EQ(r.ask(reply, out), "");
  EXPECT_EQ(r.ask("short", out), "");
  // A label with a byte no host name has: NXDOMAIN, shown escaped.
  EXPECT_EQ(rcode(r.ask(query(std::string("a\x01") + "b.api.example.com", 1), out)), 3);
  EXPECT_EQ(out.name, "a\\1b.api.example.com");
}

TEST(Resolver, MapsEachAddressBackToItsName) {
  dns::Names names;
  uint32_t first = names.addressFor("a.example");
  EXPECT_EQ(names.addressFor("a.example"), first);
  uint32_t second = names.addressFor("b.example");
  EXPECT_NE(first, second);
  auto address = [](uint32_t ip) { return *parseAddress(std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
                                                        std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255)); };
  EXPECT_EQ(names.nameOf(address(first)), "a.example");
  EXPECT_EQ(names.nameOf(address(second)), "b.example");
  EXPECT_EQ(names.nameOf(address(second + 1)), std::nullopt);  // in the range, never given
  EXPECT_EQ(names.nameOf(*parseAddress("10.0.0.1")), std::nullopt);
  EXPECT_TRUE(dns::Names::inRange(*parseAddress("::ffff:240.1.2.3")));
  EXPECT_FALSE(dns::Names::inRange(*parseAddress("240.0.0.1")));  // the sandbox's own
  // When every address is taken, the oldest name's goes to the next new one.
  for (uint32_t i = 2; i < dns::kNamesCount; ++i) names.addressFor(std::to_string(i).append(".example"));
  EXPECT_EQ(names.addressFor("late.example"), first);
  EXPECT_EQ(names.nameOf(address(first)), "late.example");
  EXPECT_EQ(names.addressFor("b.example"), second);  // still known
}

}  // namespace
