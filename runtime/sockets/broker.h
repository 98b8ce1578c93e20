// The supervisor's side of the calls by which a process reaches a socket by address. It
// does each call itself, on the agent's own socket (pidfd_getfd) with the agent's arguments
// copied once, so that no other thread of the agent can change them between the check and
// the use. A Unix socket address that names a file is resolved in the agent's view of the
// filesystem, pinned (O_PATH) and allowed only if a socket of the sandbox is bound to that
// file, or a `connect` rule of the policy names it (bundle/socket_rules.h); the call then
// goes to the pinned file, never to the path again.
#pragma once
#include <linux/seccomp.h>

#include <string>

#include "audit.h"
#include "bundle/socket_rules.h"
#include "sockets/sandbox_sockets.h"

namespace shellrt {

// Transparent capture (docs/egress.md): a TCP connection to an address outside the sandbox's
// loopback is made, on the agent's own socket, to the egress proxy in the sandbox
// (127.0.0.1:proxyPort), which reads first a CONNECT to the address asked, with `secret`
// (egress/proxy.h, kCapturedField). proxyPort 0: no proxy yet, such connections refused.
struct Capture {
  uint16_t proxyPort = 0;
  std::string secret;
};

// What the sandbox may reach: its own sockets, and the host's that the policy names; other
// addresses through the egress proxy.
struct Reach {
  const SandboxSockets &own;
  const SocketRules &rules;
  const Capture &capture;
};

class SocketBroker {
public:
  SocketBroker(const Reach &reach, AuditLog &audit) : reach_(reach), audit_(audit) {}
  // Does `call` (connect, sendto, sendmsg, sendmmsg) for the agent; the response to send.
  // `listener` tells whether the call is still waiting (SECCOMP_IOCTL_NOTIF_ID_VALID).
  seccomp_notif_resp handle(const seccomp_notif &call, int listener) const;

private:
  Reach reach_;
  AuditLog &audit_;
};

}  // namespace shellrt
