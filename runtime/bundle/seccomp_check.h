// The seccomp program of a bundle is opaque bytes; its rules are readable data beside it.
// Before the program is loaded, the runtime runs it, as the kernel would, on each rule's
// calls and on the calls around them, and refuses a program that decides otherwise than its
// rules (a corrupted, truncated or hand-edited bundle), or that the kernel would read
// otherwise (too long, jumps out of range, loads outside struct seccomp_data).
#pragma once
#include <linux/seccomp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bundle/bundle.h"

namespace shellrt {

// The kernel's limit, which also keeps `sock_fprog::len` (16 bits) exact.
constexpr size_t kMaxSeccompInstructions = 4096;

// Runs `program` on `call`; false with `error` when it is not a program this runtime (and
// shellc) would ever load. `argumentsRead`, when given, gains a bit per argument loaded.
bool runSeccompProgram(const std::vector<sock_filter> &program, const seccomp_data &call, uint32_t &result,
                       std::string &error, unsigned *argumentsRead = nullptr);

// The rules' decision for a call: the strictest action among the rules whose conditions all
// hold, else `defaultAction` (the semantics of compiler/ir/evaluate_syscalls.cpp).
uint32_t decideByRules(const std::vector<SeccompRule> &rules, uint32_t defaultAction, uint32_t nr,
                       const uint64_t (&args)[6]);

// Whether action `a` is stricter than `b` (kill > trap > errno, a lower errno first > notify
// > log > allow).
bool stricterAction(uint32_t a, uint32_t b);

// False with `error` (naming the call and arguments) where the program and its rules differ.
bool checkSeccompProgram(const SeccompProgram &program, uint32_t defaultAction, std::string &error);

}  // namespace shellrt
