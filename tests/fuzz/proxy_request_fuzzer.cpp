// libFuzzer target: any bytes as the egress proxy reads them: a request head, the host it
// names, the first bytes of a tunnel, an upstream's answer, a DNS query to the sandbox's
// resolver. Properties checked: no crash, no hang; a resolver's reply carries the query's id
// and at most one answer, an address of its range, for a name a rule allows;
// a head it accepts has a canonical path (absolute, no dot or empty segments, and canonical
// again unchanged), an upstream head of CRLF lines only, and a canonical host of the
// characters a host name has; a refusal always says why.
#include <cstdlib>
#include <string>

#include "egress/dns.h"
#include "egress/host_name.h"
#include "egress/http_head.h"
#include "egress/tls_sni.h"

using namespace shellrt::egress;

namespace {

void checkPath(const std::string &path) {
  std::string error;
  std::optional<std::string> again = canonicalPath(path, error);
  if (path.empty() || path[0] != '/' || !again || *again != path) abort();
  for (const char *bad : {"/../", "/./"})
    if ((path + "/").find(bad) != std::string::npos) abort();
  if (path.find("//") != std::string::npos) abort();
}

void checkHost(const std::string &text) {
  Host host;
  std::string error;
  if (!canonicalHost(text, host, error)) {
    if (error.empty()) abort();
    return;
  }
  if (host.address) return;
  if (host.name.empty() || host.name.front() == '.' || host.name.back() == '.' || host.name.find("..") != std::string::npos)
    abort();
  for (char c : host.name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) abort();
}

// A resolver that answers "allowed.test" and every name under "wild.test".
void checkResolver(const std::string &query) {
  static const shellrt::Egress egress = [] {
    shellrt::Egress e;
    shellrt::EgressRule rule{};
    rule.allow = true;
    rule.hosts = {{shellrt::EgressRule::Host::Kind::Exact, "allowed.test"},
                  {shellrt::EgressRule::Host::Kind::AnyLabelsUnder, "wild.test"}};
    rule.ports = {{443, 443}};
    e.rules.push_back(rule);
    return e;
  }();
  static const Table table(egress);
  static dns::Names names;
  dns::Outcome out;
  std::string reply = dns::answer(query, table, names, out);
  if (reply.empty()) return;
  if (reply.size() < 12 || reply.compare(0, 2, query, 0, 2) != 0 || !(reply[2] & 0x80) || out.answer.empty()) abort();
  if (reply[6] != 0 || reply[7] > 1) abort();  // one answer at most
  if (reply[7] == 1) {
    if (reply.size() < 4 || static_cast<uint8_t>(reply[reply.size() - 4]) != 240 || reply[reply.size() - 3] != 1) abort();
    if (out.name != "allowed.test" && (out.name.size() <= 10 || out.name.compare(out.name.size() - 10, 10, ".wild.test") != 0))
      abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  checkResolver(text);
  std::string name;
  serverName(text, name);
  ResponseHead answer;
  std::string why;
  if (parseResponseHead(text, false, answer, why) && answer.body == ResponseHead::Body::Length &&
      answer.headers.empty()) abort();  // a length needs a Content-Length field
  checkHost(text.substr(0, text.find('\n')));
  RequestHead head;
  int status = 0;
  std::string error;
  if (!parseRequestHead(text, head, status, error)) {
    if (error.empty() || status < 400) abort();
    return 0;
  }
  checkHost(head.host);
  if (head.connect) return 0;
  checkPath(head.path);
  std::string upstream = upstreamHead(head);
  for (size_t i = 0; i < upstream.size(); ++i)
    if ((upstream[i] == '\n') != (i > 0 && upstream[i - 1] == '\r' && upstream[i] == '\n')) abort();
  return 0;
}
