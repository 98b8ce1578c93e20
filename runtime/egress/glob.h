// The egress table's two globs, as docs/language.md §10 defines them (the compiler's
// ir/glob.h is the reference, and a unit test compares the two on random texts):
// binaries after `by`: `*` any run within one path component, `**` any run across them;
// HTTP paths: `*` and `**` any run including '/', `?` one character, `[0-9]` a class and
// `[!0]` its complement.
#pragma once
#include <string_view>

namespace shellrt::egress {

bool matchBinary(std::string_view glob, std::string_view path);
bool matchHttpPath(std::string_view glob, std::string_view path);

}  // namespace shellrt::egress
