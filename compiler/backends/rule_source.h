// How every artifact names the rule behind an entry: {"name", "file", "line"}, so that a
// denial at run time points back at a line of source.
#pragma once
#include <llvm/Support/JSON.h>

#include "ir/policy.h"

namespace shellc::backends {

// Source paths in artifacts are relative (to the working directory, or `<stdlib>/…`) so
// that the same policy builds the same bytes on every machine.
class SourceNames {
public:
  SourceNames(std::string workingDirectory, std::string stdlibDirectory)
      : working_(std::move(workingDirectory)), stdlib_(std::move(stdlibDirectory)) {}
  std::string portable(const std::string &path) const;
  llvm::json::Value rule(const ir::RuleId &id) const;

private:
  std::string working_, stdlib_;
};

}  // namespace shellc::backends
