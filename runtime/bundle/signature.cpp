#include "bundle/signature.h"

#include <dlfcn.h>

#include "bundle/json.h"
#include "bundle/schema.h"
#include "bundle/sha256.h"

namespace shellrt {

namespace {

// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32-byte key follows.
const std::string kEd25519SpkiPrefix("\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00", 12);
constexpr int kEvpPkeyEd25519 = 1087;  // NID_ED25519

bool rawPublicKey(const std::string &pem, std::string &key, std::string &error) {
  const std::string begin = "-----BEGIN PUBLIC KEY-----", end = "-----END PUBLIC KEY-----";
  size_t from = pem.find(begin), to = pem.find(end);
  if (from == std::string::npos || to == std::string::npos || to < from) {
    error = "the trusted key is not a PEM public key (openssl pkey -pubout)";
    return false;
  }
  std::string base64, der;
  for (size_t i = from + begin.size(); i < to; ++i)
    if (pem[i] != '\n' && pem[i] != '\r') base64 += pem[i];
  if (!decodeBase64(base64, der) || der.size() != kEd25519SpkiPrefix.size() + 32 ||
      der.compare(0, kEd25519SpkiPrefix.size(), kEd25519SpkiPrefix) != 0) {
    error = "the trusted key is not an Ed25519 public key";
    return false;
  }
  key = der.substr(kEd25519SpkiPrefix.size());
  return true;
}

bool readSignature(const std::string &text, std::string &keyId, std::string &signature, std::string &error) {
  Json json;
  if (!parseJson(text, json, error, JsonLimits{1u << 16})) return error = "the signature file: " + error, false;
  try {
    Field root(json, "signature");
    auto o = root.object();
    o["format"].oneOf({"shellc-signature"});
    o["algorithm"].oneOf({"ed25519"});
    keyId = o["key_sha256"].text(64);
    if (!decodeBase64(o["signature"].text(128), signature) || signature.size() != 64)
      o["signature"].reject("is not the base64 of a 64-byte Ed25519 signature");
    o.finish();
  } catch (const SchemaError &e) {
    error = "the signature file: " + e.field + ": " + e.why;
    return false;
  }
  return true;
}

// libcrypto's verifier, loaded on demand (see signature.h).
bool ed25519Verify(const std::string &key, const std::string &message, const std::string &signature, std::string &error) {
  void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
  if (!crypto) return error = std::string("cannot load OpenSSL's libcrypto to verify the signature: ") + dlerror(), false;
  using NewKey = void *(*)(int, void *, const unsigned char *, size_t);
  using NewCtx = void *(*)();
  using Init = int (*)(void *, void **, const void *, void *, void *);
  using Verify = int (*)(void *, const unsigned char *, size_t, const unsigned char *, size_t);
  using Free = void (*)(void *);
  auto newKey = reinterpret_cast<NewKey>(dlsym(crypto, "EVP_PKEY_new_raw_public_key"));
  auto newCtx = reinterpret_cast<NewCtx>(dlsym(crypto, "EVP_MD_CTX_new"));
  auto init = reinterpret_cast<Init>(dlsym(crypto, "EVP_DigestVerifyInit"));
  auto verify = reinterpret_cast<Verify>(dlsym(crypto, "EVP_DigestVerify"));
  auto freeCtx = reinterpret_cast<Free>(dlsym(crypto, "EVP_MD_CTX_free"));
  auto freeKey = reinterpret_cast<Free>(dlsym(crypto, "EVP_PKEY_free"));
  if (!newKey || !newCtx || !init || !verify || !freeCtx || !freeKey)
    return error = "OpenSSL's libcrypto lacks the Ed25519 verifier", false;
  auto bytes = [](const std::string &s) { return reinterpret_cast<const unsigned char *>(s.data()); };
  void *pkey = newKey(kEvpPkeyEd25519, nullptr, bytes(key), key.size());
  void *ctx = newCtx();
  bool ok = pkey && ctx && init(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
            verify(ctx, bytes(signature), signature.size(), bytes(message), message.size()) == 1;
  if (ctx) freeCtx(ctx);
  if (pkey) freeKey(pkey);
  if (!ok) error = "the bundle's signature does not verify with the trusted key: the bundle was altered";
  return ok;
}

}  // namespace

bool verifyBundleSignature(const std::string &bundle, const std::string &signatureText, const std::string &publicKeyPem,
                           std::string &keyId, std::string &error) {
  std::string key, claimedKey, signature;
  if (!rawPublicKey(publicKeyPem, key, error) || !readSignature(signatureText, claimedKey, signature, error)) return false;
  keyId = sha256Hex(key);
  if (claimedKey != keyId) {
    error = "the bundle is signed by another key (" + claimedKey.substr(0, 16) + "…, trusted " + keyId.substr(0, 16) + "…)";
    return false;
  }
  return ed25519Verify(key, bundle, signature, error);
}

}  // namespace shellrt
