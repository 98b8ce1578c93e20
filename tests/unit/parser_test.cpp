// Bad input of every kind gets a clear error in bounded time, never a crash or a hang.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "frontend/parser.h"

namespace shellc {
namespace {

struct Parsed {
  bool ok;
  std::vector<Diagnostic> diagnostics;
  double seconds;
};

Parsed parse(const std::string &text) {
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("input.policy", text);
  auto start = std::chrono::steady_clock::now();
  auto module = parseModule(sources, file, diags);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {module != nullptr, diags.sorted(sources), seconds};
}

TEST(Parser, ValidPolicy) {
  Parsed p = parse(R"(policy demo
use std.base
param registry: host = "pypi.org"
filesystem {
  allow read, exec "/usr"
  @no_hooks deny write workspace / ".git/hooks"
}
syscalls { deny socket(domain in [AF_PACKET]) => errno(EAFNOSUPPORT) kill io_uring_setup }
network { allow http registry:443, "x.example.com":[80, 8000-8100] by "/usr/bin/pip" methods GET paths "/simple/**" audit }
inference {
  provider local { endpoint "http://127.0.0.1:8000/v1", api openai }
  route "gpt-*" => local rewrite "llama3"
}
assert never read "~/.ssh"
test "t" { expect errno(EPERM) syscall ptrace(0, 1) expect route "gpt-4" => local }
)");
  EXPECT_TRUE(p.ok);
  EXPECT_TRUE(p.diagnostics.empty());
}

TEST(Parser, SyntaxErrorNamesWhatWasExpected) {
  Parsed p = parse("filesystem {\n  allow read\n}\n");
  ASSERT_FALSE(p.ok);
  ASSERT_FALSE(p.diagnostics.empty());
  EXPECT_EQ(p.diagnostics[0].code, "syntax");
  EXPECT_EQ(p.diagnostics[0].message, "unexpected '}', expected a name or a string");
}

TEST(Parser, SemicolonGetsAHint) {
  Parsed p = parse("filesystem {\n  allow read \"/usr\";\n}\n");
  ASSERT_FALSE(p.ok);
  EXPECT_NE(p.diagnostics[0].hint.find("remove the ';'"), std::string::npos);
}

TEST(Parser, UnterminatedString) {
  Parsed p = parse("filesystem {\n  allow read \"/usr\n}\n");
  ASSERT_FALSE(p.ok);
  EXPECT_EQ(p.diagnostics[0].code, "unterminated-string");
  EXPECT_EQ(p.diagnostics[0].span.begin, 26u);
}

TEST(Parser, InvalidUtf8) {
  Parsed p = parse("filesystem {\n  allow read \"/us\xff\"\n}\n");
  ASSERT_FALSE(p.ok);
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_EQ(p.diagnostics[0].code, "invalid-utf8");
  EXPECT_EQ(p.diagnostics[0].span.begin, 30u);
  EXPECT_FALSE(parse("\xc0\x80").ok);        // overlong NUL
  EXPECT_FALSE(parse("\xed\xa0\x80").ok);    // a UTF-16 surrogate
  EXPECT_FALSE(parse("\xe2\x82").ok);        // truncated at the end
  EXPECT_TRUE(parse("# caf\xc3\xa9\n").ok);  // valid UTF-8 in a comment
}

TEST(Parser, NonAsciiColumnsCountBytes) {
  Parsed p = parse("# é\nfilesystem { allow read \"/é\" ; }\n");
  ASSERT_FALSE(p.ok);
  EXPECT_EQ(p.diagnostics[0].span.begin, 35u);  // the ';', in bytes
}

TEST(Parser, BinaryGarbageIsBoundedAndCapped) {
  std::mt19937 rng(42);
  std::string garbage(1 << 20, '\0');
  for (char &c : garbage) c = static_cast<char>(rng() % 127 + 1);  // ASCII: past the UTF-8 gate
  Parsed p = parse(garbage);
  EXPECT_FALSE(p.ok);
  EXPECT_LE(p.diagnostics.size(), DiagnosticEngine::kMaxErrors + 1);
  EXPECT_LT(p.seconds, 5.0);
  EXPECT_FALSE(parse(std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10)).ok);
}

TEST(Parser, TenMegabyteLine) {
  std::string line = "filesystem { allow read \"/" + std::string(10 << 20, 'a') + "\" }\n";
  for (const std::string &text : {line, std::string(10 << 20, '{'),
                                  "filesystem { allow read " + std::string(10 << 20, 'x') + " }"}) {
    Parsed p = parse(text);
    EXPECT_FALSE(p.ok);
    ASSERT_EQ(p.diagnostics.size(), 1u);
    EXPECT_EQ(p.diagnostics[0].code, "line-too-long");
    EXPECT_LT(p.seconds, 1.0);
  }
  // Many short lines parse in bounded time too (ANTLR lexes about a million tokens a second).
  std::string lines;
  while (lines.size() < (2 << 20)) lines += "{\n";
  Parsed many = parse(lines);
  EXPECT_FALSE(many.ok);
  EXPECT_LT(many.seconds, 10.0);
}

TEST(Parser, DeepNesting) {
  std::string deep = "syscalls { deny ioctl(request in [" + std::string(100000, '[') + "]) }";
  Parsed p = parse(deep);
  EXPECT_FALSE(p.ok);
  EXPECT_LT(p.seconds, 5.0);
  std::string braces;
  for (int i = 0; i < 100000; ++i) braces += "filesystem {";
  EXPECT_FALSE(parse(braces).ok);
}

TEST(Parser, LexForFormatMarksStatements) {
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("f.policy", "use std.base  # c\nfilesystem {\n  allow read \"/usr\"\n}\n");
  FormatInput input;
  ASSERT_TRUE(lexForFormat(sources, file, diags, input));
  ASSERT_EQ(input.statements.size(), 3u);
  EXPECT_TRUE(input.statements[0].topLevel);
  EXPECT_EQ(input.tokens[input.statements[2].token].text, "allow");
  EXPECT_EQ(input.tokens[4].kind, LexToken::Kind::Comment);
}

}  // namespace
}  // namespace shellc

namespace shellc {
namespace {

// Found by the fuzzer: ANTLR drops a leading byte-order mark, which shifted every offset.
// The source manager drops it first, so offsets and columns count from after it.
TEST(Parser, ByteOrderMarkKeepsOffsets) {
  Parsed p = parse("\xEF\xBB\xBF" "filesystem { allow read \"/é\" ; }\n");
  ASSERT_FALSE(p.ok);
  EXPECT_EQ(p.diagnostics[0].span.begin, 30u);  // the ";", in bytes after the BOM
}

}  // namespace
}  // namespace shellc
