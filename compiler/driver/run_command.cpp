#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "backends/bundle.h"
#include "driver/commands.h"
#include "frontend/check.h"
#include "frontend/modules.h"

namespace fs = std::filesystem;

namespace shellc {

void RunCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("run", "Run a command under a policy or a bundle (hands over to shellrt)");
  app->add_option("policy", input, "A policy (compiled first) or a bundle")->required();
  app->add_option("--workspace", workspace, "The workspace directory")->default_val(".");
  app->add_option("--audit-log", auditLog, "Write the audit log here (- for stderr)");
  app->add_option("command", command, "The command, after --")->required();
  addCommonOptions(*app, common);
}

namespace {
bool isBundle(const std::string &path) {
  if (path.size() > 7 && path.substr(path.size() - 7) == ".bundle") return true;
  ReadError unreadable;  // reported when the path is then loaded as a policy
  int fd = openSourceFile(path, unreadable);
  if (fd < 0) return false;
  char head[64] = {};
  ssize_t n = read(fd, head, sizeof head - 1);
  close(fd);
  return n > 0 && std::string(head).find("\"compiler\"") != std::string::npos;
}
}  // namespace

int RunCommand::run(const CommonOptions &common) {
  std::string bundlePath = input;
  if (!isBundle(input)) {
    SourceManager sources;
    DiagnosticEngine diags;
    CheckOptions options;
    options.toRun = true;
    if (!policyOptions(common, options, diags)) return finish(sources, diags, common);
    CheckOutput checked = checkPolicyFile(input, options, sources, diags);
    backends::Bundle bundle;
    std::string error;
    backends::SourceNames names = sourceNames(options.stdlibDir);
    if (checked.ok && !backends::buildBundle(checked.policy, sources, names, SHELLC_VERSION, bundle, error,
                                             startPlacements(checked.policy, names)))
      diags.error("backend-limit", Span{}, error);
    if (!checked.ok || diags.hasErrors()) return finish(sources, diags, common);
    // The bundle lives in memory: shellrt reads it through /proc/self/fd, and it is gone
    // when the sandbox ends.
    int fd = memfd_create("shellc-bundle", 0);
    std::string text = backends::canonicalJson(bundle.json);
    if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      std::cerr << "shellc: cannot hold the bundle in memory: " << std::strerror(errno) << "\n";
      return kExitUsage;
    }
    bundlePath = "/proc/self/fd/" + std::to_string(fd);
  }
  std::error_code ec;
  std::string shellrt = (fs::read_symlink("/proc/self/exe", ec).parent_path() / "shellrt").string();
  std::vector<std::string> args = {shellrt, bundlePath, "--workspace", workspace};
  if (!auditLog.empty()) args.insert(args.end(), {"--audit-log", auditLog});
  args.push_back("--");
  args.insert(args.end(), command.begin(), command.end());
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(shellrt.c_str(), argv.data());
  std::cerr << "shellc: cannot start " << shellrt << ": " << std::strerror(errno) << "\n";
  return kExitUsage;
}

}  // namespace shellc
