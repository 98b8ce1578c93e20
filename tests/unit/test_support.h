// Helpers shared by the unit tests: check a policy given as text; load an OCI seccomp
// profile as a container runtime does.
#pragma once
#include <llvm/Support/JSON.h>

#include <set>
#include <string>
#include <vector>

#include "backends/bpf.h"

#include "frontend/check.h"
#include "support/diagnostics.h"

namespace shellc::testing {

struct Checked {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckOutput output;
  std::string rendered;  // the text diagnostics
  bool has(const std::string &code) const {
    for (const Diagnostic &d : diags.sorted(sources))
      if (d.code == code) return true;
    return false;
  }
};

// A file's text (test data and the repo's examples).
std::string readFile(const std::string &path);

// Writes `text` to a temporary file and checks it with the repo's stdlib.
std::unique_ptr<Checked> checkText(const std::string &text,
                                   std::map<std::string, std::string> defines = {});

// The bundle `shellc build` writes for a checked policy (canonical JSON), sources named
// relative to / and the repo's stdlib; a failure is a test failure, and gives "".
std::string bundleJson(const Checked &checked);

// The container a runtime loads a profile for: the Go name of its architecture (Docker
// compares `includes`/`excludes.arches` with it), the capabilities it holds (the bounding
// set) and the running kernel (`minKernel`, compared as Docker compares it).
struct RuntimeContainer {
  std::string goArch = "amd64";
  std::vector<std::string> caps;
  unsigned kernelMajor = 6, kernelMinor = 1;
};

// What Docker and runc do with an OCI seccomp profile: Docker drops the entries whose
// `includes`/`excludes` rule them out for `container` (moby's setupSeccomp), runc adds one
// libseccomp rule per remaining entry and name, and libseccomp exports the BPF for x86_64.
// The filter holds x86_64 alone: the x86 and x32 sub-architectures of an `archMap` do not
// change what x86_64-native calls decide. Names libseccomp does not know are skipped, as
// runc skips them; the numbers of entries libseccomp refused go to `refused` (a runtime
// would refuse the whole profile).
bpf::Program loadLikeARuntime(const llvm::json::Object &profile, const RuntimeContainer &container,
                              std::set<int> &refused);

}  // namespace shellc::testing
