#include "egress/tls.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace shellrt::egress::tls {

namespace {

// The OpenSSL calls this file makes, each found by name in libssl (and libcrypto, which it
// loads) and called through a pointer of the header's own type.
#define SHELLRT_OPENSSL_CALLS(X)                                                                    \
  X(OPENSSL_init_ssl) X(ERR_get_error) X(ERR_error_string_n) X(ERR_clear_error) X(RAND_bytes)      \
  X(EVP_PKEY_Q_keygen) X(EVP_PKEY_free) X(EVP_sha256)                                               \
  X(X509_new) X(X509_free) X(X509_set_version) X(X509_get_serialNumber) X(ASN1_INTEGER_set_uint64)  \
  X(X509_getm_notBefore) X(X509_getm_notAfter) X(X509_gmtime_adj) X(X509_set_pubkey)               \
  X(X509_get_subject_name) X(X509_set_issuer_name) X(X509_NAME_add_entry_by_txt) X(X509_sign)      \
  X(X509V3_set_ctx) X(X509V3_EXT_conf_nid) X(X509_add_ext) X(X509_EXTENSION_free)                  \
  X(X509_verify_cert_error_string) X(BIO_new) X(BIO_s_mem) X(BIO_ctrl) X(BIO_free)                 \
  X(PEM_write_bio_X509)                                                                             \
  X(TLS_server_method) X(TLS_client_method) X(SSL_CTX_new) X(SSL_CTX_free) X(SSL_CTX_ctrl)         \
  X(SSL_CTX_use_certificate) X(SSL_CTX_use_PrivateKey) X(SSL_CTX_set_default_verify_paths)         \
  X(SSL_CTX_set_verify) X(SSL_new) X(SSL_free) X(SSL_set_fd) X(SSL_accept) X(SSL_connect)          \
  X(SSL_read) X(SSL_write) X(SSL_shutdown) X(SSL_pending) X(SSL_ctrl) X(SSL_set1_host)             \
  X(SSL_get_servername) X(SSL_get_verify_result)                                                    \
  X(SSL_set_alpn_protos) X(SSL_get0_alpn_selected) X(SSL_CTX_set_alpn_select_cb)

struct Calls {
#define SHELLRT_DECLARE(name) decltype(&::name) name = nullptr;
  SHELLRT_OPENSSL_CALLS(SHELLRT_DECLARE)
#undef SHELLRT_DECLARE
};

Calls ssl;
std::once_flag loaded;
std::string loadError;

void loadOnce() {
  void *library = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    loadError = std::string("OpenSSL 3 (libssl.so.3) is not installed: ") + dlerror();
    return;
  }
#define SHELLRT_FIND(name)                                                         \
  ssl.name = reinterpret_cast<decltype(&::name)>(dlsym(library, #name));           \
  if (!ssl.name) {                                                                 \
    loadError = "libssl.so.3 lacks " #name;                                        \
    return;                                                                        \
  }
  SHELLRT_OPENSSL_CALLS(SHELLRT_FIND)
#undef SHELLRT_FIND
  // Its configuration and error strings now, while the proxy may still read files.
  if (ssl.OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr) != 1)
    loadError = "OpenSSL did not start";
}

// The error OpenSSL queued last, as text (and the queue emptied for the next call).
std::string lastError(const std::string &what) {
  unsigned long code = 0, last;
  while ((last = ssl.ERR_get_error()) != 0) code = last;
  if (code == 0) return what;
  char text[256];
  ssl.ERR_error_string_n(code, text, sizeof text);
  return what + ": " + text;
}

bool addExtension(x509_st *certificate, x509_st *issuer, int nid, const std::string &value) {
  X509V3_CTX context;
  ssl.X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION *extension = ssl.X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (!extension) return false;
  bool added = ssl.X509_add_ext(certificate, extension, -1) == 1;
  ssl.X509_EXTENSION_free(extension);
  return added;
}

// A certificate for `subject`'s key, valid from an hour ago (clocks differ) for `days`.
x509_st *newCertificate(evp_pkey_st *subjectKey, const std::string &commonName, long days) {
  x509_st *c = ssl.X509_new();
  uint64_t serial = 0;
  if (!c || ssl.RAND_bytes(reinterpret_cast<unsigned char *>(&serial), sizeof serial) != 1) return c;
  serial >>= 1;  // positive, as RFC 5280 asks
  bool ok = ssl.X509_set_version(c, 2) == 1 && ssl.ASN1_INTEGER_set_uint64(ssl.X509_get_serialNumber(c), serial) == 1 &&
            ssl.X509_gmtime_adj(ssl.X509_getm_notBefore(c), -3600) && ssl.X509_gmtime_adj(ssl.X509_getm_notAfter(c), days * 86400) &&
            ssl.X509_set_pubkey(c, subjectKey) == 1 &&
            ssl.X509_NAME_add_entry_by_txt(ssl.X509_get_subject_name(c), "CN", MBSTRING_UTF8,
                                           reinterpret_cast<const unsigned char *>(commonName.c_str()), -1, -1, 0) == 1;
  if (!ok) ssl.X509_free(c), c = nullptr;
  return c;
}

bool isAddress(const std::string &host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::string pemOf(x509_st *certificate) {
  BIO *memory = ssl.BIO_new(ssl.BIO_s_mem());
  std::string out;
  char *data = nullptr;
  if (memory && ssl.PEM_write_bio_X509(memory, certificate) == 1) {
    long size = ssl.BIO_ctrl(memory, BIO_CTRL_INFO, 0, &data);
    if (size > 0 && data) out.assign(data, static_cast<size_t>(size));
  }
  if (memory) ssl.BIO_free(memory);
  return out;
}

ssl_ctx_st *newContext(const SSL_METHOD *method) {
  SSL_CTX *context = ssl.SSL_CTX_new(method);
  if (context) ssl.SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
  return context;
}

// ALPN, in its wire form: each protocol's length, then its name.
const unsigned char kH2AndHttp11[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// The server's choice among what the client offers: h2, else HTTP/1.1, else no ALPN at all.
int selectProtocol(SSL *, const unsigned char **out, unsigned char *outLength, const unsigned char *in, unsigned int inLength,
                   void *) {
  for (const char *wanted : {"h2", "http/1.1"})
    for (unsigned int at = 0; at < inLength; at += 1u + in[at]) {
      unsigned char length = in[at];
      if (at + 1 + length > inLength) break;
      if (length == std::strlen(wanted) && std::memcmp(in + at + 1, wanted, length) == 0) {
        *out = in + at + 1;
        *outLength = length;
        return SSL_TLSEXT_ERR_OK;
      }
    }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

bool load(std::string &error) {
  std::call_once(loaded, loadOnce);
  return loadError.empty() || (error = loadError, false);
}

Session::~Session() {
  if (!ssl_) return;
  ssl.SSL_shutdown(ssl_);  // a close_notify, so that the peer can tell an end from a cut
  ssl.SSL_free(ssl_);
}

bool Session::accept(int fd, ssl_ctx_st *context, std::string &serverName, std::string &error) {
  ssl.ERR_clear_error();
  ssl_ = ssl.SSL_new(context);
  if (!ssl_ || ssl.SSL_set_fd(ssl_, fd) != 1 || ssl.SSL_accept(ssl_) != 1)
    return error = lastError("the TLS handshake with the sandbox's program failed (does it trust the sandbox's "
                             "authority? docs/egress.md)"), false;
  const char *name = ssl.SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
  serverName = name ? name : "";
  return true;
}

bool Session::connect(int fd, ssl_ctx_st *verifying, const std::string &host, std::string &error, bool offerH2) {
  ssl.ERR_clear_error();
  ssl_ = ssl.SSL_new(verifying);
  if (!ssl_ || ssl.SSL_set_fd(ssl_, fd) != 1 || ssl.SSL_set1_host(ssl_, host.c_str()) != 1 ||
      (offerH2 && ssl.SSL_set_alpn_protos(ssl_, kH2AndHttp11, sizeof kH2AndHttp11) != 0))
    return error = lastError("TLS to the upstream"), false;
  if (!isAddress(host)) ssl.SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char *>(host.c_str()));
  if (ssl.SSL_connect(ssl_) == 1) return true;
  long verified = ssl.SSL_get_verify_result(ssl_);
  if (verified != X509_V_OK)
    return error = std::string("the upstream's certificate does not verify against the host's trust store: ") +
                   ssl.X509_verify_cert_error_string(verified), false;
  return error = lastError("the TLS handshake with the upstream failed"), false;
}

ssize_t Session::read(char *buffer, size_t size) {
  int n = ssl.SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(size, 1 << 30)));
  if (n > 0) return n;
  ssl.ERR_clear_error();
  return -1;  // an end without close_notify is an error too: the caller cannot tell a cut from it
}

bool Session::write(const char *data, size_t size) {
  while (size > 0) {
    int n = ssl.SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
    if (n <= 0) return ssl.ERR_clear_error(), false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool Session::pending() const { return ssl.SSL_pending(ssl_) > 0; }

std::string Session::protocol() const {
  const unsigned char *name = nullptr;
  unsigned int length = 0;
  if (ssl_) ssl.SSL_get0_alpn_selected(ssl_, &name, &length);
  return name ? std::string(reinterpret_cast<const char *>(name), length) : std::string();
}

Authority::~Authority() {
  servers_.clear();
  if (certificate_) ssl.X509_free(certificate_);
  if (leafKey_) ssl.EVP_PKEY_free(leafKey_);
  if (key_) ssl.EVP_PKEY_free(key_);
}

bool Authority::create(std::string &error) {
  if (!load(error)) return false;
  key_ = ssl.EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!key_) return error = lastError("cannot make the sandbox's TLS key"), false;
  // Its name says whose it is: a person who meets it in a browser's warning knows.
  certificate_ = newCertificate(key_, "shellrt sandbox authority (pid " + std::to_string(getpid()) + ")", 365);
  bool ok = certificate_ && ssl.X509_set_issuer_name(certificate_, ssl.X509_get_subject_name(certificate_)) == 1 &&
            addExtension(certificate_, certificate_, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
            addExtension(certificate_, certificate_, NID_key_usage, "critical,keyCertSign,cRLSign") &&
            addExtension(certificate_, certificate_, NID_subject_key_identifier, "hash") &&
            ssl.X509_sign(certificate_, key_, ssl.EVP_sha256()) > 0;
  if (ok) certificatePem_ = pemOf(certificate_);
  if (!ok || certificatePem_.empty()) return error = lastError("cannot make the sandbox's certificate authority"), false;
  return true;
}

ssl_ctx_st *verifyingContext(std::string &error) {
  static std::mutex once;
  static SSL_CTX *made = nullptr;
  std::lock_guard<std::mutex> lock(once);
  if (made || !load(error)) return made;
  SSL_CTX *context = newContext(ssl.TLS_client_method());
  if (!context || ssl.SSL_CTX_set_default_verify_paths(context) != 1) {
    if (context) ssl.SSL_CTX_free(context);
    return error = lastError("cannot read the host's trust store"), nullptr;
  }
  ssl.SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  return made = context;
}

std::shared_ptr<ssl_ctx_st> Authority::serverFor(const std::string &host, std::string &error, bool offerH2) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto known = servers_.find(offerH2 ? host + " h2" : host);
  if (known != servers_.end()) return known->second;
  // The hosts' key, made at the first tunnel: not on the sandbox's way to its start.
  if (!leafKey_ && !(leafKey_ = ssl.EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")))
    return error = lastError("cannot make the sandbox's TLS key"), nullptr;
  x509_st *leaf = newCertificate(leafKey_, host.size() <= 64 ? host : "shellrt", 30);
  std::string names = (isAddress(host) ? "IP:" : "DNS:") + host;
  bool ok = leaf && ssl.X509_set_issuer_name(leaf, ssl.X509_get_subject_name(certificate_)) == 1 &&
            addExtension(leaf, certificate_, NID_subject_alt_name, names) &&
            addExtension(leaf, certificate_, NID_basic_constraints, "critical,CA:FALSE") &&
            addExtension(leaf, certificate_, NID_ext_key_usage, "serverAuth") &&
            addExtension(leaf, certificate_, NID_authority_key_identifier, "keyid") &&
            ssl.X509_sign(leaf, key_, ssl.EVP_sha256()) > 0;
  SSL_CTX *context = ok ? newContext(ssl.TLS_server_method()) : nullptr;
  ok = context && ssl.SSL_CTX_use_certificate(context, leaf) == 1 && ssl.SSL_CTX_use_PrivateKey(context, leafKey_) == 1;
  if (leaf) ssl.X509_free(leaf);  // the context holds its own reference
  if (!ok) {
    if (context) ssl.SSL_CTX_free(context);
    return error = lastError("cannot make a certificate for " + host), nullptr;
  }
  constexpr size_t kMaxHosts = 4096;  // a sandbox that names hosts without end cannot grow this without end
  if (servers_.size() >= kMaxHosts) servers_.clear();  // sessions and handshakes keep their own references
  if (offerH2) ssl.SSL_CTX_set_alpn_select_cb(context, selectProtocol, nullptr);
  std::shared_ptr<ssl_ctx_st> shared(context, [](ssl_ctx_st *c) { ssl.SSL_CTX_free(c); });
  return servers_[offerH2 ? host + " h2" : host] = shared;
}

std::string systemRoots() {
  for (const char *path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}) {
    std::ifstream file(path);
    if (!file) continue;
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }
  return "";
}

}  // namespace shellrt::egress::tls
