#include <gtest/gtest.h>

#include "importers/importers.h"
#include "importers/json_input.h"
#include "importers/openshell.h"
#include "importers/policy_writer.h"

namespace shellc::importers {
namespace {

// The text a span of the file covers.
std::string covered(const SourceManager &sources, Span span) {
  return std::string(sources.text(span.file).substr(span.begin, span.end - span.begin));
}

TEST(JsonInput, LocatesValuesAndKeysByPath) {
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("p.json", "{\"a\": [1, {\"b\": \"x\\\"y\"}],\n \"c\\n\": {}, \"d\": [[], [true]]}");
  JsonInput in(sources, file, diags);
  ASSERT_TRUE(in.parse(""));
  EXPECT_EQ(covered(sources, in.span("a")), "[1, {\"b\": \"x\\\"y\"}]");
  EXPECT_EQ(covered(sources, in.span("a[0]")), "1");
  EXPECT_EQ(covered(sources, in.span("a[1].b")), "\"x\\\"y\"");
  EXPECT_EQ(covered(sources, in.keySpan("a[1].b")), "\"b\"");
  EXPECT_EQ(covered(sources, in.span("c\n")), "{}");  // keys are decoded, as llvm::json decodes them
  EXPECT_EQ(covered(sources, in.span("d[1][0]")), "true");
  // A path the file does not have points at the nearest value it does.
  EXPECT_EQ(covered(sources, in.span("d[1][5].x")), "[true]");
  EXPECT_EQ(diags.errorCount(), 0u);
}

// A key that could be read as part of a path is quoted: no two values share a path, so a
// value is never read from the text of another.
TEST(JsonInput, PathsOfOddKeysAreQuoted) {
  EXPECT_EQ(member("a", "b"), "a.b");
  EXPECT_EQ(member("", "b"), "b");
  EXPECT_EQ(member("a", "b.c"), "a[\"b.c\"]");
  EXPECT_EQ(member("a", "x[0]"), "a[\"x[0]\"]");
  EXPECT_EQ(member("a", "q\"\\"), "a[\"q\\\"\\\\\"]");
  EXPECT_EQ(member("a", ""), "a[\"\"]");
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("p.json", "{\"a\": {\"b\": 1}, \"a.b\": 2, \"\\u0063\": 3}");
  JsonInput in(sources, file, diags);
  ASSERT_TRUE(in.parse(""));
  EXPECT_EQ(covered(sources, in.span("a.b")), "1");
  EXPECT_EQ(covered(sources, in.span("[\"a.b\"]")), "2");
  EXPECT_EQ(covered(sources, in.span("c")), "3");  // keys are decoded as llvm::json decodes them
}

TEST(JsonInput, ReadsIntegersExactly) {
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer(
      "p.json", "[9223372036854775808, 18446744073709551615, 18446744073709551616, 1.0, 1e3, -0, -1, \"1\"]");
  JsonInput in(sources, file, diags);
  ASSERT_TRUE(in.parse(""));
  const llvm::json::Array &all = *in.root().getAsArray();
  EXPECT_EQ(in.unsignedInteger(all[0], "[0]"), 9223372036854775808u);
  EXPECT_EQ(in.unsignedInteger(all[1], "[1]"), 18446744073709551615u);
  for (size_t i = 2; i < all.size(); ++i) EXPECT_FALSE(in.unsignedInteger(all[i], element("", i))) << i;
  EXPECT_EQ(diags.errorCount(), all.size() - 2);
}

TEST(JsonInput, RefusesKeysWrittenTwice) {
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("p.json", "{\"a\": 1, \"b\": {\"c\": 1, \"\\u0063\": 2}, \"a\": 3}");
  EXPECT_FALSE(JsonInput(sources, file, diags).parse(""));
  std::vector<Diagnostic> all = diags.sorted(sources);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].code, "duplicate-key");
  EXPECT_EQ(covered(sources, all[0].span), "\"\\u0063\"");
  EXPECT_EQ(covered(sources, all[0].notes.at(0).span), "\"c\"");
  EXPECT_EQ(covered(sources, all[1].span), "\"a\"");
}

TEST(JsonInput, ReportsWhereTheTextStopsBeingJson) {
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("p.json", "{\"a\": 1,\n \"b\" 2}");
  JsonInput in(sources, file, diags);
  EXPECT_FALSE(in.parse("a hint"));
  std::vector<Diagnostic> all = diags.sorted(sources);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].code, "invalid-json");
  EXPECT_EQ(sources.lineCol(file, all[0].span.begin).line, 2u);
  EXPECT_EQ(all[0].hint, "a hint");
}

TEST(JsonInput, RefusesDeepNestingBeforeParsing) {
  SourceManager sources;
  DiagnosticEngine diags;
  FileId file = sources.addBuffer("p.json", std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_FALSE(JsonInput(sources, file, diags).parse(""));
  EXPECT_EQ(diags.sorted(sources).at(0).code, "invalid-json");
}

TEST(PolicyWriter, WrapsCommentsAndFormats) {
  PolicyWriter writer;
  writer.open("filesystem");
  writer.comment(std::string(60, 'a') + " " + std::string(60, 'b'));
  writer.statement("allow read \"/usr\"");
  writer.close();
  SourceManager sources;
  DiagnosticEngine diags;
  std::string out;
  ASSERT_TRUE(writer.finish(sources, "out.policy", diags, out));
  EXPECT_EQ(out, "filesystem {\n  # " + std::string(60, 'a') + "\n  # " + std::string(60, 'b') +
                     "\n  allow read \"/usr\"\n}\n");
}

// The formatter's lexer refuses lines past 64 KiB: a long list is written over many lines,
// broken between tokens only.
TEST(PolicyWriter, BreaksLongListsBetweenTokens) {
  std::string paths;
  for (int i = 0; i < 5000; ++i) paths += (i ? ", \"/data/" : "\"/data/") + std::to_string(i) + "\"";
  PolicyWriter writer;
  writer.open("filesystem");
  writer.statement("allow read \"/a, b\\\", c\", " + paths);
  writer.close();
  SourceManager sources;
  DiagnosticEngine diags;
  std::string out;
  ASSERT_TRUE(writer.finish(sources, "out.policy", diags, out));
  EXPECT_NE(out.find("allow read \"/a, b\\\", c\", \"/data/0\","), std::string::npos);
  EXPECT_NE(out.find("\"/data/4999\"\n}"), std::string::npos);
}

// A comment quotes the input; a line break in it must not end the comment.
TEST(PolicyWriter, KeepsCommentsOnTheirLines) {
  PolicyWriter writer;
  writer.comment("name\n}\nnetwork {\r\n  default allow");
  SourceManager sources;
  DiagnosticEngine diags;
  std::string out;
  ASSERT_TRUE(writer.finish(sources, "out.policy", diags, out));
  EXPECT_EQ(out, "# name } network {    default allow\n");
}

TEST(PolicyWriter, QuotesAndNames) {
  EXPECT_EQ(quoted("a\"b\\c\td"), "\"a\\\"b\\\\c\\td\"");
  EXPECT_TRUE(representable("tab\tand\nnewline"));
  EXPECT_FALSE(representable("carriage\rreturn"));
  EXPECT_EQ(identifier("claude-code"), "claude_code");
  EXPECT_EQ(identifier("1st"), "_1st");
  EXPECT_EQ(identifier(""), "_");
  EXPECT_EQ(identifier("network"), "network_");  // a keyword
  EXPECT_EQ(identifier("networks"), "networks");
  EXPECT_EQ(baseName("/a/b/c.yaml"), "c.yaml");
}

TEST(Importers, LineLists) {
  EXPECT_EQ(lineList({7}), "7");
  EXPECT_EQ(lineList({44, 42, 43, 47, 47}), "42-44, 47");
}

TEST(Importers, KernelVersions) {
  EXPECT_EQ(parseKernelVersion("6.1.0-18-amd64"), (KernelVersion{6, 1}));
  EXPECT_EQ(parseKernelVersion("4.8"), (KernelVersion{4, 8}));
  EXPECT_FALSE(parseKernelVersion("5"));
  EXPECT_FALSE(parseKernelVersion("five.1"));
  EXPECT_LT((KernelVersion{4, 20}), (KernelVersion{5, 4}));
  EXPECT_LT((KernelVersion{5, 4}), (KernelVersion{5, 10}));
  EXPECT_TRUE(runningKernel().has_value());
}

// Inputs that are valid JSON or YAML but nothing like a policy are errors, never crashes.
TEST(Importers, SurviveStrangeInputs) {
  for (const char *text : {"null", "0", "\"x\"", "{\"syscalls\": {}}", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", "
                           "\"syscalls\": [null, 1, {\"names\": [1]}]}"}) {
    SourceManager sources;
    DiagnosticEngine diags;
    std::string out;
    EXPECT_FALSE(importOciSeccomp(sources, sources.addBuffer("p.json", text), {}, diags, out)) << text;
    EXPECT_GT(diags.errorCount(), 0u) << text;
  }
  for (const char *text : {"[]", "version: 1\nnetwork_policies: [1]", "version: [1]", "version: 1\nprocess: x",
                           "version: 1\nnetwork_policies:\n  a: {endpoints: x, binaries: [x]}",
                           "version: 1\nnetwork_policies:\n  a: {endpoints: [{host: [a]}]}",
                           "&a [*a]", "version: 1\nfilesystem_policy: {read_only: [\"/a\\rb\"]}"}) {
    SourceManager sources;
    DiagnosticEngine diags;
    std::string out;
    EXPECT_FALSE(importOpenShell(sources, sources.addBuffer("p.yaml", text), diags, out)) << text;
    EXPECT_GT(diags.errorCount(), 0u) << text;
  }
}

// What yaml-cpp's tree hides is refused before the import reads the tree: aliases that expand
// past the bound (quickly: the 10^9 values below are never expanded), keys written twice, a
// second document.
TEST(Importers, RefuseWhatTheYamlTreeHides) {
  std::string laughs = "version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) laughs += (j ? ", *a" : "*a") + std::to_string(i - 1);
    laughs += "]\n";
  }
  for (auto [text, code] : {std::pair<std::string, std::string>{laughs, "too-large"},
                            {"version: 1\nprocess: &p {run_as_user: *p}", "invalid-yaml"},
                            {"version: 1\nversion: 1", "duplicate-key"},
                            {"version: 1\n---\nversion: 1", "multiple-documents"}}) {
    SourceManager sources;
    DiagnosticEngine diags;
    std::string out;
    EXPECT_FALSE(importOpenShell(sources, sources.addBuffer("p.yaml", text), diags, out)) << text;
    std::vector<Diagnostic> all = diags.sorted(sources);
    ASSERT_EQ(all.size(), 1u) << text;
    EXPECT_EQ(all[0].code, code);
  }
}

}  // namespace
}  // namespace shellc::importers
