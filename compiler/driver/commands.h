#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "frontend/diagnostics.h"

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

// Renders the run's diagnostics and computes the exit code from them.
int finish(const SourceManager &sources, const DiagnosticEngine &diags, const CommonOptions &common);

struct CheckCommand {
  std::vector<std::string> inputs;
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

int runSelected(CLI::App &app, const CommonOptions &common, CheckCommand &check, FmtCommand &fmt);
void addCommonOptions(CLI::App &command, CommonOptions &common);

}  // namespace shellc
