#include "backends/bundle.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FormatVariadic.h>
#include <llvm/Support/SHA256.h>

#include "backends/network_plan.h"
#include "backends/seccomp_bpf.h"
#include "backends/seccomp_json.h"
#include "backends/sections.h"

namespace shellc::backends {

std::string canonicalJson(const llvm::json::Value &value) {
  return llvm::formatv("{0:2}", value).str() + "\n";
}

namespace {
std::string sha256(std::string_view text) {
  auto digest = llvm::SHA256::hash(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  return llvm::toHex(digest, true);
}
}  // namespace

namespace {

llvm::json::Value placementsJson(const Placements &placements) {
  llvm::json::Array refused, named;
  for (const StartRefusal &r : placements.refused) {
    llvm::json::Array inside;
    for (const auto &[start, path] : r.inside)
      inside.push_back(llvm::json::Object{{"start", start == ir::PathRoot::Home ? "home" : "workspace"}, {"path", pathJson(path)}});
    refused.push_back(llvm::json::Object{{"inside", std::move(inside)}, {"why", r.why}});
  }
  for (const NamedPath &n : placements.named) named.push_back(llvm::json::Object{{"path", pathJson(n.path)}, {"by", n.by}});
  return llvm::json::Object{{"refused", std::move(refused)}, {"named", std::move(named)}};
}

}  // namespace

bool buildBundle(const ir::Policy &policy, const SourceManager &sources, const SourceNames &names,
                 const std::string &compilerVersion, Bundle &out, std::string &error,
                 const Placements &placements) {
  for (ir::Arch arch : policy.syscalls.arches) {
    bpf::Program program;
    if (!compileSeccomp(policy.syscalls, arch, program, error)) return false;
    out.seccomp[arch] = std::move(program);
  }
  llvm::json::Array files;
  for (const std::string &file : policy.files) {
    for (FileId id = 1; id <= sources.fileCount(); ++id) {
      if (sources.name(id) != file) continue;
      files.push_back(llvm::json::Object{{"path", names.portable(file)}, {"sha256", sha256(sources.text(id))}});
      break;
    }
  }
  llvm::json::Object params;
  for (auto &[name, value] : policy.params) params[name] = value;
  FilesystemPlan fs = planFilesystem(policy.filesystem);
  out.json = llvm::json::Object{
      {"format", "shellc-bundle"},
      {"format_version", kBundleFormatVersion},
      {"compiler", "shellc " + compilerVersion},
      {"policy", policy.name},
      {"sources", std::move(files)},
      {"params", std::move(params)},
      {"landlock", landlockJson(policy.filesystem, fs, names)},
      {"mounts", mountsJson(fs, names)},
      {"unix_sockets", unixSocketsJson(policy.filesystem, names)},
      {"process", processJson(policy.process)},
      {"seccomp", seccompJson(policy.syscalls, out.seccomp, names)},
      {"egress", egressJson(policy.network, names)},
      {"routes", routesJson(policy.inference, names)},
      {"placements", placementsJson(placements)}};
  return true;
}

}  // namespace shellc::backends
