#include "test_support.h"

#include "backends/bundle.h"

#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace shellc::testing {

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

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

namespace {

uint32_t actionOf(const llvm::json::Object &entry) {
  std::string action = entry.getString("action")->str();
  uint32_t errnoRet = static_cast<uint32_t>(entry.getInteger("errnoRet").getValueOr(1));
  if (action == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (action == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (action == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  if (action == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errnoRet);
  if (action == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (action == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  return SCMP_ACT_KILL_PROCESS;
}

// A JSON number as the 64-bit value it stands for (masks use all 64 bits).
uint64_t number(const llvm::json::Value *v) {
  if (!v) return 0;
  if (auto u = v->getAsUINT64()) return *u;
  return static_cast<uint64_t>(v->getAsInteger().getValueOr(0));
}

scmp_compare opOf(llvm::StringRef op) {
  if (op == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
  return SCMP_CMP_MASKED_EQ;
}

bool listed(const llvm::json::Object &filter, llvm::StringRef key, llvm::StringRef item) {
  const llvm::json::Array *list = filter.getArray(key);
  return list && std::any_of(list->begin(), list->end(), [&](const llvm::json::Value &v) {
           return v.getAsString() && *v.getAsString() == item;
         });
}

bool empty(const llvm::json::Object &filter, llvm::StringRef key) {
  const llvm::json::Array *list = filter.getArray(key);
  return !list || list->empty();
}

// Docker's kernelGreaterEqualThan: "major.minor" against the running kernel.
bool kernelAtLeast(const RuntimeContainer &c, llvm::StringRef minKernel) {
  unsigned major = 0, minor = 0;
  if (std::sscanf(minKernel.str().c_str(), "%u.%u", &major, &minor) != 2) {
    ADD_FAILURE() << "invalid minKernel " << minKernel.str();
    return false;
  }
  return c.kernelMajor != major ? c.kernelMajor > major : c.kernelMinor >= minor;
}

// moby/profiles/seccomp setupSeccomp: whether an entry applies to the container.
bool applies(const llvm::json::Object &entry, const RuntimeContainer &c) {
  auto holds = [&](const llvm::json::Value &cap) {
    return cap.getAsString() && std::count(c.caps.begin(), c.caps.end(), cap.getAsString()->str());
  };
  if (const llvm::json::Object *ex = entry.getObject("excludes")) {
    if (listed(*ex, "arches", c.goArch)) return false;
    if (const llvm::json::Array *caps = ex->getArray("caps"))
      if (std::any_of(caps->begin(), caps->end(), holds)) return false;
    if (auto minKernel = ex->getString("minKernel"); minKernel && kernelAtLeast(c, *minKernel)) return false;
  }
  if (const llvm::json::Object *in = entry.getObject("includes")) {
    if (!empty(*in, "arches") && !listed(*in, "arches", c.goArch)) return false;
    if (const llvm::json::Array *caps = in->getArray("caps"))
      if (!std::all_of(caps->begin(), caps->end(), holds)) return false;
    if (auto minKernel = in->getString("minKernel"); minKernel && !kernelAtLeast(c, *minKernel)) return false;
  }
  return true;
}

}  // namespace

bpf::Program loadLikeARuntime(const llvm::json::Object &profile, const RuntimeContainer &container,
                              std::set<int> &refused) {
  llvm::json::Object defaults{{"action", *profile.getString("defaultAction")}};
  if (auto e = profile.getInteger("defaultErrnoRet")) defaults["errnoRet"] = *e;
  uint32_t fallback = actionOf(defaults);
  scmp_filter_ctx ctx = seccomp_init(fallback);
  seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
  seccomp_arch_add(ctx, SCMP_ARCH_X86_64);
  for (const llvm::json::Value &v : *profile.getArray("syscalls")) {
    const llvm::json::Object &entry = *v.getAsObject();
    if (!applies(entry, container)) continue;
    std::vector<scmp_arg_cmp> conditions;
    if (auto *args = entry.getArray("args"))
      for (const llvm::json::Value &a : *args) {
        const llvm::json::Object &o = *a.getAsObject();
        conditions.push_back({static_cast<unsigned>(number(o.get("index"))), opOf(*o.getString("op")),
                              number(o.get("value")), number(o.get("valueTwo"))});
      }
    uint32_t action = actionOf(entry);
    if (action == fallback) continue;  // libseccomp refuses a rule that repeats the default; runc skips it
    std::vector<llvm::StringRef> names;
    if (auto *list = entry.getArray("names"))
      for (const llvm::json::Value &name : *list) names.push_back(*name.getAsString());
    if (auto name = entry.getString("name")) names.push_back(*name);
    for (llvm::StringRef name : names) {
      int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.str().c_str());
      if (nr < 0) continue;
      if (seccomp_rule_add_exact_array(ctx, action, nr, conditions.size(), conditions.data()) != 0)
        refused.insert(nr);
    }
  }
  int fd = memfd_create("bpf", 0);
  seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  off_t size = lseek(fd, 0, SEEK_END);
  bpf::Program program(size / sizeof(sock_filter));
  EXPECT_EQ(pread(fd, program.data(), size, 0), size);
  close(fd);
  return program;
}

std::string bundleJson(const Checked &checked) {
  EXPECT_TRUE(checked.output.ok) << checked.rendered;
  backends::SourceNames names("/", SHELLC_SOURCE_DIR "/stdlib");
  backends::Bundle bundle;
  std::string error;
  EXPECT_TRUE(backends::buildBundle(checked.output.policy, checked.sources, names, "0", bundle, error)) << error;
  return error.empty() ? backends::canonicalJson(bundle.json) : std::string();
}

}  // namespace shellc::testing
