// Matching of the language's three kinds of glob (docs/language.md), and the overlap and
// specificity of model globs that decide which route wins.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace shellc::ir {

// Model names (section 11): `*` any run of characters, `?` one character.
bool matchModelGlob(std::string_view glob, std::string_view model);

// Binaries after `by` (section 10): `*` any run within one path component, `**` any run
// across components.
bool matchBinaryGlob(std::string_view glob, std::string_view path);

// HTTP request paths (section 10): `*` and `**` any run including '/', `?` one character,
// `[0-9]` one character of a class and `[!0]` one character outside it.
bool matchHttpPathGlob(std::string_view glob, std::string_view path);

// Whether some model name matches both globs.
bool globsOverlap(std::string_view a, std::string_view b);
// How specific a model glob is: its number of literal characters. The most specific route wins.
size_t globSpecificity(std::string_view glob);

// A shortest text that both globs of a kind match, if any: the verifier's stand-in for the
// texts that match both (classes are tried at their listed members and range ends).
std::optional<std::string> commonModelName(std::string_view a, std::string_view b);
std::optional<std::string> commonBinary(std::string_view a, std::string_view b);
std::optional<std::string> commonHttpPath(std::string_view a, std::string_view b);

// Where the character class that starts at glob[open] ('[') ends: the index of its ']', or
// npos when it is not closed. A ']' right after "[" or "[!" is a member, not the end.
size_t classEnd(std::string_view glob, size_t open);

}  // namespace shellc::ir
