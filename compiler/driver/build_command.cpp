#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "backends/bundle.h"
#include "backends/bundle_signature.h"
#include "backends/network_plan.h"
#include "backends/seccomp_json.h"
#include "driver/commands.h"
#include "frontend/check.h"
#include "frontend/modules.h"

namespace fs = std::filesystem;

namespace shellc {

namespace {
const std::vector<std::string> kArtifacts = {"seccomp-bpf", "seccomp-asm", "oci-seccomp", "landlock",
                                             "mounts",      "egress",      "routes",      "nft"};

bool writeFile(const std::string &path, const std::string &contents, DiagnosticEngine &diags) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) diags.error("io-error", Span{}, "cannot write '" + path + "'");
  return static_cast<bool>(out);
}
}  // namespace

// Signs before anything is written: a failed signature leaves no unsigned bundle behind.
bool BuildCommand::sign(const std::string &bundle, DiagnosticEngine &diags) {
  std::string key, signature, error;
  std::ifstream in(signingKey, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  key = text.str();
  if (!in || key.size() > (1u << 16)) {
    diags.error("io-error", Span{}, "cannot read the signing key '" + signingKey + "'");
    return false;
  }
  if (!backends::signBundle(bundle, key, signature, error)) {
    diags.error("invalid-key", Span{}, signingKey + ": " + error);
    return false;
  }
  return writeFile(output + ".sig", signature, diags);
}

void BuildCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("build", "Compile a policy into a bundle (and, with --emit, single artifacts)");
  app->add_option("policy", input, "The policy file")->required();
  app->add_option("-o,--output", output, "The bundle to write (NAME.bundle)")->required();
  app->add_option("--emit", emit, "Also write artifacts beside the bundle: " + [] {
    std::string list;
    for (auto &a : kArtifacts) list += (list.empty() ? "" : ", ") + a;
    return list;
  }())->delimiter(',')->check(CLI::IsMember(kArtifacts));
  app->add_option("--sign", signingKey,
                  "Sign the bundle with this Ed25519 private key (PEM): writes NAME.bundle.sig beside it, "
                  "which `shellrt --trust PUBKEY` checks");
  addCommonOptions(*app, common);
}

int BuildCommand::run(const CommonOptions &common) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOptions options;
  options.toRun = true;
  if (!policyOptions(common, options, diags)) return finish(sources, diags, common);
  std::error_code ec;
  // What exists but cannot be read (a loop of links) the loader reports, with the reason.
  if (fs::status(input, ec).type() == fs::file_type::not_found) {
    diags.error("io-error", Span{}, "no such file: " + input);
    return finish(sources, diags, common);
  }
  CheckOutput checked = checkPolicyFile(input, options, sources, diags);
  if (!checked.ok) return finish(sources, diags, common);

  backends::SourceNames names = sourceNames(options.stdlibDir);
  backends::Bundle bundle;
  std::string error;
  if (!backends::buildBundle(checked.policy, sources, names, SHELLC_VERSION, bundle, error,
                             startPlacements(checked.policy, names))) {
    diags.error("backend-limit", Span{}, error).withHint("split argument conditions, or move rules to `default`");
    return finish(sources, diags, common);
  }
  std::string text = backends::canonicalJson(bundle.json);
  if (!signingKey.empty() && !sign(text, diags)) return finish(sources, diags, common);
  if (signingKey.empty()) fs::remove(output + ".sig", ec);  // a stale signature would only mislead
  writeFile(output, text, diags);

  // `-o out/NAME.bundle` -> `out/NAME.<artifact>`
  std::string base = output.size() > 7 && output.substr(output.size() - 7) == ".bundle"
                         ? output.substr(0, output.size() - 7) : output;
  const llvm::json::Object &sections = *bundle.json.getAsObject();
  for (const std::string &kind : emit) {
    if (kind == "seccomp-bpf" || kind == "seccomp-asm") {
      for (auto &[arch, program] : bundle.seccomp) {
        bool raw = kind == "seccomp-bpf";
        writeFile(base + ".seccomp." + ir::archName(arch) + (raw ? ".bpf" : ".asm"),
                  raw ? backends::programBytes(program) : bpf::disassemble(program), diags);
      }
    } else if (kind == "oci-seccomp") {
      std::vector<std::string> problems;
      writeFile(base + ".oci-seccomp.json",
                backends::canonicalJson(backends::ociSeccompJson(checked.policy.syscalls, names, problems)), diags);
      for (const std::string &p : problems)
        diags.warning("oci-inexact", Span{}, "the OCI profile cannot express a rule exactly: " + p)
            .withHint("compare the argument with one operator, or use the bundle's own filter");
    } else if (kind == "nft") {
      writeFile(base + ".nft", backends::nftRuleset(checked.policy.network, names, checked.policy.name), diags);
    } else {
      writeFile(base + "." + kind + ".json", backends::canonicalJson(*sections.get(kind)), diags);
    }
  }
  if (common.verbose) {
    std::cout << "wrote " << output;
    for (auto &[arch, program] : bundle.seccomp)
      std::cout << "; " << ir::archName(arch) << " seccomp " << program.size() << " instructions";
    std::cout << "\n";
  }
  return finish(sources, diags, common);
}

}  // namespace shellc
