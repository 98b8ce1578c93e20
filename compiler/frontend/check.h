// The checker: turns the modules of one policy into the checked, normalised ir::Policy,
// reporting every error it finds (values, names, parameters, syscalls, constants…).
#pragma once
#include <map>
#include <set>
#include <string>

#include "frontend/diagnostics.h"
#include "ir/policy.h"

namespace shellc {

struct CheckOptions {
  std::map<std::string, std::string> defines;  // -D name=value
  std::string stdlibDir;
};

struct CheckOutput {
  ir::Policy policy;
  std::set<std::string> declaredParams;  // so that the driver can report unknown -D names
  bool ok = false;
};

CheckOutput checkPolicyFile(const std::string &path, const CheckOptions &options,
                            SourceManager &sources, DiagnosticEngine &diags);

}  // namespace shellc
