#include <algorithm>
#include <iostream>

#include <llvm/ADT/StringExtras.h>

#include "backends/filesystem_plan.h"
#include "driver/commands.h"
#include "verify/assumptions.h"
#include "verify/placements.h"
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

namespace {

// The Landlock ABI that enforces every right the policy's rules use: under `best_effort`, an
// older kernel leaves the newer rights unenforced (shellrt says which when it starts).
std::vector<std::string> landlockAssumption(const ir::Policy &policy) {
  backends::FilesystemPlan plan = backends::planFilesystem(policy.filesystem);
  if (!plan.landlock || policy.filesystem.compatibility == ir::Compatibility::HardRequirement) return {};
  uint64_t used = 0;
  for (const ir::FsRule &rule : policy.filesystem.rules) used |= backends::landlockBits(rule.access);
  int abi = 1;
  for (const backends::LandlockRight &right : backends::landlockFsRights())
    if (used & right.bit) abi = std::max(abi, right.abi);
  if (abi == 1) return {};
  return {"the kernel's Landlock ABI is " + std::to_string(abi) +
          " or later, which enforces every right the rules use (`compatibility best_effort` starts on an older "
          "kernel with the newer rights unenforced; `hard_requirement` refuses it)"};
}

// "A", "B" or "C".
std::string listed(const std::vector<std::string> &items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  return out;
}

// The starts shellrt refuses, as a reader takes them in: those that break one assert or test
// on one request are one line, naming each directory once ("with the workspace inside "A" or
// "B""), the rules that decide it there after. A start with the workspace inside a home that
// lies in a directory listed for the workspace says nothing more, and is left out.
void printStartAssumptions(const ir::Policy &policy, const backends::SourceNames &names) {
  struct Line {
    std::string claim;
    std::vector<std::string> rules, workspaceDirs, homeDirs, others;
  };
  std::vector<Line> lines;
  for (const verify::Assumption &a : verify::placementAssumptions(policy)) {
    std::string claim = portableText(a.claim, policy, names);
    auto line = std::find_if(lines.begin(), lines.end(), [&](const Line &l) { return l.claim == claim; });
    if (line == lines.end()) line = lines.insert(lines.end(), {claim, {}, {}, {}, {}});
    for (const std::string &deciding : a.deciding) {
      std::string rule = portableText(deciding, policy, names);
      if (std::find(line->rules.begin(), line->rules.end(), rule) == line->rules.end()) line->rules.push_back(rule);
    }
    std::vector<std::pair<ir::PathRoot, ir::Path>> starts = verify::startConditions(a.placement);
    if (starts.size() > 1) line->others.push_back(a.placement.text);
    else (starts.front().first == ir::PathRoot::Workspace ? line->workspaceDirs : line->homeDirs).push_back("\"" + starts.front().second.display() + "\"");
  }
  for (Line &l : lines) {
    std::erase_if(l.others, [&](const std::string &where) {
      return std::any_of(l.workspaceDirs.begin(), l.workspaceDirs.end(),
                         [&](const std::string &dir) { return where.starts_with("with the home inside " + dir + " "); });
    });
    std::vector<std::string> wheres;
    if (!l.workspaceDirs.empty()) wheres.push_back("with the workspace inside " + listed(l.workspaceDirs));
    if (!l.homeDirs.empty()) wheres.push_back("with the home inside " + listed(l.homeDirs));
    wheres.insert(wheres.end(), l.others.begin(), l.others.end());
    std::cout << "assumed: the sandbox never starts " << listed(wheres) << ", " << l.claim
              << (l.rules.empty() ? "" : " by " + llvm::join(l.rules, ", ")) << "\n";
  }
}

// What the proofs take for granted and no check makes exact (docs/language.md §17).
std::vector<std::string> provedAssuming(const ir::Policy &policy) {
  std::vector<std::string> out = verify::representativeAssumptions(policy);
  std::vector<std::string> landlock = landlockAssumption(policy);
  out.insert(out.end(), landlock.begin(), landlock.end());
  return out;
}

}  // namespace

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
    printStartAssumptions(p, sourceNames(library.stdlibDir));
    for (const std::string &assumption : provedAssuming(p)) std::cout << "proved assuming: " << assumption << "\n";
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
