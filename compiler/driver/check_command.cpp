#include <iostream>

#include "driver/commands.h"
#include "frontend/check.h"
#include "frontend/modules.h"

namespace shellc {

void CheckCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("check", "Check policies: syntax, modules, parameters, values");
  app->add_option("inputs", inputs, "Policy files or directories")->required();
  addCommonOptions(*app, common);
}

// Splits the -D options; malformed ones are usage errors.
bool parseDefines(const std::vector<std::string> &defines, std::map<std::string, std::string> &out,
                  DiagnosticEngine &diags) {
  for (const std::string &d : defines) {
    size_t eq = d.find('=');
    if (eq == std::string::npos || eq == 0) {
      diags.error("usage", Span{}, "-D needs NAME=VALUE, got '" + d + "'");
      return false;
    }
    out[d.substr(0, eq)] = d.substr(eq + 1);
  }
  return true;
}

int CheckCommand::run(const CommonOptions &common) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOptions options;
  options.stdlibDir = common.stdlib.empty() ? ModuleLoader::defaultStdlibDir() : common.stdlib;
  std::vector<std::string> files;
  std::string error;
  if (!parseDefines(common.defines, options.defines, diags)) return finish(sources, diags, common);
  if (!expandInputs(inputs, files, error)) {
    diags.error("io-error", Span{}, error);
    return finish(sources, diags, common);
  }
  std::set<std::string> declared;
  bool allLoaded = true;
  for (const std::string &file : files) {
    CheckOutput out = checkPolicyFile(file, options, sources, diags);
    allLoaded &= !out.declaredParams.empty() || out.ok;
    declared.insert(out.declaredParams.begin(), out.declaredParams.end());
    if (common.verbose && out.ok) {
      const ir::Policy &p = out.policy;
      std::cout << "checked " << file << ": " << p.files.size() << " file(s), "
                << p.filesystem.rules.size() << " filesystem, " << p.syscalls.rules.size()
                << " syscall, " << p.network.rules.size() << " network, "
                << p.inference.routes.size() << " route rules; " << p.asserts.size()
                << " asserts, " << p.tests.size() << " tests\n";
    }
  }
  if (allLoaded) {
    std::vector<std::string_view> names(declared.begin(), declared.end());
    for (auto &[name, value] : options.defines) {
      if (declared.count(name)) continue;
      Diagnostic &d = diags.error("unknown-param", Span{}, "-D " + name + ": no checked policy declares this parameter");
      std::string guess = didYouMean(name, names);
      if (!guess.empty()) d.withHint(guess);
    }
  }
  return finish(sources, diags, common);
}

}  // namespace shellc
