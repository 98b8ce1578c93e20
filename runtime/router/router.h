// The inference router: the sandbox's models, served from outside it (docs/inference.md).
// The sandbox's child made a listening socket on its loopback (127.0.0.1, a port the kernel
// chose), which the proxy process serves on a thread of its own: OPENAI_BASE_URL and
// ANTHROPIC_BASE_URL point at it, so that every client reaches it, proxy-aware or not. Each
// request is routed by its `model` through the bundle's route table (route.h); the caller's
// credentials are dropped, only the headers an API needs are sent on, with the provider's
// key, which the supervisor read at the start and which never enters the sandbox; the answer,
// streams included, passes as it arrives.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit.h"
#include "bundle/bundle.h"
#include "egress/proxy.h"
#include "egress/tls.h"
#include "router/route.h"

namespace shellrt::router {

// The providers' keys, by provider name, read on the host's side (readKeys); a provider
// whose key could not be read is named in `missing` with why.
struct Keys {
  std::map<std::string, std::string> byProvider;
  std::map<std::string, std::string> missing;
};
Keys readKeys(const Routes &routes);

// A provider's endpoint: `http[s]://host[:port][/base]`, the base up to the API's version.
struct ProviderUrl {
  bool tls = false;
  std::string host, base;
  uint16_t port = 0;
};

// A connection to a provider, kept between calls: a new one costs a TCP handshake on every
// call, and with https a TLS one too.
struct Upstream {
  Upstream(int fd, std::unique_ptr<egress::tls::Session> tls) : fd(fd), tls(std::move(tls)) {}
  Upstream(const Upstream &) = delete;
  Upstream &operator=(const Upstream &) = delete;
  ~Upstream();
  int fd;
  std::unique_ptr<egress::tls::Session> tls;  // https; ended before the socket closes
  int64_t idleSinceMs = 0;
};

// The idle connections to each provider endpoint. One is handed out only while it is young
// and its provider has not ended it (nothing to read on it).
class UpstreamPool {
public:
  std::unique_ptr<Upstream> take(const std::string &endpoint);
  void give(const std::string &endpoint, std::unique_ptr<Upstream> upstream);

private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::unique_ptr<Upstream>>> idle_;  // under mutex_
};

class Router {
public:
  Router(const Routes &routes, Keys keys, std::vector<egress::FixedName> fixed, AuditLog &audit)
      : routes_(std::make_shared<const Routes>(routes)), keys_(std::move(keys)), fixed_(std::move(fixed)), audit_(audit) {}
  // Serves `listener` for as long as the process lives, a thread per connection.
  [[noreturn]] void serve(int listener);
  // A reload's routes, for the requests that follow.
  void replace(const Routes &routes);

  struct Call;

private:
  void serveConnection(int client, uint16_t port);
  bool handle(Call &call);
  bool readBody(Call &call);
  bool route(Call &call);
  bool admit(Call &call);
  void settle(const Call &call);
  void askForUsage(Call &call);
  static uint64_t tokensCounted(const Call &call);
  bool forward(Call &call);
  std::unique_ptr<Upstream> connectProvider(Call &call, const ProviderUrl &url);
  bool exchange(Call &call, const ProviderUrl &url, Upstream &upstream);
  bool relayAnswer(Call &call, egress::Stream &answer);
  void listModels(Call &call);
  // `final`: retrying cannot help (a spent budget), which the SDKs read from x-should-retry.
  void refuse(Call &call, int status, const std::string &type, const std::string &message, bool final = false);
  void record(const Call &call);
  std::shared_ptr<const Routes> current();

  std::mutex mutex_;
  std::shared_ptr<const Routes> routes_;  // under mutex_
  UpstreamPool upstreams_;
  std::mutex spendingMutex_;
  Spending spending_;  // under spendingMutex_; kept across reloads, which may change the caps
  Keys keys_;
  std::vector<egress::FixedName> fixed_;
  AuditLog &audit_;
};

}  // namespace shellrt::router
