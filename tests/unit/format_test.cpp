#include <gtest/gtest.h>

#include <filesystem>

#include "frontend/format.h"

namespace shellc {
namespace {

std::string format(const std::string &text) {
  SourceManager sources;
  DiagnosticEngine diags;
  std::string out;
  EXPECT_TRUE(formatPolicy(sources, sources.addBuffer("f.policy", text), diags, out));
  return out;
}

TEST(Format, CanonicalLayout) {
  EXPECT_EQ(format("policy   x\nuse std.base\nfilesystem{allow read,exec \"/usr\"  # why\n"
                   "# own line\n\n\n deny write workspace/\".git\"}\nparam p:int=3"),
            "policy x\n\nuse std.base\n\nfilesystem {\n  allow read, exec \"/usr\"  # why\n"
            "  # own line\n\n  deny write workspace / \".git\"\n}\n\nparam p: int = 3\n");
  EXPECT_EQ(format("syscalls { deny socket ( domain in [ AF_PACKET ] ) => errno ( EPERM ) }"),
            "syscalls {\n  deny socket(domain in [AF_PACKET]) => errno(EPERM)\n}\n");
  EXPECT_EQ(format("network { allow \"a.example.com\" : 8000 - 8100 , \"b\":[80,443] }"),
            "network {\n  allow \"a.example.com\":8000-8100, \"b\":[80, 443]\n}\n");
  EXPECT_EQ(format("network{@n deny 10.0.0.0/8}"), "network {\n  @n deny 10.0.0.0/8\n}\n");
}

TEST(Format, WrapsLongListsAtCommas) {
  std::string names;
  for (int i = 0; i < 30; ++i) names += std::string(i ? ", " : "") + "name" + std::to_string(i);
  std::string out = format("syscalls { deny " + names + " }");
  for (size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1)
    EXPECT_LE(end - start, kFormatWidth);
  EXPECT_NE(out.find("\n      name"), std::string::npos);  // 2 + 4 spaces of continuation
  EXPECT_EQ(format(out), out);
}

TEST(Format, IsIdempotentAndCanonicalForStdlibAndExamples) {
  size_t files = 0;
  for (const char *dir : {"stdlib", "examples"}) {
    for (auto &entry : std::filesystem::recursive_directory_iterator(std::string(SHELLC_SOURCE_DIR) + "/" + dir)) {
      if (entry.path().extension() != ".policy") continue;
      SourceManager sources;
      DiagnosticEngine diags;
      std::string once, twice;
      ReadError error;
      FileId file = sources.load(entry.path(), error);
      ASSERT_TRUE(formatPolicy(sources, file, diags, once)) << entry.path();
      EXPECT_EQ(once, sources.text(file)) << entry.path() << " is not canonical: run shellc fmt -i";
      EXPECT_EQ(format(once), once) << entry.path();
      ++files;
    }
  }
  EXPECT_GT(files, 5u);
}

}  // namespace
}  // namespace shellc
