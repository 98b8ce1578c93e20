#include <iostream>

#include "driver/commands.h"
#include "verify/tests.h"

namespace shellc {

void TestCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("test", "Run the test blocks of policies and report each test");
  app->add_option("inputs", inputs, "Policy files or directories")->required();
  addCommonOptions(*app, common);
}

namespace {

// A request as written, on one line however it was laid out.
std::string sourceText(const SourceManager &sources, Span span) {
  std::string out;
  for (char c : sources.text(span.file).substr(span.begin, span.end - span.begin)) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (!space) out += c;
    else if (!out.empty() && out.back() != ' ') out += ' ';
  }
  return out;
}

// Where the failing expectation is, the request, what it expected and got, and the rules
// that matched it.
void printFailure(const SourceManager &sources, const verify::ExpectationFailure &failure) {
  const ir::Expectation &e = *failure.expectation;
  std::cout << "  " << sources.name(e.span.file) << ":" << sources.lineCol(e.span.file, e.span.begin).line
            << ": " << sourceText(sources, e.request.span) << "\n"
            << "    expected: " << verify::expectedText(e) << "\n"
            << "    actual:   " << verify::actualText(failure) << "\n";
  std::vector<verify::MatchedRule> rules = verify::matchedRules(failure);
  for (const verify::MatchedRule &rule : rules)
    std::cout << "    matched:  " << verify::ruleLabel(*rule.id) << ": " << rule.effect
              << (rule.decided ? " (decided)" : " (overridden)") << "\n";
  if (rules.empty() && failure.problem.empty()) std::cout << "    matched:  no rule\n";
}

}  // namespace

int TestCommand::run(const CommonOptions &common) {
  SourceManager sources;
  DiagnosticEngine diags;
  // With several policies, each one's results follow its name. (checkInputs reports errors.)
  std::vector<std::string> files;
  std::string error;
  expandInputs(inputs, files, error);
  bool severalFiles = files.size() > 1;
  size_t passed = 0, failed = 0;
  auto runPolicy = [&](const std::string &file, const CheckOutput &out) {
    // The same module's tests run once per policy that uses it, with that policy's rules.
    if (severalFiles) std::cout << file << ":\n";
    for (const verify::TestResult &result : verify::runTests(out.policy)) {
      std::cout << (result.passed() ? "PASS " : "FAIL ") << result.test->name << "\n";
      for (const verify::ExpectationFailure &failure : result.failures) printFailure(sources, failure);
      ++(result.passed() ? passed : failed);
    }
  };
  bool usable = checkInputs(inputs, common, sources, diags, runPolicy);
  int code = finish(sources, diags, common);
  if (!usable) return code;
  std::cout << passed << " passed, " << failed << " failed\n";
  return code != kExitOk ? code : failed > 0 ? kExitFindings : kExitOk;
}

}  // namespace shellc
