// Signed bundles: `shellc build --sign KEY` writes NAME.bundle.sig beside the bundle, and
// `shellrt --trust PUBKEY` refuses a bundle that is unsigned, altered, or signed by another
// key. Ed25519 over the bundle's exact bytes, verified by OpenSSL's libcrypto, which is
// loaded only when a key is trusted: every other start-up is spared its relocations.
#pragma once
#include <string>

namespace shellrt {

// `publicKeyPem` is a PEM public key (`openssl pkey -pubout`); `signatureText` the .sig
// file. True when the signature is valid for `bundle`; else false with `error`. `keyId` is
// the SHA-256 of the raw public key, for the audit log.
bool verifyBundleSignature(const std::string &bundle, const std::string &signatureText, const std::string &publicKeyPem,
                           std::string &keyId, std::string &error);

}  // namespace shellrt
