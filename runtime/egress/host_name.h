// The host a client asked for, made canonical before anything is matched against it: the
// egress table's names are lowercase, punycode, without a trailing dot (docs/bundle.md).
// What could make one name look like another is refused rather than interpreted: user
// information (`user@host`), %-escapes, zone ids, empty labels, characters no host name has.
// Address literals in any form a resolver accepts (`127.1`, `0x7f.0.0.1`, `[::1]`) are
// addresses, never names.
#pragma once
#include <optional>
#include <string>

#include "egress/address.h"

namespace shellrt::egress {

struct Host {
  std::string name;                // canonical; empty for an address literal
  std::optional<Address> address;  // the literal's
};

// false with `error` saying what is wrong with `text` (the authority's host part).
bool canonicalHost(const std::string &text, Host &out, std::string &error);

// One label of Unicode text (UTF-8) as RFC 3492 punycode, without the "xn--" prefix; false
// when the text is not valid UTF-8. The compiler's hints write the same (frontend/values.h,
// which the runtime may not link): a unit test compares the two on random labels.
bool punycode(const std::string &utf8, std::string &out);

}  // namespace shellrt::egress
