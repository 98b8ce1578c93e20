// The server name a TLS ClientHello asks for (RFC 8446 §4.1.2, RFC 6066 §3): a tunnel to
// host A must not carry a handshake for host B (domain fronting past the policy).
#pragma once
#include <string>

namespace shellrt::egress {

enum class Hello { NotTls, Incomplete, Malformed, NoServerName, ServerName };

// From the first bytes the client sent in the tunnel (one TLS record, at most 16 KiB + 5).
Hello serverName(const std::string &bytes, std::string &name);

}  // namespace shellrt::egress
