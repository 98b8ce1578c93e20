#pragma once
#include <functional>
#include <set>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "backends/bundle.h"
#include "frontend/check.h"
#include "support/diagnostics.h"
#include "verify/placements.h"
#include "verify/prove.h"

namespace shellc {

// Exit codes, documented in docs/cli.md.
constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;

struct CommonOptions {
  std::vector<std::string> defines;  // -D name=value
  std::string stdlib;
  std::string format = "text";
  std::string color = "auto";
  bool werror = false;
  bool verbose = false;
};

// Expands directories into the .policy files below them, sorted; reports missing inputs.
bool expandInputs(const std::vector<std::string> &inputs, std::vector<std::string> &files,
                  std::string &error);

// The -D values (malformed ones are usage errors) and the stdlib directory of a command line.
bool policyOptions(const CommonOptions &common, CheckOptions &options, DiagnosticEngine &diags);
// -D names that none of the `declared` parameters has are errors, with a "did you mean".
void reportUnknownDefines(const CheckOptions &options, const std::set<std::string> &declared,
                          DiagnosticEngine &diags);
// Checks each input (a policy file, or a directory of them) as the root of a policy, and
// calls `clean` with each policy that has no error. False on a usage or I/O error.
bool checkInputs(const std::vector<std::string> &inputs, const CommonOptions &common, SourceManager &sources,
                 DiagnosticEngine &diags, const std::function<void(const std::string &, const CheckOutput &)> &clean);

// Splits the -D options into `out`; a malformed one is a usage error.
bool parseDefines(const std::vector<std::string> &defines, std::map<std::string, std::string> &out,
                  DiagnosticEngine &diags);

// Renders the run's diagnostics and computes the exit code from them.
int finish(const SourceManager &sources, const DiagnosticEngine &diags, const CommonOptions &common);

// --stats: what the verifier's queries cost, by layer and kind, to stderr.
void printProofStats(const verify::ProofStats &stats);

// How a bundle names the policy's files: relative to the working directory, the stdlib's as
// <stdlib>/…, so that a bundle's bytes do not depend on where the checkout lies.
backends::SourceNames sourceNames(const std::string &stdlibDir);

// The starts the policy's asserts and tests do not cover (verify::placementAssumptions) and
// the paths they name (verify::namedPaths), as the bundle records them for shellrt.
backends::Placements startPlacements(const ir::Policy &policy, const backends::SourceNames &names);
// `text` naming the policy's files as the bundle names them (the same bytes from any
// checkout), cut to at most 2,000 bytes.
std::string portableText(std::string text, const ir::Policy &policy, const backends::SourceNames &names);

struct CheckCommand {
  std::vector<std::string> inputs;
  std::string within;  // --within CEILING: prove each input allows nothing CEILING forbids
  bool noProofs = false;  // --no-proofs: syntax, names, values and tests only (fast)
  bool stats = false;
  CLI::App *app = nullptr;
  void attach(CLI::App &parent, CommonOptions &common);
  int run(const CommonOptions &common);
};

struct DiffCommand {
  std::string before, after;
  bool failOnWiden = false;
  bool stats = false;
  std::string format = "text";
  CLI::App *app = nullptr;
  void attach(CLI::App &parent, CommonOptions &common);
  int run(const CommonOptions &common);
};

struct FmtCommand {
  std::vector<std::string> inputs;
  bool check = false;
  bool inPlace = false;
  CLI::App *app = nullptr;
  void attach(CLI::App &parent, CommonOptions &common);
  int run(const CommonOptions &common);
};

struct TestCommand {
  std::vector<std::string> inputs;
  CLI::App *app = nullptr;
  void attach(CLI::App &parent, CommonOptions &common);
  int run(const CommonOptions &common);
};

struct ExplainCommand {
  std::string input;
  std::string request;
  CLI::App *app = nullptr;
  void attach(CLI::App &parent, CommonOptions &common);
  int run(const CommonOptions &common);
};

struct BuildCommand {
  std::string input;
  std::string output;
  std::vector<std::string> emit;
  std::string signingKey;
  CLI::App *app = nullptr;
  void attach(CLI::App &parent, CommonOptions &common);
  int run(const CommonOptions &common);
  bool sign(const std::string &bundle, DiagnosticEngine &diags);
};

struct ImportCommand {
  std::string input;
  std::string output;
  std::string kernel;
  CLI::App *app = nullptr, *ociSeccomp = nullptr, *openShell = nullptr;
  void attach(CLI::App &parent, CommonOptions &common);
  int run(const CommonOptions &common);
};

// For `shellc check`: each OpenShell YAML input (*.yaml, *.yml) is imported in memory, so that
// checking the path checks the policy it becomes. Returns the inputs to check: those that
// failed to import (their errors reported) are left out.
std::vector<std::string> importYamlInputs(const std::vector<std::string> &inputs, SourceManager &sources,
                                          DiagnosticEngine &diags);

struct RunCommand {
  std::string input, workspace, auditLog;
  std::vector<std::string> command;
  CLI::App *app = nullptr;
  void attach(CLI::App &parent, CommonOptions &common);
  int run(const CommonOptions &common);
};

void addCommonOptions(CLI::App &command, CommonOptions &common);

}  // namespace shellc
