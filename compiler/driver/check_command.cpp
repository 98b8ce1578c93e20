#include <iostream>

#include "driver/commands.h"
#include "verify/prove.h"
#include "verify/tests.h"

namespace shellc {

void CheckCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("check", "Check policies: syntax, modules, parameters, values");
  app->add_option("inputs", inputs, "Policy files or directories; OpenShell *.yaml files are imported first")
      ->required();
  app->add_flag("--no-proofs", noProofs,
                "Skip the Z3 proofs (asserts, dead and redundant rules, cross-layer): for hooks that must be instant");
  app->add_flag("--stats", stats, "Print what the verifier's queries cost, by layer and kind, to stderr");
  app->add_option("--within", within, "Prove that each policy allows nothing this ceiling policy forbids")
      ->type_name("CEILING");
  addCommonOptions(*app, common);
}

int CheckCommand::run(const CommonOptions &common) {
  SourceManager sources;
  DiagnosticEngine diags;
  std::vector<std::string> policies = importYamlInputs(inputs, sources, diags);
  CheckOutput ceiling;
  if (!within.empty()) {
    CheckOptions options;
    if (policyOptions(common, options, diags)) ceiling = checkPolicyFile(within, options, sources, diags);
    if (!ceiling.ok) return finish(sources, diags, common);
  }
  CheckOptions library;
  policyOptions(common, library, diags);
  verify::ProofStats proofStats;
  verify::ProofStats *statsOut = stats ? &proofStats : nullptr;
  checkInputs(policies, common, sources, diags, [&](const std::string &file, const CheckOutput &out) {
    const ir::Policy &p = out.policy;
    verify::reportFailedTests(verify::runTests(p), diags);
    if (!noProofs) verify::provePolicy(p, diags, library.stdlibDir, statsOut);
    if (ceiling.ok) verify::proveWithin(p, ceiling.policy, diags, statsOut);
    if (!common.verbose) return;
    // What the proofs take for granted about where the sandbox starts: shellrt refuses the rest.
    for (const backends::StartRefusal &r : startPlacements(p, sourceNames(library.stdlibDir)).refused)
      std::cout << "assumed: the sandbox never starts " << r.why << "\n";
    std::cout << "checked " << file << ": " << p.files.size() << " file(s), "
              << p.filesystem.rules.size() << " filesystem, " << p.syscalls.rules.size()
              << " syscall, " << p.network.rules.size() << " network, "
              << p.inference.routes.size() << " route rules; " << p.asserts.size()
              << " asserts, " << p.tests.size() << " tests\n";
  });
  if (stats) printProofStats(proofStats);
  return finish(sources, diags, common);
}

}  // namespace shellc
