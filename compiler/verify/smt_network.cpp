// The network layer. The address is a 128-bit vector (IPv4 as ::ffff:a.b.c.d) and the port
// a 16-bit one, so CIDRs, port ranges and the reserved ranges are exact. A host name is one
// of finitely many representatives: every name and suffix the patterns mention (t), then
// "w.t" and "w.w.t" with a fresh label w, and "w" alone. That is exact: a name's matches are
// decided by the longest mentioned label-suffix it has and whether one or more labels
// precede it. The programs of a request (the process and its ancestors) are a set of the
// `by` globs' own instances, each in or out, so any combination of programs is there whose
// each member matches what some representative matches. HTTP paths are one representative
// each, with "none", and methods the mentioned ones. Programs and paths stand for the globs'
// own instances and a text for each pair of globs that overlap: a program or path matching
// three or more globs that no pair's text matches lies outside the space (docs say so).
#include <algorithm>
#include <functional>
#include <set>

#include "frontend/values.h"
#include "ir/glob.h"
#include "verify/smt.h"

namespace shellc::verify::smt {
namespace {

std::vector<std::string> labels(const std::string &name) {
  std::vector<std::string> out;
  for (size_t begin = 0; begin <= name.size();) {
    size_t end = std::min(name.find('.', begin), name.size());
    out.push_back(name.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

// One string that `glob` matches, with every wildcard filled by a character `match` accepts.
template <class Match>
std::string globInstance(const std::string &glob, Match match) {
  std::string out;
  for (size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '*') {
      out += 'x';
      while (i + 1 < glob.size() && glob[i + 1] == '*') ++i;
    } else if (glob[i] == '?') {
      out += 'x';
    } else if (glob[i] == '[') {
      size_t end = ir::classEnd(glob, i);
      std::string cls = glob.substr(i, end - i + 1);
      for (char c = '!'; c <= '~'; ++c)
        if (match(cls, std::string(1, c))) {
          out += c;
          break;
        }
      i = end;
    } else {
      out += glob[i];
    }
  }
  return out;
}

// Each glob's own instance, and a text that both of each overlapping pair match: so that a
// text matching a combination of the globs has a representative that matches the same
// ones (exact up to pairs: three globs that meet only all together are not there).
template <class Match, class Common>
std::vector<std::string> representatives(const std::vector<std::string> &globs, Match match, Common common) {
  std::vector<std::string> out;
  for (const std::string &glob : globs) out.push_back(globInstance(glob, match));
  for (size_t i = 0; i < globs.size(); ++i)
    for (size_t j = i + 1; j < globs.size(); ++j)
      if (auto both = common(globs[i], globs[j])) out.push_back(*both);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

template <class List> void addUnique(std::vector<std::string> &list, const List &values) {
  for (const std::string &v : values)
    if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
}

std::string addressText(const ir::Address &address) {
  ir::HostPattern p;
  p.kind = ir::HostPattern::Kind::Cidr;
  p.address = address;
  p.prefix = 128;
  p.ipv4 = std::all_of(address.begin(), address.begin() + 10, [](uint8_t b) { return b == 0; }) &&
           address[10] == 0xff && address[11] == 0xff;
  return p.display();
}

class NetworkLayer : public AllowOrDenyLayer {
public:
  NetworkLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies)
      : AllowOrDenyLayer(ctx), hasName_(ctx.bool_const("net_has_name")), name_(ctx),
        hasAddr_(ctx.bool_const("net_has_addr")), addr_(ctx.bv_const("net_addr", 128)),
        port_(ctx.bv_const("net_port", 16)), uses_(ctx), http_(ctx.bool_const("net_http")),
        method_(ctx), path_(ctx) {
    for (const ir::Policy *policy : policies) {
      for (const ir::NetworkRule &rule : policy->network.rules) {
        hostPatterns_.insert(hostPatterns_.end(), rule.hosts.begin(), rule.hosts.end());
        addUnique(binaryGlobs_, rule.binaries);
        addUnique(methods_, rule.methods);
        addUnique(pathGlobs_, rule.paths);
      }
      for (const ir::Assert &a : policy->asserts) {
        if (a.request.kind != ir::Request::Kind::Connect) continue;
        hostPatterns_.push_back(a.request.host);
        if (!a.request.binary.empty()) addUnique(binaryGlobs_, std::vector{a.request.binary});
        if (!a.request.method.empty()) addUnique(methods_, std::vector{a.request.method});
        if (!a.request.httpPath.empty()) addUnique(pathGlobs_, std::vector{a.request.httpPath});
      }
      for (const ir::Provider &provider : policy->inference.providers)
        if (auto host = providerHost(provider)) hostPatterns_.push_back(*host);
    }
    buildNames();
    binaries_ = representatives(binaryGlobs_, ir::matchBinaryGlob, ir::commonBinary);
    for (size_t i = 0; i < binaries_.size(); ++i)
      uses_.push_back(ctx.bool_const(("net_binary_" + std::to_string(i)).c_str()));
    methodReps_ = {""};
    addUnique(methodReps_, methods_);
    paths_ = {""};
    addUnique(paths_, representatives(pathGlobs_, ir::matchHttpPathGlob, ir::commonHttpPath));
    name_ = choiceVar(ctx, "net_name", names_.size());
    method_ = choiceVar(ctx, "net_method", methodReps_.size());
    path_ = choiceVar(ctx, "net_path", paths_.size());
  }

  std::string name() const override { return "network"; }

  z3::expr domain() const override {
    return (hasName_ || hasAddr_) && port_ != ctx_.bv_val(0, 16) && inRange(name_, names_.size()) &&
           inRange(method_, methodReps_.size()) && inRange(path_, paths_.size());
  }

  std::vector<Statement> statements(const ir::Policy &policy) const override {
    return groupStatements(
        policy.network.rules, [&](const ir::NetworkRule &r) { return connectionMatches(r); },
        [](const ir::NetworkRule &r) { return r.allow; }, [&](const ir::NetworkRule &r) { return hostsWhere(r); });
  }
  // Only a rule with a CIDR (whose footprint is anywhere): what a rule of names matches
  // includes requests with no address, which no reserved range refuses.
  bool refusableBeyondStatements(const Statement &grant) const override { return grant.footprint.isAnywhere(); }

  // ir::evaluateNetwork: the connection (rules, then the reserved ranges), then on an
  // inspected connection the HTTP request.
  z3::expr decision(const ir::Policy &policy, const z3::expr &skip) const override {
    const std::vector<ir::NetworkRule> &rules = policy.network.rules;
    std::vector<int> statement = statementOf(rules);
    std::vector<z3::expr> connAllow, connDeny, httpAllow, httpDeny;
    std::vector<std::pair<const ir::NetworkRule *, z3::expr>> allowsMatched;
    for (size_t i = 0; i < rules.size(); ++i) {
      const ir::NetworkRule &rule = rules[i];
      z3::expr connection = connectionMatches(rule) && skip != statement[i];
      bool requestLevel = !rule.allow && (!rule.methods.empty() || !rule.paths.empty());
      if (!requestLevel) (rule.allow ? connAllow : connDeny).push_back(connection);
      if (rule.allow) allowsMatched.emplace_back(&rule, connection);
      (rule.allow ? httpAllow : httpDeny).push_back(connection && httpMatches(rule));
    }
    z3::expr fallback = ctx_.bool_val(policy.network.defaultAllow);
    z3::expr connection = !anyOf(ctx_, connDeny) && (anyOf(ctx_, connAllow) || fallback) && !reserved(allowsMatched);
    z3::expr request = !anyOf(ctx_, httpDeny) && (anyOf(ctx_, httpAllow) || fallback);
    return connection && (!http_ || request);
  }

  bool describes(const ir::Request &pattern) const override { return pattern.kind == ir::Request::Kind::Connect; }

  z3::expr pattern(const ir::Request &p) const override {
    z3::expr out = hostMatches(p.host);
    std::vector<z3::expr> ports;
    for (const ir::PortRange &range : p.ports) ports.push_back(inPorts(range));
    if (!ports.empty()) out = out && anyOf(ctx_, ports);
    if (!p.binary.empty())
      out = out && anyBinary([&](const std::string &b) { return ir::matchBinaryGlob(p.binary, b); });
    if (!p.method.empty()) out = out && oneOf(method_, indicesWhere(methodReps_.size(), [&](size_t i) { return methodReps_[i] == p.method; }));
    if (!p.httpPath.empty())
      out = out && oneOf(path_, indicesWhere(paths_.size(), [&](size_t i) { return ir::matchHttpPathGlob(p.httpPath, paths_[i]); }));
    if (!p.method.empty() || !p.httpPath.empty()) out = out && http_;
    return out;
  }

  std::string text(const z3::model &model) const override {
    ir::NetworkRequest r = decode(model);
    std::string host = r.host.empty() ? addressText(*r.address) : r.host;
    bool v4 = r.host.empty() && host.find(':') == std::string::npos;
    std::string out = "connect " + (v4 ? host : "\"" + host + "\"") + ":" + std::to_string(r.port);
    if (r.binaries.size() == 1) out += " by \"" + r.binaries.front() + "\"";
    if (r.binaries.size() > 1) {
      out += " by one of";
      for (size_t i = 0; i < r.binaries.size(); ++i) out += std::string(i ? ", " : " ") + "\"" + r.binaries[i] + "\"";
      out += " (a program and its ancestors)";
    }
    if (!r.method.empty()) out += " methods " + r.method;
    if (!r.path.empty()) out += " paths \"" + r.path + "\"";
    if (r.protocol == ir::Protocol::Http && r.method.empty() && r.path.empty()) out += " (an HTTP request)";
    if (!r.host.empty() && r.address) out += " (resolving to " + addressText(*r.address) + ")";
    return out;
  }

  Recheck recheck(const z3::model &model, const ir::Policy &policy, const ir::Request *) const override {
    ir::NetworkDecision d = ir::evaluateNetwork(policy.network, decode(model));
    Recheck out{d.allow, !d.allow, d.allow ? "allow" : d.reserved ? std::string("deny (") + d.reserved->what + ")" : "deny", {}};
    for (const ir::NetworkRule *rule : d.deciding) out.deciding.push_back(&rule->id);
    return out;
  }

  // The representative with the same matches as `value`, if the space has one.
  template <class Matches>
  static std::optional<size_t> classOf(const std::vector<std::string> &reps, Matches matches) {
    for (size_t i = 0; i < reps.size(); ++i)
      if (matches(reps[i])) return i;
    return std::nullopt;
  }

  std::optional<z3::expr> request(const ir::NetworkRequest &r) const {
    auto sameHosts = [&](const std::string &rep) {
      return std::all_of(hostPatterns_.begin(), hostPatterns_.end(), [&](const ir::HostPattern &p) {
        return p.kind == ir::HostPattern::Kind::Cidr ||
               ir::hostMatches(p, rep, std::nullopt) == ir::hostMatches(p, r.host, std::nullopt);
      });
    };
    // Each of the request's programs stands for itself by a representative that the same
    // globs match: together they match what the programs match.
    std::vector<bool> used(binaries_.size(), false);
    for (const std::string &binary : r.binaries) {
      auto rep = classOf(binaries_, [&](const std::string &b) {
        return std::all_of(binaryGlobs_.begin(), binaryGlobs_.end(),
                           [&](const std::string &g) { return ir::matchBinaryGlob(g, b) == ir::matchBinaryGlob(g, binary); });
      });
      bool namedByNone = std::none_of(binaryGlobs_.begin(), binaryGlobs_.end(),
                                      [&](const std::string &g) { return ir::matchBinaryGlob(g, binary); });
      if (!rep && !namedByNone) return std::nullopt;
      if (rep) used[*rep] = true;
    }
    auto sameMethods = [&](const std::string &rep) {
      return std::all_of(methods_.begin(), methods_.end(), [&](auto &m) { return (m == rep) == (m == r.method); });
    };
    auto samePaths = [&](const std::string &rep) {
      return std::all_of(pathGlobs_.begin(), pathGlobs_.end(),
                         [&](auto &g) { return ir::matchHttpPathGlob(g, rep) == ir::matchHttpPathGlob(g, r.path); });
    };
    auto name = classOf(names_, sameHosts);
    auto method = classOf(methodReps_, sameMethods);
    auto path = classOf(paths_, samePaths);
    if (!name || !method || !path) return std::nullopt;
    z3::expr out = hasName_ == ctx_.bool_val(!r.host.empty()) && hasAddr_ == ctx_.bool_val(r.address.has_value()) &&
                   port_ == ctx_.bv_val(r.port, 16) &&
                   http_ == ctx_.bool_val(r.protocol == ir::Protocol::Http) && method_ == static_cast<int>(*method) &&
                   path_ == static_cast<int>(*path);
    if (!r.host.empty()) out = out && name_ == static_cast<int>(*name);
    if (r.address) out = out && addr_ == addressValue(*r.address);
    for (size_t i = 0; i < uses_.size(); ++i) out = out && uses_[i] == ctx_.bool_val(used[i]);
    return out;
  }

private:
  void buildNames() {
    std::vector<std::string> literals, used;
    for (const ir::HostPattern &p : hostPatterns_) {
      if (p.kind == ir::HostPattern::Kind::Cidr) continue;
      addUnique(literals, std::vector{p.name});
      addUnique(used, labels(p.name));
    }
    std::string w = freshWord(used);
    names_ = {w};
    for (const std::string &t : literals) addUnique(names_, std::vector{t, w + "." + t, w + "." + w + "." + t});
  }

  z3::expr addressValue(const ir::Address &address) const {
    z3::expr out = ctx_.bv_val(address[0], 8);
    for (size_t i = 1; i < address.size(); ++i) out = z3::concat(out, ctx_.bv_val(address[i], 8));
    return out;
  }

  z3::expr inCidr(const ir::HostPattern &cidr) const {
    if (cidr.prefix == 0) return hasAddr_;
    return hasAddr_ && addr_.extract(127, 128 - cidr.prefix) == addressValue(cidr.address).extract(127, 128 - cidr.prefix);
  }

  // Memoised: the statements, the decision and the footprints all ask about each pattern.
  const std::vector<size_t> &namesMatching(const ir::HostPattern &p) const {
    std::string key = p.display();
    auto known = namesMatching_.find(key);
    if (known == namesMatching_.end())
      known = namesMatching_
                  .emplace(key, indicesWhere(names_.size(), [&](size_t i) { return ir::hostMatches(p, names_[i], std::nullopt); }))
                  .first;
    return known->second;
  }

  z3::expr hostMatches(const ir::HostPattern &p) const {
    if (p.kind == ir::HostPattern::Kind::Cidr) return inCidr(p);
    return hasName_ && oneOf(name_, namesMatching(p));
  }

  // Along the host names; a rule with a CIDR also matches named requests (a name may come
  // with an address), so it is anywhere.
  Footprint hostsWhere(const ir::NetworkRule &rule) const {
    Footprint out;
    for (const ir::HostPattern &p : rule.hosts) {
      if (p.kind == ir::HostPattern::Kind::Cidr) return Footprint::anywhere();
      out.add(footprintOf(namesMatching(p)));
    }
    return out;
  }

  z3::expr anyBinary(const std::function<bool(const std::string &)> &matches) const {
    std::vector<z3::expr> used;
    for (size_t i = 0; i < binaries_.size(); ++i)
      if (matches(binaries_[i])) used.push_back(uses_[i]);
    return anyOf(ctx_, used);
  }

  z3::expr inPorts(const ir::PortRange &range) const {
    return z3::uge(port_, ctx_.bv_val(range.low, 16)) && z3::ule(port_, ctx_.bv_val(range.high, 16));
  }

  z3::expr connectionMatches(const ir::NetworkRule &rule) const {
    std::vector<z3::expr> hosts, ports;
    for (const ir::HostPattern &h : rule.hosts) hosts.push_back(hostMatches(h));
    for (const ir::PortRange &range : rule.ports) ports.push_back(inPorts(range));
    z3::expr out = anyOf(ctx_, hosts);
    if (!ports.empty()) out = out && anyOf(ctx_, ports);
    if (!rule.binaries.empty())
      out = out && anyBinary([&](const std::string &b) {
              return std::any_of(rule.binaries.begin(), rule.binaries.end(),
                                 [&](auto &g) { return ir::matchBinaryGlob(g, b); });
            });
    return out;
  }

  z3::expr httpMatches(const ir::NetworkRule &rule) const {
    z3::expr out = ctx_.bool_val(true);
    if (!rule.methods.empty())
      out = out && oneOf(method_, indicesWhere(methodReps_.size(), [&](size_t i) {
                           return std::find(rule.methods.begin(), rule.methods.end(), methodReps_[i]) != rule.methods.end();
                         }));
    if (!rule.paths.empty())
      out = out && oneOf(path_, indicesWhere(paths_.size(), [&](size_t i) {
                           return std::any_of(rule.paths.begin(), rule.paths.end(),
                                              [&](auto &g) { return ir::matchHttpPathGlob(g, paths_[i]); });
                         }));
    return out;
  }

  // A reserved range refuses an address it holds unless a matching allow rule names a CIDR
  // inside it that holds the address.
  z3::expr reserved(const std::vector<std::pair<const ir::NetworkRule *, z3::expr>> &allows) const {
    std::vector<z3::expr> refusals;
    for (const ir::ReservedRange &range : ir::reservedRanges()) {
      std::vector<z3::expr> reopened;
      for (const auto &[rule, matched] : allows)
        for (const ir::HostPattern &h : rule->hosts)
          if (h.kind == ir::HostPattern::Kind::Cidr && ir::cidrInside(h, range.cidr)) reopened.push_back(matched && inCidr(h));
      z3::expr applies = range.onlyWhenResolved ? hasName_ : ctx_.bool_val(true);
      refusals.push_back(applies && inCidr(range.cidr) && !anyOf(ctx_, reopened));
    }
    return anyOf(ctx_, refusals);
  }

  ir::NetworkRequest decode(const z3::model &model) const {
    ir::NetworkRequest r;
    if (model.eval(hasName_, true).is_true()) r.host = names_[chosen(model, name_)];
    if (model.eval(hasAddr_, true).is_true()) {
      ir::Address a{};
      for (int i = 0; i < 16; ++i)
        a[i] = static_cast<uint8_t>(model.eval(addr_.extract(127 - 8 * i, 120 - 8 * i), true).get_numeral_uint());
      r.address = a;
    }
    r.port = static_cast<uint16_t>(model.eval(port_, true).get_numeral_uint());
    for (size_t i = 0; i < uses_.size(); ++i)
      if (model.eval(uses_[i], true).is_true()) r.binaries.push_back(binaries_[i]);
    if (model.eval(http_, true).is_true()) {
      r.protocol = ir::Protocol::Http;
      r.method = methodReps_[chosen(model, method_)];
      r.path = paths_[chosen(model, path_)];
    }
    return r;
  }

  z3::expr hasName_, name_, hasAddr_, addr_, port_;
  // Which of the programs standing for the `by` globs are the request's (a program and its
  // ancestors: a rule matches if any of them does); none: programs that no rule names.
  z3::expr_vector uses_;
  z3::expr http_, method_, path_;
  std::vector<ir::HostPattern> hostPatterns_;
  std::vector<std::string> binaryGlobs_, methods_, pathGlobs_;
  std::vector<std::string> names_, binaries_, methodReps_, paths_;
  mutable std::map<std::string, std::vector<size_t>> namesMatching_;
};

}  // namespace

std::optional<ir::HostPattern> providerHost(const ir::Provider &provider) {
  std::string host = ir::parseEndpoint(provider.endpoint).host;
  ir::HostPattern pattern;
  ValueError error;
  if (parseCidr(host, pattern, error) || parseHostPattern(host, pattern, error)) return pattern;
  return std::nullopt;
}

std::unique_ptr<Layer> networkLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies) {
  return std::make_unique<NetworkLayer>(ctx, policies);
}

std::optional<z3::expr> networkRequest(const Layer &layer, const ir::NetworkRequest &request) {
  return static_cast<const NetworkLayer &>(layer).request(request);
}

}  // namespace shellc::verify::smt
