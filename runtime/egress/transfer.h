// Bytes between the sandbox's programs and the servers they reach, as the egress proxy and
// the inference router move them: a socket (with the TLS session on it, where one was ended
// or opened here), read with what was read ahead kept, bodies copied exactly as framed, and
// connections dialled to one checked address.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "egress/address.h"
#include "egress/tls.h"

namespace shellrt::egress {

constexpr int kHeadTimeoutMs = 30000;
// A server may think for minutes before it answers (a model's completion): only this much
// silence ends the exchange.
constexpr int kUpstreamSilenceMs = 15 * 60 * 1000;

int64_t nowMs();

// `work` on a thread of its own, detached; false when no thread can be made (the sandbox's
// user out of processes, say): the caller then refuses that one connection, and the process,
// the sandbox's only way out, goes on.
bool startThread(std::function<void()> work);

// What wants to see the bytes written to an endpoint as they pass (the router's token count).
struct Observer {
  virtual void seen(const char *data, size_t size) = 0;

protected:
  ~Observer() = default;
};

// One side of an exchange: a socket, and the TLS session on it where the proxy ends TLS.
struct Endpoint {
  int fd = -1;
  tls::Session *tls = nullptr;
  Observer *observer = nullptr;
  ssize_t read(char *buffer, size_t size) const;
  bool write(const char *data, size_t size) const;
  bool write(const std::string &data) const { return write(data.data(), data.size()); }
  bool pending() const { return tls && tls->pending(); }
};

// Bytes from a socket, with what was read ahead kept for the next reader.
struct Stream {
  Endpoint from;
  std::string buffered;
  int timeoutMs = kHeadTimeoutMs;  // of silence, before it counts as gone
  // A socket whose peer's going away ends a wait too (the router's client: a caller that
  // hangs up cancels the call to the provider); peerGone says that is why a fill failed.
  int hangupWatch = -1;
  bool peerGone = false;
  // More bytes within `timeoutMs` (-1: no limit); false at the end, an error or the timeout.
  bool fill(int timeoutMs);
  // Up to and including `end`, read within the timeout and at most `limit` bytes (a head
  // ended by bare LFs is handed on whole, for the parser to refuse by name).
  bool until(const std::string &end, size_t limit, std::string &out);
  // A request head, as until("\r\n\r\n") reads it, but from a plain socket nothing past its
  // end is taken (MSG_PEEK): what follows stays in the socket for whoever reads next (the TLS
  // of a captured connection, which the proxy may end).
  bool headOnly(size_t limit, std::string &out);
  bool exactly(size_t n, std::string &out);
  bool take(size_t n, std::string &out);
};

// A TCP connection to exactly `address`, with TCP_NODELAY; -1 and why.
int dial(const Address &address, uint16_t port, std::string &error);

// Every address `host` resolves to (the system's resolver), each once.
std::vector<Address> resolveName(const std::string &host, std::string &error);

// A body from `in` to `to`: `n` bytes; chunked, chunk by chunk, each size line strict,
// through the trailers' empty line; or until the sender's end. `count` adds what passed.
bool copyExactly(Stream &in, const Endpoint &to, uint64_t n, uint64_t &count);
bool copyChunked(Stream &in, const Endpoint &to, uint64_t &count);
bool copyUntilEnd(Stream &in, const Endpoint &to, uint64_t &count);

}  // namespace shellrt::egress
