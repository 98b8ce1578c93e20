// shellc: the command line. Each subcommand lives in its own file; this one wires them up.
#include <CLI/CLI.hpp>

#include "driver/commands.h"

int main(int argc, char **argv) {
  CLI::App app{"shellc: compile and verify sandbox policies for AI agents", "shellc"};
  app.set_version_flag("--version", SHELLC_VERSION);
  app.require_subcommand(1);
  shellc::CommonOptions common;
  shellc::CheckCommand check;
  shellc::FmtCommand fmt;
  check.attach(app, common);
  fmt.attach(app, common);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    app.exit(e);
    return shellc::kExitUsage;
  }
  return shellc::runSelected(app, common, check, fmt);
}
