// Signed bundles (docs/bundle.md, "Signatures"): an Ed25519 signature over the bundle's
// exact bytes, written beside it as NAME.bundle.sig, which `shellrt --trust PUBKEY` checks
// before it reads anything else.
#pragma once
#include <string>

namespace shellc::backends {

// `privateKeyPem`: an Ed25519 private key (`openssl genpkey -algorithm ed25519`). Returns
// the signature file's text, or false with `error`.
bool signBundle(const std::string &bundle, const std::string &privateKeyPem, std::string &signatureFile,
                std::string &error);

}  // namespace shellc::backends
