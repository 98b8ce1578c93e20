// libFuzzer target: any bytes as the egress proxy reads them: a request head, the host it
// names, the first bytes of a tunnel, an upstream's answer. Properties checked: no crash, no hang;
// a head it accepts has a canonical path (absolute, no dot or empty segments, and canonical
// again unchanged), an upstream head of CRLF lines only, and a canonical host of the
// characters a host name has; a refusal always says why.
#include <cstdlib>
#include <string>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
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
