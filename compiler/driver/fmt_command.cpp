#include <fstream>
#include <iostream>

#include "driver/commands.h"
#include "frontend/format.h"

namespace shellc {

void FmtCommand::attach(CLI::App &parent, CommonOptions &common) {
  app = parent.add_subcommand("fmt", "Lay out policies canonically (prints to stdout by default)");
  app->add_option("inputs", inputs, "Policy files or directories")->required();
  auto *checkFlag = app->add_flag("--check", check, "Exit 1 if any file is not canonical; change nothing");
  app->add_flag("-i,--in-place", inPlace, "Rewrite the files")->excludes(checkFlag);
  addCommonOptions(*app, common);
}

int FmtCommand::run(const CommonOptions &common) {
  SourceManager sources;
  DiagnosticEngine diags;
  std::vector<std::string> files;
  std::string error;
  if (!expandInputs(inputs, files, error)) {
    diags.error("io-error", Span{}, error);
    return finish(sources, diags, common);
  }
  bool differs = false;
  for (const std::string &path : files) {
    ReadError unreadable;
    FileId file = sources.load(path, unreadable);
    if (file == kNoFile) {
      diags.error("io-error", Span{}, "cannot read '" + path + "': " + unreadable.reason).withHint(unreadable.hint);
      continue;
    }
    std::string formatted;
    if (!formatPolicy(sources, file, diags, formatted)) continue;
    bool changed = formatted != sources.text(file);
    if (check) {
      if (changed) {
        std::cerr << path << ": not formatted canonically (run `shellc fmt -i " << path << "`)\n";
        differs = true;
      }
    } else if (inPlace) {
      if (!changed) continue;
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << formatted;
      if (!out) diags.error("io-error", Span{}, "cannot write '" + path + "'");
      else if (common.verbose) std::cout << "formatted " << path << "\n";
    } else {
      std::cout << formatted;
    }
  }
  int code = finish(sources, diags, common);
  return code == kExitOk && differs ? kExitFindings : code;
}

}  // namespace shellc
