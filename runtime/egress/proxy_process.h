// The egress proxy runs in a process of its own, forked from the supervisor before it has
// threads and before the sandbox exists. Once it holds the listening socket it confines
// itself: no new privileges, a file system it can only read (and only where the resolver
// and /proc are), no TCP port of its own, signals only to itself, and a seccomp filter that
// shellc compiled from egress/proxy.policy (no exec, no new process, files read-only). It dies
// with the supervisor (PR_SET_PDEATHSIG); if it dies first, the sandbox's connections are
// refused (no one else holds the socket: fail closed), and the supervisor logs it. Which
// program opened a connection is asked of the supervisor over the same socket pair: the
// proxy's Landlock domain may not read the sandbox's descriptors (identity.h). The sandbox's
// TLS authority is made in this process, and its key never leaves it.
#pragma once
#include <sys/types.h>

#include <string>
#include <thread>
#include <vector>

#include "audit.h"
#include "bundle/bundle.h"
#include "egress/proxy.h"
#include "router/router.h"

namespace shellrt::egress {

// The sockets the proxy serves, made in the sandbox's network namespace: its listener, the
// inference router's (-1 where the policy routes no model), the resolver's (UDP, and TCP
// listening; dns.h).
struct ProxySockets {
  int listener = -1, router = -1, names = -1, namesTcp = -1;
};

class ProxyProcess {
public:
  // Forks it; it waits for serve(). Where a rule judges requests by method or path, it makes
  // the sandbox's TLS authority first (tls.h), while the supervisor goes on with the sandbox.
  // Where the bundle routes models, the providers' keys are read here, on the host's side,
  // and live only in the proxy process from then on.
  // `captureSecret`: what the supervisor writes in the connections it captures (proxy.h).
  bool start(const Bundle &bundle, AuditLog &audit, const std::vector<FixedName> &fixed, const std::string &captureSecret,
             std::string &error);
  // Waits for that authority (a failure to make it is the start's); true at once without one.
  bool awaitAuthority(std::string &error);
  // The authority's certificate (PEM), for the sandbox's trust store; empty without one.
  const std::string &authorityCertificate() const { return authorityCertificate_; }
  // Hands it the sockets made in the sandbox (closed here) and the sandbox's init. `diag`, a
  // sock_diag socket of the sandbox's (kept here, for telling callers apart).
  bool serve(const ProxySockets &sockets, int diag, pid_t sandbox);
  // The providers' keys the router was started with (router/router.h).
  const router::Keys &keys() const { return keys_; }
  // A new bundle's egress table in force (`shellrt --reload`): `closed`, the tunnels it ended.
  bool reload(const std::string &bundleText, size_t &closed, std::string &error);
  // Ends it; an end before this one is recorded (`egress_proxy_died`).
  void stop(AuditLog &audit);

private:
  void answerIdentityQueries(pid_t sandbox, int diag);
  void collectCounts(AuditLog &audit);

  pid_t pid_ = -1;
  int control_ = -1;
  int reloads_ = -1;  // new bundles go this way (a stream: a bundle may be megabytes)
  std::thread answering_;
  std::string authorityCertificate_;
  bool awaitingAuthority_ = false;
  router::Keys keys_;
};

}  // namespace shellrt::egress
