// A seccomp profile in the OCI/Docker JSON format, as read from its file: what the importer
// turns into a `syscalls` block. Each part keeps its JSON path for comments and diagnostics.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "importers/importers.h"
#include "importers/json_input.h"
#include "ir/policy.h"

namespace shellc::importers {

// `includes` or `excludes` of an entry: it applies only with (or without) these.
struct SeccompFilter {
  std::vector<std::string> caps;
  std::vector<std::string> arches;  // Go's names, as Docker compares them: amd64, arm64, s390x…
  std::optional<KernelVersion> minKernel;
};

struct SeccompName {
  std::string name;
  std::string path;  // syscalls[3].names[0]
};

struct SeccompEntry {
  std::string path;  // syscalls[3]
  std::vector<SeccompName> names;
  ir::SyscallAction action;
  std::vector<ir::ArgCondition> conditions;  // ANDed
  SeccompFilter includes, excludes;
  std::string comment;
};

struct SeccompProfile {
  ir::SyscallAction defaultAction;
  std::vector<ir::Arch> arches;           // of `architectures` and `archMap`; empty: both
  std::vector<std::string> otherArches;   // the SCMP_ARCH_ names shellc builds no filter for
  std::vector<SeccompEntry> entries;
};

// Reads the parsed profile; false after reporting what is wrong with it.
bool readSeccompProfile(JsonInput &in, SeccompProfile &out);

}  // namespace shellc::importers
