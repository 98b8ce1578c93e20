#include "backends/bundle_signature.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/Base64.h>
#include <llvm/Support/SHA256.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "backends/bundle.h"

namespace shellc::backends {

namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T *p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Context = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;

Key readPrivateKey(const std::string &pem, std::string &error) {
  std::unique_ptr<BIO, Deleter<BIO_free>> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) error = "not a PEM private key (make one with `openssl genpkey -algorithm ed25519 -out KEY`)";
  else if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) error = "the key is not an Ed25519 key", key.reset();
  return key;
}

}  // namespace

bool signBundle(const std::string &bundle, const std::string &privateKeyPem, std::string &signatureFile,
                std::string &error) {
  Key key = readPrivateKey(privateKeyPem, error);
  if (!key) return false;
  unsigned char publicKey[32];
  size_t publicSize = sizeof publicKey;
  unsigned char signature[64];
  size_t signatureSize = sizeof signature;
  Context ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_PKEY_get_raw_public_key(key.get(), publicKey, &publicSize) == 1 &&
            EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
            EVP_DigestSign(ctx.get(), signature, &signatureSize, reinterpret_cast<const unsigned char *>(bundle.data()),
                           bundle.size()) == 1;
  if (!ok) {
    error = "OpenSSL could not sign the bundle";
    return false;
  }
  auto keyId = llvm::SHA256::hash(llvm::ArrayRef<uint8_t>(publicKey, publicSize));
  signatureFile = canonicalJson(llvm::json::Object{
      {"format", "shellc-signature"},
      {"algorithm", "ed25519"},
      {"key_sha256", llvm::toHex(keyId, true)},
      {"signature", llvm::encodeBase64(llvm::StringRef(reinterpret_cast<const char *>(signature), signatureSize))}});
  return true;
}

}  // namespace shellc::backends
