// The network backend: the egress table the proxy evaluates, and an nftables ruleset for
// deployments that enforce at a host or veth.
#pragma once
#include <string>

#include "backends/rule_source.h"

namespace shellc::backends {

// The reserved ranges (loopback, metadata, private…) are ir::reservedRanges(): the proxy,
// the packet filter and the evaluator refuse the same addresses.
llvm::json::Value egressJson(const ir::Network &network, const SourceNames &names);
std::string nftRuleset(const ir::Network &network, const SourceNames &names, const std::string &policyName);

}  // namespace shellc::backends
