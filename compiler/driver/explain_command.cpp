#include <algorithm>
#include <iostream>

#include "driver/commands.h"
#include "verify/placements.h"
#include "verify/requests.h"

namespace shellc {

void ExplainCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("explain", "Decide one request and show every rule that matched it");
  app->add_option("policy", input, "Policy file")->required();
  app->add_option("request", request, "A request as a test writes it, e.g. 'connect \"api.github.com\":443'")
      ->required();
  addCommonOptions(*app, common);
}

namespace {

// One decision, then each rule that matched it: its identity, what it does, and its line.
void printVerdict(const SourceManager &sources, const std::string &label, const verify::Verdict &v) {
  std::cout << label << ": " << v.decision << (v.reason.empty() ? "" : " (" + v.reason + ")") << "\n";
  for (const verify::MatchedRule &rule : v.rules) {
    std::string_view line = sources.lineText(rule.id->span.file, rule.id->span.begin);
    line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
    std::cout << "  " << (rule.decided ? "decided by " : "overridden: ") << verify::ruleLabel(*rule.id)
              << ": " << rule.effect << "\n"
              << "      " << line << "\n";
  }
  for (const ir::Budget *b : v.budgets) {
    std::string_view line = sources.lineText(b->id.span.file, b->id.span.begin);
    line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
    std::cout << "  counted by " << verify::ruleLabel(b->id) << ": at most " << b->cap << " "
              << ir::measureWord(b->measure) << " on "
              << (b->provider.empty() ? "the session" : "provider '" + b->provider + "'") << "\n"
              << "      " << line << "\n";
  }
}

// A system call is decided on each architecture: the policy may differ between them, and a
// request may stand for one (when its constants differ, one per arch the policy targets).
void printSyscall(const SourceManager &sources, const ir::Policy &policy,
                  const std::vector<ir::Request> &variants) {
  const std::vector<ir::Arch> &targeted = policy.syscalls.arches;
  for (ir::Arch arch : ir::kAllArches) {
    std::vector<verify::Verdict> verdicts;
    for (const ir::Request &request : variants) {
      auto decided = verify::decide(policy, request, std::span(&arch, 1));
      verdicts.insert(verdicts.end(), decided.begin(), decided.end());
    }
    bool exists = variants.front().syscallNumbers.count(arch) > 0;
    if (verdicts.empty() && exists && std::find(targeted.begin(), targeted.end(), arch) == targeted.end()) {
      // No filter is built for this arch: every call kills, whatever its arguments.
      ir::Request anyArguments = variants.front();
      anyArguments.arch.reset();
      verdicts = verify::decide(policy, anyArguments, std::span(&arch, 1));
    }
    for (const verify::Verdict &v : verdicts) printVerdict(sources, ir::archName(arch), v);
    if (verdicts.empty())
      std::cout << ir::archName(arch) << ": "
                << (exists ? "the request's constants do not exist here" : "no such call on this architecture")
                << "\n";
  }
}

// Where the sandbox's start-up directories lie can change a file's decision (docs/language.md
// §7): each start that decides it the other way, and whether shellrt takes it.
void printPlacedVerdicts(const ir::Policy &policy, const ir::Request &request) {
  std::vector<verify::PlacedVerdict> placed = verify::placedVerdicts(policy, request);
  if (placed.empty()) return;
  std::cout << "where the sandbox starts, it is decided otherwise:\n";
  for (const verify::PlacedVerdict &p : placed) {
    std::cout << "  " << p.where << ": " << p.decision;
    for (size_t i = 0; i < p.deciding.size(); ++i) std::cout << (i ? ", " : " by ") << p.deciding[i];
    if (p.refusedWhy.empty()) std::cout << "\n";
    else std::cout << "\n      shellrt refuses this start: " << p.refusedWhy << "\n";
  }
}

}  // namespace

int ExplainCommand::run(const CommonOptions &common) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOptions options;
  std::vector<ir::Request> requests;
  if (!policyOptions(common, options, diags)) return finish(sources, diags, common);
  CheckOutput out = checkPolicyAndRequest(input, request, options, sources, diags, requests);
  if (!out.declaredParams.empty() || out.ok) reportUnknownDefines(options, out.declaredParams, diags);
  if (out.ok && !requests.empty()) {
    if (requests.front().kind == ir::Request::Kind::Syscall) printSyscall(sources, out.policy, requests);
    else {
      printVerdict(sources, "decision", verify::decide(out.policy, requests.front(), {}).front());
      printPlacedVerdicts(out.policy, requests.front());
    }
  }
  return finish(sources, diags, common);
}

}  // namespace shellc
