// Checks and normalises the values a policy writes: paths, hosts, CIDRs, ports, sizes,
// durations, URLs, model globs. Each returns false with a message (and maybe a hint).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "ir/policy.h"

namespace shellc {

struct ValueError {
  std::string message;
  std::string hint;
};

// An absolute path, `~`, `~/x` (home); joined parts must be relative. Normalised form only.
bool parsePath(std::string_view text, ir::Path &out, ValueError &error);
bool checkRelativePart(std::string_view text, ValueError &error);
void joinPath(ir::Path &path, std::string_view part);

// A host name or pattern (`*.x.com`, `**.x.com`), or an IP address / CIDR.
bool parseHostPattern(std::string_view text, ir::HostPattern &out, ValueError &error);
bool parseCidr(std::string_view text, ir::HostPattern &out, ValueError &error);

bool parsePort(std::string_view text, uint16_t &out, ValueError &error);
bool parseUnsigned(std::string_view text, uint64_t &out, ValueError &error);
bool parseSize(std::string_view text, uint64_t &bytes, ValueError &error);
bool parseDuration(std::string_view text, uint64_t &milliseconds, ValueError &error);
bool checkUrl(std::string_view text, ValueError &error);
bool checkModelGlob(std::string_view text, ValueError &error);
bool checkBinaryPattern(std::string_view text, ValueError &error);
bool checkHttpPathGlob(std::string_view text, ValueError &error);
bool checkEnvName(std::string_view text, ValueError &error);

// RFC 3492 punycode of one label ("bücher" -> "xn--bcher-kva"), for hints.
std::string punycodeLabel(std::string_view utf8);

}  // namespace shellc
