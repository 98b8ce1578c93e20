// What reading a bundle costs shellrt at every start: strict JSON, the schema, and running
// each architecture's seccomp program against its rules; beside it, the JSON parse alone
// and the SHA-256 of the bytes. usage: bundle_read BUNDLE...
#include <chrono>
#include <cstdio>
#include <string>

#include "bundle/bundle.h"
#include "bundle/json.h"
#include "bundle/sha256.h"

namespace {

template <typename F>
double microseconds(F &&f) {
  constexpr int kRuns = 200;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) f();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / kRuns;
}

}  // namespace

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    std::string text, error;
    if (!shellrt::readBoundedFile(argv[i], shellrt::kMaxBundleBytes, text, error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    shellrt::Bundle bundle;
    if (!shellrt::parseBundle(text, bundle, error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    double whole = microseconds([&] { shellrt::parseBundle(text, bundle, error); });
    double json = microseconds([&] {
      shellrt::Json j;
      shellrt::parseJson(text, j, error);
    });
    double hash = microseconds([&] { shellrt::sha256Hex(text); });
    std::printf("%s: %zu bytes, %zu seccomp rules: read and checked %.0f us (JSON alone %.0f us, SHA-256 %.0f us)\n",
                argv[i], text.size(), bundle.running().rules.size(), whole, json, hash);
  }
}
