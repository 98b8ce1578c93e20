#include "test_support.h"

#include <unistd.h>

#include <fstream>

namespace shellc::testing {

std::unique_ptr<Checked> checkText(const std::string &text,
                                   std::map<std::string, std::string> defines) {
  char path[] = "/tmp/shellc-unit-XXXXXX.policy";
  int fd = mkstemps(path, 7);
  std::ofstream(path) << text;
  close(fd);
  auto c = std::make_unique<Checked>();
  CheckOptions options;
  options.defines = std::move(defines);
  options.stdlibDir = SHELLC_SOURCE_DIR "/stdlib";
  c->output = checkPolicyFile(path, options, c->sources, c->diags);
  renderDiagnostics(c->sources, c->diags.sorted(c->sources), RenderOptions{}, c->rendered);
  unlink(path);
  return c;
}

}  // namespace shellc::testing
