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
  shellc::TestCommand test;
  shellc::ExplainCommand explain;
  shellc::BuildCommand build;
  shellc::RunCommand run;
  shellc::ImportCommand import;
  shellc::DiffCommand diff;
  check.attach(app, common);
  fmt.attach(app, common);
  test.attach(app, common);
  explain.attach(app, common);
  build.attach(app, common);
  run.attach(app, common);
  import.attach(app, common);
  diff.attach(app, common);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    app.exit(e);
    return shellc::kExitUsage;
  }
  if (check.app->parsed()) return check.run(common);
  if (fmt.app->parsed()) return fmt.run(common);
  if (test.app->parsed()) return test.run(common);
  if (explain.app->parsed()) return explain.run(common);
  if (build.app->parsed()) return build.run(common);
  if (run.app->parsed()) return run.run(common);
  if (import.app->parsed()) return import.run(common);
  if (diff.app->parsed()) return diff.run(common);
  return shellc::kExitUsage;  // require_subcommand(1) has refused a command line without one
}
