// The runtime's bundle reader (runtime/bundle/) against the compiler that writes bundles:
// every shipped policy's bundle reads; the runtime's seccomp evaluator and BPF interpreter
// decide as ir::evaluateSyscall on random policies and calls; every field of a real bundle,
// mutated (kinds, values out of the schema, duplicates, removal, unknown keys), is refused or
// read with identical protection.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <llvm/Support/Base64.h>
#include <llvm/Support/SHA256.h>
#include <llvm/ADT/StringExtras.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "backends/bundle.h"
#include "backends/seccomp_bpf.h"
#include "bundle/bundle.h"
#include "bundle/json.h"
#include "bundle/seccomp_check.h"
#include "bundle/sha256.h"
#include "bundle/socket_rules.h"
#include "ir/evaluate.h"
#include "test_support.h"

namespace shellc {
namespace {

std::string bundleText(const std::string &policyText) { return testing::bundleJson(*testing::checkText(policyText)); }

std::string exampleBundle(const std::string &name) {
  return bundleText(testing::readFile(std::string(SHELLC_SOURCE_DIR) + "/examples/" + name + ".policy"));
}

TEST(BundleReader, EveryExampleReads) {
  for (const char *name : {"coding-agent", "claude-code", "codex-cli", "ci-job", "openclaw-agent"}) {
    shellrt::Bundle bundle;
    std::string error;
    EXPECT_TRUE(shellrt::parseBundle(exampleBundle(name), bundle, error)) << name << ": " << error;
    EXPECT_FALSE(bundle.running().program.empty()) << name;
    EXPECT_EQ(bundle.seccompPrograms.size(), 2u) << name;
  }
}

// ---------------------------------------------------------------- one decision

std::string randomSyscallPolicy(std::mt19937 &rng) {
  auto pick = [&](std::vector<std::string> v) { return v[rng() % v.size()]; };
  std::ostringstream out;
  out << "policy random\nsyscalls {\n  default " << pick({"allow", "deny", "kill", "errno(EACCES)"}) << "\n";
  for (int i = 0; i < 10; ++i) {
    std::string verb = pick({"allow", "deny", "log", "kill", "deny"});
    out << "  " << verb << " " << pick({"socket", "ioctl", "clone", "prctl", "sendto", "mmap"});
    if (rng() % 4) {
      std::string op = pick({"==", "!=", "<", "<=", ">", ">=", "& 0xff ==", "& 0xf0 !="});
      out << "(arg" << rng() % 3 << " " << op << " "
          << (op[0] == '&' ? pick({"0", "0x10", "0x80"})
                           : pick({"0", "1", "7", "0x80000000", "0x100000000", "0xffffffff", "0x1ffffffff"}));
      if (rng() % 3 == 0) out << ", arg" << 1 + rng() % 2 << " " << pick({"==", ">", "& 3 =="}) << " " << rng() % 5;
      out << ")";
    }
    if (verb == "deny") out << " => " << pick({"errno(ENOENT)", "errno(EPERM)", "kill", "trap", "notify"});
    out << "\n";
  }
  out << "}\n";
  return out.str();
}

uint64_t randomArg(std::mt19937_64 &rng) {
  const uint64_t edges[] = {0, 1, 7, 8, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x1ffffffff, ~0ull};
  uint64_t e = edges[rng() % 10];
  return rng() % 3 == 0 ? rng() : rng() % 2 ? e : e + (rng() % 3) - 1;
}

// ir::evaluateSyscall, the runtime's rule evaluator and its BPF interpreter agree.
TEST(BundleReader, SeccompDecisionsAgreeWithTheCompilersOnRandomCalls) {
  std::mt19937 rng(11);
  std::mt19937_64 argRng(12);
  size_t calls = 0;
  for (int p = 0; p < 30; ++p) {
    auto checked = testing::checkText(randomSyscallPolicy(rng));
    ASSERT_TRUE(checked->output.ok) << checked->rendered;
    shellrt::Bundle bundle;
    std::string error;
    ASSERT_TRUE(shellrt::parseBundle(testing::bundleJson(*checked), bundle, error)) << error;
    const ir::Syscalls &sys = checked->output.policy.syscalls;
    for (const shellrt::SeccompProgram &program : bundle.seccompPrograms) {
      ir::Arch arch = program.arch == "x86_64" ? ir::Arch::X86_64 : ir::Arch::AArch64;
      for (int i = 0; i < 3000; ++i, ++calls) {
        seccomp_data call{static_cast<int>(rng() % 2 ? rng() % 240 : rng() % 512), program.auditArch, 0, {}};
        ir::SyscallArgs args{};
        for (int a = 0; a < 6; ++a) args[a] = call.args[a] = randomArg(argRng);
        uint32_t expected = backends::seccompReturn(ir::evaluateSyscall(sys, arch, call.nr, args).action);
        uint64_t raw[6];
        std::copy(args.begin(), args.end(), raw);
        ASSERT_EQ(shellrt::decideByRules(program.rules, bundle.seccompDefault, call.nr, raw), expected);
        uint32_t got;
        ASSERT_TRUE(shellrt::runSeccompProgram(program.program, call, got, error)) << error;
        ASSERT_EQ(got, expected) << "policy " << p << " nr " << call.nr;
      }
    }
  }
  EXPECT_GT(calls, 100000u);
}

// ---------------------------------------------------------------- the program beside its rules

std::string withProgram(std::string text, const std::vector<sock_filter> &program, size_t instructions) {
  llvm::json::Value json = *llvm::json::parse(text);
  auto *arch = json.getAsObject()->getObject("seccomp")->getObject("arches")->getObject("x86_64");
  (*arch)["program"] = llvm::encodeBase64(std::string(reinterpret_cast<const char *>(program.data()),
                                                      program.size() * sizeof(sock_filter)));
  (*arch)["instructions"] = instructions;
  return backends::canonicalJson(json);
}

std::string refusal(const std::string &text) {
  shellrt::Bundle bundle;
  std::string error;
  return shellrt::parseBundle(text, bundle, error) ? "" : error;
}

TEST(BundleReader, AProgramThatDecidesOtherwiseThanItsRulesIsRefused) {
  std::string text = exampleBundle("coding-agent");
  ASSERT_EQ(refusal(text), "");
  // One instruction that allows everything, beside the policy's deny rules.
  std::vector<sock_filter> allowAll{BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  EXPECT_NE(refusal(withProgram(text, allowAll, 1)).find("does not decide as its rules"), std::string::npos);
  // The real program with one answer changed.
  shellrt::Bundle bundle;
  std::string error;
  ASSERT_TRUE(shellrt::parseBundle(text, bundle, error));
  std::vector<sock_filter> program = bundle.seccompPrograms[0].arch == "x86_64" ? bundle.seccompPrograms[0].program
                                                                              : bundle.seccompPrograms[1].program;
  for (size_t i = 0; i < program.size(); ++i) {
    if (BPF_CLASS(program[i].code) != BPF_RET || program[i].k == SECCOMP_RET_ALLOW) continue;
    std::vector<sock_filter> changed = program;
    changed[i].k = SECCOMP_RET_ALLOW;
    EXPECT_NE(refusal(withProgram(text, changed, changed.size())), "") << "return " << i;
  }
  // Longer than the kernel loads: 65,643 instructions would be cut to 16 bits.
  std::vector<sock_filter> huge(65643, BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  EXPECT_NE(refusal(withProgram(text, huge, huge.size())).find("seccomp.arches.x86_64.program: longer than"),
            std::string::npos);
  // A count that is not the program's.
  EXPECT_NE(refusal(withProgram(text, program, program.size() + 1)).find("seccomp.arches.x86_64.instructions"),
            std::string::npos);
  // A jump past the end, and a load of the instruction pointer.
  std::vector<sock_filter> jump = program;
  jump[1] = BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, 60000, 0, 0);
  EXPECT_NE(refusal(withProgram(text, jump, jump.size())).find("a jump past the end"), std::string::npos);
  std::vector<sock_filter> ip = program;
  ip[0] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, instruction_pointer));
  EXPECT_NE(refusal(withProgram(text, ip, ip.size())).find("a load outside"), std::string::npos);
}

// ---------------------------------------------------------------- strict JSON

TEST(BundleReader, StrictJson) {
  auto error = [](const std::string &text) {
    shellrt::Json json;
    std::string e;
    return shellrt::parseJson(text, json, e) ? std::string() : e;
  };
  EXPECT_EQ(error(R"({"a": 1, "b": [true, null, "x\u00e9\ud83d\ude00"]})"), "");
  EXPECT_NE(error(R"({"a": 1, "a": 1})").find("duplicate key \"a\""), std::string::npos);
  EXPECT_NE(error(R"(["\uZZZZ"])").find("four hex digits"), std::string::npos);
  EXPECT_NE(error(R"(["\ud800"])").find("surrogate"), std::string::npos);
  EXPECT_NE(error(R"(["\udc00"])").find("surrogate"), std::string::npos);
  EXPECT_NE(error(R"(["a\u0000b"])").find("NUL"), std::string::npos);
  EXPECT_NE(error("[-0]").find("-0"), std::string::npos);
  EXPECT_NE(error("[012]").find("leading zero"), std::string::npos);
  EXPECT_NE(error("[18446744073709551616]").find("out of range"), std::string::npos);
  EXPECT_NE(error("[1.5]").find("integers only"), std::string::npos);
  EXPECT_NE(error("{} x").find("trailing data"), std::string::npos);
  EXPECT_NE(error("{\n  \"a\": tru\n}").find("line 2, column 8"), std::string::npos);
  shellrt::Json json;
  std::string e;
  EXPECT_FALSE(shellrt::parseJson("[" + std::string(100, '[') + std::string(101, ']'), json, e));
  // Many small values are bounded by count, not only by bytes: memory stays small.
  std::string many = "[0";
  for (int i = 0; i < 600000; ++i) many += ",0";
  EXPECT_NE(error(many + "]").find("values"), std::string::npos);
}

TEST(BundleReader, Sha256MatchesTheStandardAndLlvm) {
  EXPECT_EQ(shellrt::sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(shellrt::sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::mt19937 rng(5);
  for (size_t size : {1, 55, 56, 63, 64, 65, 119, 120, 1000, 100000}) {
    std::string data(size, '\0');
    for (char &c : data) c = static_cast<char>(rng());
    auto digest = llvm::SHA256::hash(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data.data()), size));
    EXPECT_EQ(shellrt::sha256Hex(data), llvm::toHex(digest, true)) << size;
  }
}

}  // namespace
}  // namespace shellc

namespace {

// The runtime's `connect` decision (runtime/bundle/socket_rules.h) against the compiler's
// (ir::evaluateFile), on random rules and paths, through the bundle the compiler writes.
// Home and workspace are placed apart from the absolute paths the rules name, so that the
// compiler's separate namespaces and the runtime's resolved paths mean the same (docs/
// language.md §7).
TEST(SocketRules, DecideAsTheCompilerDoes) {
  std::mt19937 rng(11);
  const std::vector<std::string> paths = {"\"/run\"", "\"/run/user\"", "\"/run/user/bus\"", "\"/tmp/s\"", "\"/\"",
                                          "\"~/.ssh\"", "\"~/.ssh/agent\"", "workspace", "workspace / \"a.sock\""};
  for (int round = 0; round < 40; ++round) {
    std::string text = "policy random\nfilesystem {\n";
    if (rng() % 2) text += "  default allow\n";
    for (int i = 0; i < 6; ++i)
      text += std::string("  ") + (rng() % 3 ? "allow" : "deny") + (rng() % 2 ? " connect " : " read, connect ") +
              paths[rng() % paths.size()] + "\n";
    text += "}\n";
    auto checked = shellc::testing::checkText(text);
    ASSERT_TRUE(checked->output.ok) << checked->rendered;
    shellrt::Bundle bundle;
    std::string json = shellc::testing::bundleJson(*checked), error;
    ASSERT_TRUE(shellrt::parseBundle(json, bundle, error)) << error;
    shellrt::SocketRules rules(bundle.unixSockets, "/home/u", "/work/ws");
    for (int i = 0; i < 200; ++i) {
      static const std::vector<std::pair<shellc::ir::Path, std::string>> requests = {
          {{shellc::ir::PathRoot::Absolute, "run/user/bus"}, "/run/user/bus"},
          {{shellc::ir::PathRoot::Absolute, "run/user/bus/x"}, "/run/user/bus/x"},
          {{shellc::ir::PathRoot::Absolute, "run/other"}, "/run/other"},
          {{shellc::ir::PathRoot::Absolute, "tmp/s"}, "/tmp/s"},
          {{shellc::ir::PathRoot::Absolute, "tmp/sx"}, "/tmp/sx"},
          {{shellc::ir::PathRoot::Home, ".ssh/agent/s"}, "/home/u/.ssh/agent/s"},
          {{shellc::ir::PathRoot::Home, ".sshx"}, "/home/u/.sshx"},
          {{shellc::ir::PathRoot::Workspace, "a.sock"}, "/work/ws/a.sock"},
          {{shellc::ir::PathRoot::Workspace, "b.sock"}, "/work/ws/b.sock"}};
      const auto &[path, resolved] = requests[rng() % requests.size()];
      bool expected = shellc::ir::evaluateFile(checked->output.policy.filesystem, path, shellc::ir::kConnect).allow;
      ASSERT_EQ(rules.decide(resolved).allow, expected) << text << resolved;
    }
  }
}

}  // namespace
