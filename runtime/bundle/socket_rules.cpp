#include "bundle/socket_rules.h"

namespace shellrt {

SocketRules::SocketRules(const std::vector<SocketRule> &rules, const std::string &home, const std::string &workspace) {
  for (const SocketRule &r : rules) rules_.push_back({r.allow, r.path.resolve(home, workspace), r.rule.display()});
}

SocketRules::Decision SocketRules::decide(const std::string &path) const {
  Decision d;
  for (const Resolved &r : rules_) {
    if (!pathWithin(path, r.path)) continue;
    if (!r.allow) return {false, r.rule};
    if (d.rule.empty()) d = {true, r.rule};
  }
  return d;
}

std::vector<std::string> SocketRules::allowedPaths() const {
  std::vector<std::string> out;
  for (const Resolved &r : rules_)
    if (r.allow) out.push_back(r.path);
  return out;
}

}  // namespace shellrt
