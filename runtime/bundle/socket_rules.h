// The policy's `connect` rules as the runtime decides by them: a host's Unix socket (one
// whose listener is outside the sandbox) is reached only where an allow rule names it or a
// directory above it, and no deny does. Deny overrides allow, and nothing is allowed by
// default: compiler/ir's evaluateFile for `connect`, against which a unit test checks this
// on random rules.
#pragma once
#include <string>
#include <vector>

#include "bundle/bundle.h"

namespace shellrt {

class SocketRules {
public:
  SocketRules() = default;
  // Paths resolved once, where the sandbox starts.
  SocketRules(const std::vector<SocketRule> &rules, const std::string &home, const std::string &workspace);

  struct Decision {
    bool allow = false;
    std::string rule;  // the deciding rule, as `@name (file:line)`; empty when none matched
  };
  // `path`: absolute and canonical, as the sandbox's kernel resolved it.
  Decision decide(const std::string &path) const;
  // The allowed paths, which the sandbox must see to reach them.
  std::vector<std::string> allowedPaths() const;

private:
  struct Resolved {
    bool allow;
    std::string path, rule;
  };
  std::vector<Resolved> rules_;
};

}  // namespace shellrt
