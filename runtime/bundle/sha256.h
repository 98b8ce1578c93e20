// SHA-256 (FIPS 180-4), for the bundle's hash in the audit log. Written here rather than
// taken from OpenSSL: linking libcrypto costs every start-up about a millisecond of
// relocations, for sixty lines (a unit test checks it against the standard's vectors and
// against the compiler's LLVM implementation).
#pragma once
#include <string>

namespace shellrt {

std::string sha256(const std::string &data);     // 32 bytes
std::string sha256Hex(const std::string &data);  // 64 lowercase hex digits

}  // namespace shellrt
