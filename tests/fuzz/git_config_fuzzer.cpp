// libFuzzer target: any bytes as the git guard reads a configuration that a sandbox wrote
// (runtime/git/config_file.h), in the guardian and the supervisor, root where shellrt is.
// Properties checked: no crash, no hang; a refusal names its line; a setting read has a name
// that starts with a letter and a section before it; the unsafe settings are settings of the
// file; a configuration adds nothing unsafe to itself; included files are absolute paths.
#include <cstdlib>
#include <string>
#include <vector>

#include "git/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace shellrt::git;
  std::string text(reinterpret_cast<const char *>(data), size), error;
  std::vector<Setting> settings;
  if (!parseConfig(text, settings, error)) {
    if (error.rfind("line ", 0) != 0) abort();
    return 0;
  }
  for (const Setting &s : settings) {
    size_t dot = s.key.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 >= s.key.size()) abort();
    char first = s.key[dot + 1];
    if (!((first >= 'a' && first <= 'z'))) abort();  // lowercased, as git does
  }
  const std::string ws = "/w", gitDir = "/w/.git";
  std::vector<Setting> unsafe = unsafeSettings(settings, gitDir, ws);
  if (unsafe.size() > settings.size()) abort();
  if (!addedUnsafeSettings(settings, settings, gitDir, ws).empty()) abort();
  // Against nothing held, all unsafe settings are added, and a branch tracking a remote too.
  if (addedUnsafeSettings(settings, {}, gitDir, ws).size() < unsafe.size()) abort();
  for (const std::string &file : includedFiles(settings, gitDir, "/home/u"))
    if (file.empty() || file[0] != '/') abort();
  return 0;
}
