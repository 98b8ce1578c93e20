// The checker: turns the modules of one policy into the checked, normalised ir::Policy,
// reporting every error it finds (values, names, parameters, syscalls, constants…).
#pragma once
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ir/policy.h"
#include "support/diagnostics.h"

namespace shellc {

struct CheckOptions {
  std::map<std::string, std::string> defines;  // -D name=value
  std::string stdlibDir;
  // The policy is compiled to run (build, run): also warn about what would keep it from
  // running at all. `check` warns so of a whole sandbox too (a root that names itself and
  // has a filesystem block, as OpenShell imports do), not of modules, fragments and
  // syscalls-only profiles, which need not run alone.
  bool toRun = false;
};

struct CheckOutput {
  ir::Policy policy;
  std::set<std::string> declaredParams;  // so that the driver can report unknown -D names
  bool ok = false;
};

CheckOutput checkPolicyFile(const std::string &path, const CheckOptions &options,
                            SourceManager &sources, DiagnosticEngine &diags);

// Checks a policy as checkPolicyFile does, then `request`, one request in the language's
// syntax (what `shellc explain` is given), against it: the request may name the policy's
// parameters and providers, and is concrete, as in a test. A system call whose constants
// differ between architectures becomes one request per architecture.
CheckOutput checkPolicyAndRequest(const std::string &path, std::string_view request,
                                  const CheckOptions &options, SourceManager &sources,
                                  DiagnosticEngine &diags, std::vector<ir::Request> &requests);

}  // namespace shellc
