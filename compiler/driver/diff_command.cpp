// shellc diff OLD NEW: per layer, each class of request whose decision changed, with a
// witness and the rules that decide it in each version.
#include <iostream>

#include <llvm/Support/FormatVariadic.h>
#include <llvm/Support/JSON.h>

#include "driver/commands.h"
#include "verify/prove.h"

namespace shellc {

void DiffCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("diff", "Show which requests two versions of a policy decide differently");
  app->add_option("old", before, "The policy before")->required();
  app->add_option("new", after, "The policy after")->required();
  app->add_flag("--fail-on-widen", failOnWiden, "Exit 1 when NEW allows a request that OLD denies");
  app->add_flag("--stats", stats, "Print what the verifier's queries cost, by layer and kind, to stderr");
  app->add_option("--format", format, "Output format")->check(CLI::IsMember({"text", "json"}));
  app->add_option("-D,--define", common.defines, "Set a parameter (both versions): -D name=value")->type_name("NAME=VALUE");
  app->add_option("--stdlib", common.stdlib, "Directory of the standard library modules")->type_name("DIR");
}

namespace {

std::string rulesText(const std::vector<std::string> &rules) {
  if (rules.empty()) return "the default";
  std::string out;
  for (const std::string &r : rules) out += (out.empty() ? "" : ", ") + r;
  return out;
}

// " by RULES"; a start taken is taken by no rule (verify/placements.h).
std::string by(const verify::DiffClass &c, const std::vector<std::string> &rules) {
  return c.layer == "placements" && rules.empty() ? "" : " by " + rulesText(rules);
}

void printText(const std::vector<verify::DiffClass> &classes) {
  if (classes.empty()) std::cout << "no request is decided differently\n";
  for (const verify::DiffClass &c : classes)
    std::cout << c.layer << ": " << verify::diffKindText(c.kind) << ": " << c.witness << "\n"
              << "  old: " << c.oldDecision << by(c, c.oldRules) << "\n"
              << "  new: " << c.newDecision << by(c, c.newRules) << "\n"
              << (c.provider.empty() ? ""
                                     : "  the host of provider '" + c.provider +
                                           "', where the router sends its key: the sandbox reaches it directly\n");
}

void printJson(const std::vector<verify::DiffClass> &classes) {
  llvm::json::Array out;
  auto strings = [](const std::vector<std::string> &v) {
    llvm::json::Array a;
    for (const std::string &s : v) a.push_back(s);
    return a;
  };
  for (const verify::DiffClass &c : classes) {
    llvm::json::Object o{{"layer", c.layer},
                         {"kind", verify::diffKindText(c.kind)},
                         {"witness", c.witness},
                         {"old", llvm::json::Object{{"decision", c.oldDecision}, {"rules", strings(c.oldRules)}}},
                         {"new", llvm::json::Object{{"decision", c.newDecision}, {"rules", strings(c.newRules)}}}};
    if (!c.provider.empty()) o["provider"] = c.provider;
    out.push_back(std::move(o));
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(out)));
  std::cout << os.str() << "\n";
}

}  // namespace

int DiffCommand::run(const CommonOptions &common) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOptions options;
  if (!policyOptions(common, options, diags)) return finish(sources, diags, common);
  CheckOutput old = checkPolicyFile(before, options, sources, diags);
  CheckOutput now = checkPolicyFile(after, options, sources, diags);
  if (!old.ok || !now.ok) {
    int code = finish(sources, diags, common);
    return code == kExitOk ? kExitFindings : code;
  }
  verify::ProofStats proofStats;
  std::vector<verify::DiffClass> classes = verify::diffPolicies(old.policy, now.policy, stats ? &proofStats : nullptr);
  if (stats) printProofStats(proofStats);
  if (format == "json") printJson(classes);
  else printText(classes);
  int code = finish(sources, diags, common);
  bool widened = false;
  for (const verify::DiffClass &c : classes) widened = widened || c.kind == verify::DiffClass::Kind::Allowed;
  return code != kExitOk ? code : failOnWiden && widened ? kExitFindings : kExitOk;
}

}  // namespace shellc
