// TLS where the policy judges the requests inside HTTPS (`http` rules with methods or paths):
// the proxy ends the sandbox's TLS with a certificate of its own, made for the host the
// CONNECT named and signed by a certificate authority made for this sandbox alone, whose key
// lives only in the proxy process; and it opens its own TLS to the upstream, verified against
// the host's trust store. The sandbox trusts the authority through a trust store of the
// system's roots plus it (docs/egress.md, "Requests inside HTTPS").
//
// OpenSSL is loaded (dlopen) by the proxy process, and only for a policy that needs it: the
// runtime's start-up does not pay for libssl's relocations (bench/runtime_start.sh).
#pragma once
#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

struct ssl_st;
struct ssl_ctx_st;
struct evp_pkey_st;
struct x509_st;

namespace shellrt::egress::tls {

// Loads libssl once for the process; false with why. Every other call needs it loaded.
bool load(std::string &error);

// One TLS connection on a socket the caller owns. Blocking: one thread reads and writes it.
class Session {
public:
  Session() = default;
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  ~Session();
  // The server's side, presenting `context`'s certificate; the client's name asked (SNI) in
  // `serverName`, empty when it asked none.
  bool accept(int fd, ssl_ctx_st *context, std::string &serverName, std::string &error);
  // The client's side, to `host` (a name or an address), whose certificate must verify;
  // offering h2 by ALPN (and HTTP/1.1) when `offerH2`.
  bool connect(int fd, ssl_ctx_st *verifying, const std::string &host, std::string &error, bool offerH2 = false);
  // The protocol ALPN chose ("h2", "http/1.1"), empty when none was.
  std::string protocol() const;
  // Like read(2) and a whole write: -1 on an error, 0 at the peer's end.
  ssize_t read(char *buffer, size_t size);
  bool write(const char *data, size_t size);
  // Bytes decrypted and not read yet (poll would not see them).
  bool pending() const;

private:
  ssl_st *ssl_ = nullptr;
};

// The sandbox's certificate authority, and the certificates it signs for each host.
class Authority {
public:
  Authority() = default;
  Authority(const Authority &) = delete;
  Authority &operator=(const Authority &) = delete;
  ~Authority();
  bool create(std::string &error);
  const std::string &certificatePem() const { return certificatePem_; }
  // A server context presenting a certificate for `host` (a canonical name or an address),
  // made at its first use and kept; choosing h2 by ALPN where the client offers it when
  // `offerH2` (else HTTP/1.1, without ALPN). Shared: the cache may let go of it (past its
  // size, for another host) while a handshake still uses it.
  std::shared_ptr<ssl_ctx_st> serverFor(const std::string &host, std::string &error, bool offerH2 = false);

private:
  evp_pkey_st *key_ = nullptr;      // the authority's
  evp_pkey_st *leafKey_ = nullptr;  // one key for every host's certificate, made at first use
  x509_st *certificate_ = nullptr;
  std::string certificatePem_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<ssl_ctx_st>> servers_;
};

// The process's client context, which verifies servers against the host's trust store
// (OpenSSL's default paths; SSL_CERT_FILE and SSL_CERT_DIR where set): made at its first use,
// since reading the store costs tens of milliseconds that a sandbox's start should not wait
// for (the proxy's Landlock domain lets it read those paths later); null and why.
ssl_ctx_st *verifyingContext(std::string &error);

// The host's trust store as PEM (the first of the usual files that exists), for the
// sandbox's trust store: the system's roots, then the authority's certificate.
std::string systemRoots();

}  // namespace shellrt::egress::tls
