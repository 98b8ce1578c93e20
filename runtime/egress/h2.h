// HTTP/2 inside an inspected connection (docs/egress.md, "HTTP/2"): where the proxy ends the
// program's TLS and the upstream chose h2 by ALPN, the program is offered h2 too, and the
// proxy relays frames between two HTTP/2 sessions of its own (libnghttp2: the client's side
// as a server, the upstream's as a client), deciding each stream by its method and path
// before anything of it goes upstream. Streams are many on one connection (gRPC, SDKs that
// speak only HTTP/2); each is decided, answered and recorded on its own. Flow control is end
// to end: a side's window opens only as the other side takes its bytes.
//
// libnghttp2 is loaded (dlopen) by the proxy process at its first h2 connection, as libssl
// is: the runtime's start does not pay for it.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "egress/transfer.h"

namespace shellrt::egress::h2 {

// Loads libnghttp2 once for the process; false with why.
bool load(std::string &error);

// One stream's request, as the program sent it: its path canonical (query apart).
struct StreamRequest {
  std::string method, path, query, authority;
  std::string malformed;  // why it cannot be passed on, whatever the policy (answered 400)
  bool grpc = false;      // a gRPC call (content-type application/grpc…): refused in gRPC's terms
  std::shared_ptr<void> note;  // the judge's own, given back at the end
};

// A stream refused: the answer the program gets on it.
struct Refusal {
  int status = 403;
  std::string body;    // JSON
  std::string reason;  // for a gRPC call, its grpc-message
};

// How a stream went, for the audit log.
struct StreamEnd {
  int status = 0;
  uint64_t up = 0, down = 0;
  std::string reason;  // why it was cut, where it was
};

struct Judge {
  // A stream's head, read: true lets it through; false answers it with `refusal` (always
  // false for a malformed one).
  std::function<bool(StreamRequest &request, Refusal &refusal)> decide;
  std::function<void(const StreamRequest &request, const StreamEnd &end)> ended;
};

// Relays until either side ends the connection. `tunnelHost` is what each stream's
// :authority must name (with `tunnelPort`, or none for 443).
void relay(const Endpoint &client, const Endpoint &upstream, const std::string &tunnelHost, uint16_t tunnelPort,
           const Judge &judge);

}  // namespace shellrt::egress::h2
