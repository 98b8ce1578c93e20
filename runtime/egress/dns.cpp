#include "egress/dns.h"

#include "egress/host_name.h"

namespace shellrt::egress::dns {

namespace {

constexpr size_t kHeader = 12;
constexpr uint16_t kTypeA = 1;
constexpr uint16_t kClassIn = 1;
enum Rcode : uint16_t { kNoError = 0, kFormErr = 1, kNxDomain = 3, kNotImp = 4 };

uint16_t read16(const std::string &m, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(m[at]) << 8) | static_cast<uint8_t>(m[at + 1]));
}
void put16(std::string &out, uint32_t v) {
  out += static_cast<char>((v >> 8) & 0xff);
  out += static_cast<char>(v & 0xff);
}
void put32(std::string &out, uint32_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xffff);
}

std::string typeName(uint16_t type) {
  switch (type) {
  case 1: return "A";
  case 2: return "NS";
  case 5: return "CNAME";
  case 6: return "SOA";
  case 12: return "PTR";
  case 15: return "MX";
  case 16: return "TXT";
  case 28: return "AAAA";
  case 33: return "SRV";
  case 64: return "SVCB";
  case 65: return "HTTPS";
  case 255: return "ANY";
  }
  return std::to_string(type);
}

// The question's name, its labels joined by dots; false when it is malformed (a compression
// pointer, which a question has no use for, a label or name too long). `at`: just past the
// name. `shown`: the name with odd bytes escaped; `plain`: it has none (no host name does).
bool readName(const std::string &m, size_t &at, std::string &name, std::string &shown, bool &plain) {
  size_t total = 0;
  plain = true;
  for (;;) {
    if (at >= m.size()) return false;
    uint8_t length = static_cast<uint8_t>(m[at++]);
    if (length == 0) break;
    if (length > 63 || at + length > m.size() || (total += length + 1) > 255) return false;
    if (!name.empty()) name += '.', shown += '.';
    for (size_t i = 0; i < length; ++i) {
      char c = m[at + i];
      bool hostByte = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      plain = plain && hostByte;
      name += c;
      if (hostByte) shown += c;
      else shown.append("\\").append(std::to_string(static_cast<uint8_t>(c)));
    }
    at += length;
  }
  return true;
}

// The reply's header and the question as asked (its case kept: a resolver may check it).
std::string replyHead(const std::string &query, size_t questionEnd, uint16_t rcode, uint16_t answers) {
  std::string out = query.substr(0, 2);
  uint16_t recursionDesired = read16(query, 2) & 0x0100;
  put16(out, 0x8000 | 0x0400 | recursionDesired | 0x0080 | rcode);  // QR, AA, RD as asked, RA
  put16(out, questionEnd > kHeader ? 1 : 0);
  put16(out, answers);
  put16(out, 0);
  put16(out, 0);
  return out + query.substr(kHeader, questionEnd - kHeader);
}

}  // namespace

namespace {

uint32_t ipv4Of(const Address &address) {
  return (uint32_t(address[12]) << 24) | (uint32_t(address[13]) << 16) | (uint32_t(address[14]) << 8) | address[15];
}

}  // namespace

bool Names::inRange(const Address &address) { return isMappedIpv4(address) && ipv4Of(address) - kNamesBase < kNamesCount; }

uint32_t Names::addressFor(const std::string &name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto known = byName_.find(name); known != byName_.end()) return known->second;
  uint32_t index = next_++ % kNamesCount;
  if (index < byIndex_.size()) byName_.erase(byIndex_[index]), byIndex_[index] = name;
  else byIndex_.push_back(name);
  return byName_[name] = kNamesBase + index;
}

std::optional<std::string> Names::nameOf(const Address &address) const {
  if (!inRange(address)) return std::nullopt;
  uint32_t index = ipv4Of(address) - kNamesBase;
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= byIndex_.size()) return std::nullopt;
  return byIndex_[index];
}

std::string answer(const std::string &query, const Table &table, Names &names, Outcome &out) {
  if (query.size() < kHeader || (read16(query, 2) & 0x8000)) return "";  // too short to answer, or a reply
  if (((read16(query, 2) >> 11) & 0xf) != 0) return out.answer = "notimp", replyHead(query, kHeader, kNotImp, 0);
  size_t at = kHeader;
  std::string asked, shown;
  bool plain = true;
  if (read16(query, 4) != 1 || !readName(query, at, asked, shown, plain) || at + 4 > query.size()) {
    out.name = shown;
    out.answer = "formerr";
    return replyHead(query, kHeader, kFormErr, 0);
  }
  uint16_t type = read16(query, at), klass = read16(query, at + 2);
  at += 4;
  out.name = shown;
  out.type = typeName(type);
  Host host;
  std::string error;
  if (!plain || asked.empty() || !canonicalHost(asked, host, error) || host.name.empty() || !table.answersName(host.name))
    return out.answer = "nxdomain", replyHead(query, at, kNxDomain, 0);
  out.name = host.name;
  if (type != kTypeA || klass != kClassIn) return out.answer = "no data", replyHead(query, at, kNoError, 0);
  uint32_t ip = names.addressFor(host.name);
  std::string reply = replyHead(query, at, kNoError, 1);
  put16(reply, 0xC000 | kHeader);  // the question's name
  put16(reply, kTypeA);
  put16(reply, kClassIn);
  put32(reply, kAnswerTtl);
  put16(reply, 4);
  put32(reply, ip);
  out.answer = std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." + std::to_string((ip >> 8) & 0xff) + "." +
               std::to_string(ip & 0xff);
  return reply;
}

}  // namespace shellrt::egress::dns
