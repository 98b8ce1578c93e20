#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "driver/commands.h"
#include "frontend/modules.h"

namespace fs = std::filesystem;

namespace shellc {

void addCommonOptions(CLI::App &command, CommonOptions &common) {
  command.add_option("-D,--define", common.defines, "Set a parameter: -D name=value")
      ->type_name("NAME=VALUE");
  command.add_option("--stdlib", common.stdlib, "Directory of the standard library modules")
      ->type_name("DIR");
  command.add_option("--format", common.format, "Diagnostics format")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  command.add_option("--color", common.color, "Colour the text diagnostics")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command.add_flag("--werror", common.werror, "Treat warnings as errors (exit 1)");
  command.add_flag("-v,--verbose", common.verbose, "Say what was done");
}

namespace {
// Whether the loader is to read `status`'s file: a regular one, or one whose type cannot be
// known (a loop of links), so that the loader says why it cannot read it.
bool toRead(fs::file_status status) { return fs::is_regular_file(status) || !fs::status_known(status); }

// The .policy files below `dir`, sorted. Links to directories are not followed, so that a
// loop of links cannot make the walk recur; a directory that cannot be listed is an error
// that names it, never files silently left out.
bool expandDirectory(const std::string &dir, std::vector<std::string> &files, std::string &error) {
  std::vector<std::string> found;
  std::error_code ec;
  fs::path walking = dir;  // the directory being listed, or entered next
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::error_code unknown;  // status_known() says it
    // The walk enters this entry next if it is a directory, else goes on in its parent.
    walking = fs::is_directory(it->symlink_status(unknown)) ? it->path() : it->path().parent_path();
    if (it->path().extension() == ".policy" && toRead(it->status(unknown))) found.push_back(it->path().string());
  }
  if (ec) {
    error = "cannot read directory '" + walking.string() + "': " + ec.message();
    return false;
  }
  std::sort(found.begin(), found.end());
  files.insert(files.end(), found.begin(), found.end());
  return true;
}
}  // namespace

bool expandInputs(const std::vector<std::string> &inputs, std::vector<std::string> &files,
                  std::string &error) {
  for (const std::string &input : inputs) {
    std::error_code unknown;  // status_known() says it
    fs::file_status status = fs::status(input, unknown);
    if (fs::is_directory(status)) {
      if (!expandDirectory(input, files, error)) return false;
    } else if (fs::exists(status) || !fs::status_known(status)) {
      files.push_back(input);  // the loader says what it cannot read
    } else {
      error = "no such file or directory: " + input;
      return false;
    }
  }
  return true;
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

bool policyOptions(const CommonOptions &common, CheckOptions &options, DiagnosticEngine &diags) {
  options.stdlibDir = common.stdlib.empty() ? ModuleLoader::defaultStdlibDir() : common.stdlib;
  return parseDefines(common.defines, options.defines, diags);
}

void reportUnknownDefines(const CheckOptions &options, const std::set<std::string> &declared,
                          DiagnosticEngine &diags) {
  std::vector<std::string_view> names(declared.begin(), declared.end());
  for (auto &[name, value] : options.defines) {
    if (declared.count(name)) continue;
    Diagnostic &d = diags.error("unknown-param", Span{}, "-D " + name + ": no checked policy declares this parameter");
    std::string guess = didYouMean(name, names);
    if (!guess.empty()) d.withHint(guess);
  }
}

bool checkInputs(const std::vector<std::string> &inputs, const CommonOptions &common, SourceManager &sources,
                 DiagnosticEngine &diags, const std::function<void(const std::string &, const CheckOutput &)> &clean) {
  CheckOptions options;
  if (!policyOptions(common, options, diags)) return false;
  std::vector<std::string> files;
  std::string error;
  if (!expandInputs(inputs, files, error)) {
    diags.error("io-error", Span{}, error);
    return false;
  }
  std::set<std::string> declared;
  bool allLoaded = true;  // else some parameters are unknown, and so are the -D names to report
  for (const std::string &file : files) {
    CheckOutput out = checkPolicyFile(file, options, sources, diags);
    allLoaded &= !out.declaredParams.empty() || out.ok;
    declared.insert(out.declaredParams.begin(), out.declaredParams.end());
    if (out.ok) clean(file, out);
  }
  if (allLoaded) reportUnknownDefines(options, declared, diags);
  return true;
}

int finish(const SourceManager &sources, const DiagnosticEngine &diags, const CommonOptions &common) {
  std::vector<Diagnostic> all = diags.sorted(sources);
  RenderOptions options;
  options.format = common.format == "json"    ? DiagnosticFormat::Json
                   : common.format == "sarif" ? DiagnosticFormat::Sarif
                                              : DiagnosticFormat::Text;
  options.color = common.color == "always" || (common.color == "auto" && isatty(STDERR_FILENO));
  options.toolVersion = SHELLC_VERSION;
  std::string out;
  renderDiagnostics(sources, all, options, out);
  if (options.format == DiagnosticFormat::Text) std::cerr << out;
  else std::cout << out;
  bool usage = std::any_of(all.begin(), all.end(), [](const Diagnostic &d) { return d.code == "io-error" || d.code == "usage"; });
  if (usage) return kExitUsage;
  if (diags.hasErrors() || (common.werror && diags.warningCount() > 0)) return kExitFindings;
  return kExitOk;
}

void printProofStats(const verify::ProofStats &stats) {
  std::fprintf(stderr, "%-22s %-28s %8s %10s %10s\n", "layer", "query", "count", "total ms", "slowest ms");
  double total = 0;
  for (const verify::QueryCost &c : stats) {
    std::fprintf(stderr, "%-22s %-28s %8d %10.1f %10.2f\n", c.layer.c_str(), c.kind.c_str(), c.queries,
                 c.seconds * 1e3, c.slowest * 1e3);
    total += c.seconds;
  }
  std::fprintf(stderr, "%-22s %-28s %8s %10.1f\n", "all", "", "", total * 1e3);
}

backends::SourceNames sourceNames(const std::string &stdlibDir) {
  std::error_code ec;
  return backends::SourceNames(std::filesystem::current_path(ec).string(),
                               std::filesystem::absolute(stdlibDir, ec).lexically_normal().string());
}

// At most 2,000 bytes: the runtime reads at most 4,096 of a bundle's text.
std::string portableText(std::string text, const ir::Policy &policy, const backends::SourceNames &names) {
  constexpr size_t kMaxText = 2000;
  for (const std::string &file : policy.files)
    for (size_t at = text.find(file); at != std::string::npos; at = text.find(file, at + 1)) {
      std::string portable = names.portable(file);
      text.replace(at, file.size(), portable);
      at += portable.size() - 1;
    }
  if (text.size() > kMaxText) {
    size_t cut = kMaxText;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
    text = text.substr(0, cut) + "…";
  }
  return text;
}

backends::Placements startPlacements(const ir::Policy &policy, const backends::SourceNames &names) {
  backends::Placements out;
  for (const verify::Assumption &a : verify::placementAssumptions(policy)) {
    const verify::Placement &p = a.placement;
    out.refused.push_back({verify::startConditions(p), portableText(p.text + ", " + a.why(), policy, names)});
  }
  for (const verify::NamedPath &n : verify::namedPaths(policy)) out.named.push_back({n.path, portableText(n.by, policy, names)});
  return out;
}

}  // namespace shellc
