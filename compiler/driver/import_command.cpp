#include <filesystem>
#include <fstream>
#include <iostream>

#include "driver/commands.h"
#include "importers/importers.h"

namespace shellc {

namespace {
bool isYaml(const std::string &path) {
  std::string extension = std::filesystem::path(path).extension().string();
  return extension == ".yaml" || extension == ".yml";
}
}  // namespace

void ImportCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("import", "Translate another sandbox's policy into a shellc policy");
  app->require_subcommand(1);
  ociSeccomp = app->add_subcommand("oci-seccomp", "A Docker, Podman or Kubernetes seccomp profile (JSON)");
  openShell = app->add_subcommand("openshell", "An NVIDIA OpenShell policy (YAML)");
  for (CLI::App *format : {ociSeccomp, openShell}) {
    format->add_option("input", input, "The file to import")->required();
    format->add_option("-o,--output", output, "Write the policy to FILE instead of stdout")->type_name("FILE");
    addCommonOptions(*format, common);
  }
  ociSeccomp->add_option("--kernel", kernel, "Read minKernel conditions for this Linux version (default: the running one)")
      ->type_name("VERSION");
}

int ImportCommand::run(const CommonOptions &common) {
  SourceManager sources;
  DiagnosticEngine diags;
  std::string policy;
  ReadError error;
  FileId file = sources.load(input, error);
  if (file == kNoFile) {
    diags.error("io-error", Span{}, "cannot read '" + input + "': " + error.reason).withHint(error.hint);
    return finish(sources, diags, common);
  }
  bool ok = false;
  if (openShell->parsed()) {
    ok = importers::importOpenShell(sources, file, diags, policy);
  } else {
    auto version = kernel.empty() ? importers::runningKernel() : importers::parseKernelVersion(kernel);
    if (!version) {
      diags.error("usage", Span{}, "--kernel needs a version such as 5.10, not '" + kernel + "'");
      return finish(sources, diags, common);
    }
    ok = importers::importOciSeccomp(sources, file, importers::OciSeccompOptions{*version}, diags, policy);
  }
  // With --werror a warning fails the import: nothing is written.
  if (!ok || (common.werror && diags.warningCount() > 0)) return finish(sources, diags, common);
  if (output.empty()) {
    std::cout << policy;
  } else {
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << policy;
    if (!out) diags.error("io-error", Span{}, "cannot write '" + output + "'");
    else if (common.verbose) std::cout << "imported " << input << " into " << output << "\n";
  }
  return finish(sources, diags, common);
}

std::vector<std::string> importYamlInputs(const std::vector<std::string> &inputs, SourceManager &sources,
                                          DiagnosticEngine &diags) {
  std::vector<std::string> out;
  for (const std::string &input : inputs) {
    std::string policy;
    ReadError error;
    FileId file = isYaml(input) ? sources.load(input, error) : kNoFile;
    if (!isYaml(input) || file == kNoFile) {
      out.push_back(input);  // checkInputs reports what it cannot read
      continue;
    }
    if (!importers::importOpenShell(sources, file, diags, policy)) continue;
    sources.addOverlay(input, input + " (imported)", policy);
    out.push_back(input);
  }
  return out;
}

}  // namespace shellc
