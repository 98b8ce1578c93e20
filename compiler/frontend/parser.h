// Parses one policy file into its syntax tree. The only part of shellc that sees ANTLR.
#pragma once
#include <memory>

#include "frontend/ast.h"
#include "support/diagnostics.h"

namespace shellc {

// Returns nullptr when the file has lexical or syntax errors (all of them reported).
std::unique_ptr<ast::Module> parseModule(const SourceManager &sources, FileId file,
                                         DiagnosticEngine &diags);
// Parses a file that holds one request (`shellc explain`'s argument), in the same way.
std::unique_ptr<ast::Request> parseRequest(const SourceManager &sources, FileId file,
                                           DiagnosticEngine &diags);

// Whether a word shaped like a name is a keyword of the language, which no name may be.
bool isKeyword(std::string_view word);

// A token of the source, comments included: what `shellc fmt` lays out again.
struct LexToken {
  enum class Kind { Comment, Word, String, Number, Punct };
  Kind kind;
  std::string_view text;
  uint32_t begin;  // byte offset
  uint32_t line;
};

// The statement structure `shellc fmt` needs: where each statement starts and how deep it is.
struct StatementStart {
  size_t token;    // index into the token list
  unsigned depth;  // 0 at top level
  bool topLevel;   // starts a top-level item
};
struct FormatInput {
  std::vector<LexToken> tokens;
  std::vector<StatementStart> statements;
};
// Fails (returns false, with diagnostics) on the same inputs parseModule fails on.
bool lexForFormat(const SourceManager &sources, FileId file, DiagnosticEngine &diags,
                  FormatInput &out);

}  // namespace shellc
