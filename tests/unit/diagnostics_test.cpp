#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>

#include "support/diagnostics.h"

namespace shellc {
namespace {

struct Fixture {
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file;
  explicit Fixture(std::string text) { file = sources.addBuffer("p.policy", std::move(text)); }
  std::string render(DiagnosticFormat format) {
    std::string out;
    RenderOptions options;
    options.format = format;
    renderDiagnostics(sources, diags.sorted(sources), options, out);
    return out;
  }
};

TEST(Diagnostics, ClangStyleTextWithHintAndNote) {
  Fixture f("line one\n  deny ptrce\n");
  f.diags.error("unknown-syscall", Span{f.file, 16, 21}, "unknown system call 'ptrce'")
      .withHint("did you mean 'ptrace'?")
      .withNote(Span{f.file, 0, 4}, "context");
  EXPECT_EQ(f.render(DiagnosticFormat::Text),
            "p.policy:2:8: error: unknown system call 'ptrce' [unknown-syscall]\n"
            "  deny ptrce\n"
            "       ^~~~~\n"
            "hint: did you mean 'ptrace'?\n"
            "p.policy:1:1: note: context\n"
            "line one\n"
            "^~~~\n");
}

TEST(Diagnostics, SortedDeduplicatedAndCapped) {
  Fixture f("abcdef\n");
  f.diags.warning("b", Span{f.file, 3, 4}, "second");
  f.diags.error("a", Span{f.file, 1, 2}, "first");
  f.diags.error("a", Span{f.file, 1, 2}, "first");
  auto sorted = f.diags.sorted(f.sources);
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].message, "first");
  for (int i = 0; i < 100; ++i) f.diags.error("x", Span{f.file, 0, 1}, std::to_string(i));
  EXPECT_EQ(f.diags.errorCount(), DiagnosticEngine::kMaxErrors);
  EXPECT_EQ(f.diags.sorted(f.sources).back().code, "too-many-errors");
}

TEST(Diagnostics, LongLinesAreShownAsAWindow) {
  Fixture f(std::string(5000, 'a') + "XYZ" + std::string(5000, 'b'));
  f.diags.error("e", Span{f.file, 5000, 5003}, "here");
  std::string text = f.render(DiagnosticFormat::Text);
  EXPECT_LT(text.size(), 400u);
  EXPECT_NE(text.find("...aaaa"), std::string::npos);
  size_t x = text.find("XYZ"), caret = text.find('^');
  ASSERT_NE(x, std::string::npos);
  ASSERT_NE(caret, std::string::npos);
  size_t lineStart = text.rfind('\n', x) + 1, caretLineStart = text.rfind('\n', caret) + 1;
  EXPECT_EQ(x - lineStart, caret - caretLineStart);
}

TEST(Diagnostics, JsonAndSarifAreValid) {
  Fixture f("deny x\n");
  f.diags.error("unknown-syscall", Span{f.file, 5, 6}, "unknown").withHint("h");
  auto json = llvm::json::parse(f.render(DiagnosticFormat::Json));
  ASSERT_TRUE(bool(json));
  auto *d = json->getAsObject()->getArray("diagnostics");
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ(*(*d)[0].getAsObject()->getObject("location")->getInteger("column"), 6);
  auto sarif = llvm::json::parse(f.render(DiagnosticFormat::Sarif));
  ASSERT_TRUE(bool(sarif));
  EXPECT_EQ(*sarif->getAsObject()->getString("version"), "2.1.0");
  auto *result = (*sarif->getAsObject()->getArray("runs"))[0].getAsObject()->getArray("results");
  EXPECT_EQ(*(*result)[0].getAsObject()->getString("ruleId"), "unknown-syscall");
}

TEST(Diagnostics, DidYouMean) {
  EXPECT_EQ(didYouMean("raed", {"read", "write", "exec"}), "did you mean 'read'?");
  EXPECT_EQ(didYouMean("zzzz", {"read", "write", "exec"}), "");
}

}  // namespace
}  // namespace shellc
