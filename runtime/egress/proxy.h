// The egress proxy: the sandbox's one way out. The sandbox's network namespace has loopback
// only; its child made a listening socket there (127.0.0.1, a port the kernel chose) and
// handed it to the supervisor, which serves it from outside (docs/egress.md). Every
// connection is decided by the bundle's egress table (decision.h) before a name is resolved
// and again for each address, then the checked address, and only it, is dialled from the
// host's namespace. CONNECT tunnels pass bytes (the TLS server name must be the CONNECT
// host), except where the policy judges requests by method or path: there the proxy ends the
// tunnel's TLS (tls.h) and decides each request inside. Plain HTTP requests are decided by
// method and path too, each in turn on a kept-alive connection.
#pragma once
#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit.h"
#include "egress/decision.h"
#include "egress/dns.h"
#include "egress/own_addresses.h"
#include "egress/tls_sni.h"

namespace shellrt::egress {

struct Stream;  // bytes read from a socket, with what was read ahead (proxy.cpp)
struct InsideTunnel;  // the upstream of a tunnel whose TLS the proxy ended (proxy.cpp)
namespace tls {
class Authority;
class Session;
}

// A name the proxy resolves to a fixed address (`shellrt --resolve`, for tests, like curl's
// --resolve). Once one is given, the proxy sends no DNS query at all: other names do not
// resolve, so that a test cannot reach anything but the addresses it names.
struct FixedName {
  std::string host;
  Address address;
};

// Tells the program that opened the connection from the sandbox's 127.0.0.1:clientPort to the
// proxy's :proxyPort (identity.h; asked of the supervisor by the confined proxy process).
using Identify = std::function<std::vector<std::string>(uint16_t clientPort, uint16_t proxyPort, std::string &error)>;

// A connection that a program of the sandbox made to another address, which the supervisor
// connected to the proxy in its stead (sockets/broker.h): it comes as a CONNECT to the address
// asked, with this secret in a `Shellrt-Captured` field. A CONNECT without it is the
// program's own, answered as any other; one with a wrong secret is refused.
constexpr const char *kCapturedField = "shellrt-captured";

class Proxy {
public:
  // Decides by `egress`. `authority`: where a rule judges requests by method or path (tls.h);
  // null where none does. `captureSecret`: what the supervisor writes in captured connections.
  Proxy(const Egress &egress, AuditLog &audit, std::vector<FixedName> fixed, Identify identify, tls::Authority *authority,
        std::string captureSecret)
      : audit_(audit), fixed_(std::move(fixed)), identify_(std::move(identify)), authority_(authority),
        captureSecret_(std::move(captureSecret)), policy_(std::make_shared<const Policy>(egress)) {}
  // Serves `listener` (ours from now on) for as long as this process lives, each connection
  // on a thread of its own; `sandbox` is the sandbox's init.
  [[noreturn]] void serve(int listener, pid_t sandbox);
  // Answers the sandbox's DNS queries on `socket` (UDP, ours from now on; dns.h), for as
  // long as this process lives.
  [[noreturn]] void serveNames(int socket);
  // The same over TCP (`listener`, ours from now on): each message after its two-byte
  // length, a connection on a thread of its own.
  [[noreturn]] void serveNamesOverTcp(int listener);
  // A new egress table for what follows (`shellrt --reload`): each request from now on is
  // decided by it, on kept-alive connections too; a tunnel it would not let through (or
  // would inspect) is closed. Returns how many tunnels were closed.
  size_t replace(const Egress &egress);

  struct Exchange;
  // The egress table and what it was made from, swapped whole by replace().
  struct Policy {
    explicit Policy(const Egress &e) : egress(e), table(egress) {}
    Egress egress;
    Table table;
  };

private:
  void serveConnection(int client);
  bool handle(Exchange &x);
  bool takeCaptured(Exchange &x);
  std::string answerName(const std::string &query);
  bool decide(Exchange &x);
  bool tellProgram(Exchange &x, const Request &r, std::string &error);
  void askProgram(Exchange &x, std::string &error);
  bool tellProgramInside(Exchange &x, Exchange &tunnel, std::string &error);
  bool identify(Exchange &x);
  bool identify(Exchange &x, const Request &r);
  bool resolveAndDial(Exchange &x);
  bool reuse(const Exchange &x, const Address &a) const;
  void refuseOwnAddress(Exchange &x, const std::string &address);
  void tunnel(Exchange &x);
  Hello firstBytes(Exchange &x, std::string &name);
  void inspectTunnel(Exchange &c);
  void inspectHttp1(Exchange &c, tls::Session *client, InsideTunnel &upstream);
  void relayH2(Exchange &c, tls::Session &client, InsideTunnel &upstream);
  bool endClientTls(Exchange &c, const std::string &host, tls::Session &client, bool offerH2);
  bool handleInside(Exchange &x, Exchange &c, InsideTunnel &upstream);
  bool forward(Exchange &x);
  bool sendRequest(Exchange &x, Stream &answer);
  void refuse(Exchange &x, int status, const std::string &reason, const std::string &hint = "");
  std::string refusalBody(Exchange &x, int status, const std::string &reason, const std::string &hint);
  void record(Exchange &x);
  std::vector<std::string> callerBinaries(int client, std::string &error) const;

  std::shared_ptr<const Policy> current();
  static std::string programOf(const Exchange &x);
  static std::string endedBy(const Table &table, const Exchange &x);

  AuditLog &audit_;
  std::vector<FixedName> fixed_;
  Identify identify_;
  tls::Authority *authority_;
  std::string captureSecret_;
  dns::Names names_;  // what the sandbox's resolver answered, for captured connections
  OwnAddresses own_;  // this machine's: refused as loopback is
  std::shared_ptr<const Policy> policy_;  // under mutex_
  std::set<Exchange *> tunnels_;          // passing bytes now (tunnel()), under mutex_
  pid_t sandbox_ = -1;
  std::mutex mutex_;
  size_t active_ = 0;  // connections being served
};

}  // namespace shellrt::egress
