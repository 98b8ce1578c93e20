#include <algorithm>
#include <set>

#include "frontend/values.h"
#include "importers/openshell.h"
#include "ir/evaluate.h"

namespace shellc::importers {
namespace {

const std::vector<std::string_view> kPolicyKeys = {"name", "endpoints", "binaries"};
const std::vector<std::string_view> kEndpointKeys = {
    "host", "path", "port", "ports", "protocol", "tls", "enforcement", "access", "rules", "allowed_ips",
    "deny_rules", "allow_encoded_slash", "websocket_credential_rewrite", "request_body_credential_rewrite",
    "allow_uninspected_credentials", "persisted_queries", "graphql_persisted_queries", "graphql_max_body_bytes",
    "credential_signing", "signing_service", "signing_region", "json_rpc", "mcp"};
const std::vector<std::string_view> kRuleKeys = {"method", "path", "command", "query", "operation_type",
                                                 "operation_name", "fields", "tool", "params"};
// The HTTP methods of the language, in the order rules list them.
const std::vector<std::string_view> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH",
                                                "DELETE", "OPTIONS", "CONNECT", "TRACE"};
const std::vector<std::string_view> kUnsupportedProtocols = {"websocket", "graphql", "mcp", "json-rpc"};

// What one L7 rule of OpenShell matches: methods (none: any) on a path glob ("": any).
struct Requests {
  std::vector<std::string> methods;
  std::string path;
  uint32_t line = 0;
};

// One statement of the network block, before its @name; a comment alone when `body` is empty.
struct NetRule {
  std::string comment, body;
};

bool among(const std::vector<std::string_view> &list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The union of two method sets in the language's order; an empty set is every method.
std::vector<std::string> unite(const std::vector<std::string> &a, const std::vector<std::string> &b) {
  if (a.empty() || b.empty()) return {};
  std::vector<std::string> out;
  for (std::string_view m : kMethods)
    if (std::find(a.begin(), a.end(), m) != a.end() || std::find(b.begin(), b.end(), m) != b.end())
      out.emplace_back(m);
  return out;
}

// The fewest rules that allow (or deny) exactly the union of `requests`: the methods of each
// path united, then the paths with the same methods listed together.
struct Group {
  std::vector<std::string> methods, paths;  // empty: any
  std::vector<uint32_t> lines;
};
std::vector<Group> group(const std::vector<Requests> &requests) {
  std::vector<Group> byPath;
  for (const Requests &r : requests) {
    auto it = std::find_if(byPath.begin(), byPath.end(), [&](const Group &g) { return g.paths[0] == r.path; });
    if (it == byPath.end()) byPath.push_back({r.methods, {r.path}, {r.line}});
    else {
      it->methods = unite(it->methods, r.methods);
      it->lines.push_back(r.line);
    }
  }
  std::vector<Group> out;
  for (const Group &g : byPath) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Group &o) { return o.methods == g.methods; });
    if (it == out.end()) {
      out.push_back(g);
      continue;
    }
    it->paths.push_back(g.paths[0]);
    it->lines.insert(it->lines.end(), g.lines.begin(), g.lines.end());
  }
  for (Group &g : out)
    if (std::find(g.paths.begin(), g.paths.end(), "") != g.paths.end()) g.paths.clear();
  return out;
}

struct RuleText {
  bool allow = true, http = false, audit = false;
  std::vector<std::string> endpoints, methods, paths;
};

std::string body(const RuleText &r, const std::string &binaries) {
  std::string out = std::string(r.allow ? "allow" : "deny") + (r.http ? " http " : " ") + joined(r.endpoints) +
                    " by " + binaries;
  if (!r.methods.empty()) out += " methods " + joined(r.methods);
  std::vector<std::string> paths;
  for (const std::string &p : r.paths) paths.push_back(quoted(p));
  if (!paths.empty()) out += " paths " + joined(paths);
  return out + (r.audit ? " audit" : "");
}

// Whether naming `cidr` in an allow rule would reopen an address range that OpenShell always
// refuses (loopback, link-local, unspecified): shellc reopens a range for a rule that names a
// CIDR inside it.
bool reopensAlwaysRefused(const ir::HostPattern &cidr) {
  for (const ir::ReservedRange &range : ir::reservedRanges())
    if (!range.onlyWhenResolved && cidr.prefix >= range.cidr.prefix && ir::cidrContains(range.cidr, cidr.address))
      return true;
  return false;
}

// A host or CIDR as the language writes it: IPv4 bare, names and IPv6 in quotes.
std::string hostText(const ir::HostPattern &host) {
  bool bare = host.kind == ir::HostPattern::Kind::Cidr && host.ipv4;
  return bare ? host.display() : quoted(host.display());
}

class NetworkImporter {
public:
  NetworkImporter(YamlInput &in, std::string file) : in_(in), file_(std::move(file)) {}

  void write(const YAML::Node &policies, PolicyWriter &out) {
    if (!policies.IsMap()) {
      in_.diags().error("invalid-type", in_.span(policies), "network_policies must be a mapping of named policies");
      return;
    }
    std::vector<std::pair<std::string, NetRule>> rules;  // @name, rule
    for (auto it = policies.begin(); it != policies.end(); ++it) {
      std::vector<NetRule> own = policy(it->first, it->second);
      size_t named = std::count_if(own.begin(), own.end(), [](const NetRule &r) { return !r.body.empty(); });
      std::string base = identifier(it->first.Scalar());
      size_t n = 0;
      for (NetRule &r : own)
        rules.emplace_back(r.body.empty() ? "" : unique(named == 1 ? base : base + "_" + std::to_string(++n)), r);
    }
    if (rules.empty()) return;
    out.open("network");
    for (auto &[name, rule] : rules) {
      out.comment(rule.comment);
      if (!rule.body.empty()) out.statement("@" + name + " " + rule.body);
    }
    out.close();
  }

private:
  std::string unique(std::string name) {
    std::string candidate = name;
    for (int n = 2; !used_.insert(candidate).second; ++n) candidate = name + "_" + std::to_string(n);
    return candidate;
  }

  std::string at(const std::vector<uint32_t> &lines, const std::string &what) const {
    return file_ + ":" + lineList(lines) + ": " + what;
  }

  std::vector<NetRule> policy(const YAML::Node &key, const YAML::Node &value) {
    std::string label = key.Scalar();
    auto fields = in_.fields(value, kPolicyKeys, "network policy '" + label + "'");
    if (!fields) return {};
    auto name = fields->get("name");
    auto nameText = name ? in_.scalar(*name, "name") : std::nullopt;
    if (nameText && *nameText != label) label += " (" + *nameText + ")";
    auto binaries = this->binaries(*fields);
    auto endpointsNode = fields->get("endpoints");
    auto endpoints = endpointsNode ? in_.sequence(*endpointsNode, "endpoints") : std::nullopt;
    std::vector<NetRule> rules;
    RuleText plain;  // the L4 endpoints, one rule where the first of them is
    std::vector<uint32_t> plainLines;
    std::optional<size_t> plainAt;
    // Endpoints are read even when the binaries are wrong, to report all errors at once.
    for (const YAML::Node &node : endpoints.value_or(std::vector<YAML::Node>{})) {
      EndpointRules e = endpoint(node, label, binaries.value_or(""));
      rules.insert(rules.end(), e.rules.begin(), e.rules.end());
      if (e.plain.empty()) continue;
      plain.endpoints.insert(plain.endpoints.end(), e.plain.begin(), e.plain.end());
      plainLines.push_back(in_.line(node));
      if (!plainAt) {
        plainAt = rules.size();
        rules.emplace_back();
      }
    }
    if (!binaries) return {};
    uint32_t line = in_.line(key);
    if (binaries->empty()) {
      in_.diags().warning("no-equivalent", in_.span(key),
                          "'" + key.Scalar() + "' lists no binaries, and OpenShell lets only the listed binaries "
                          "reach a policy's endpoints: nothing imported")
          .withHint("add the binaries that may connect");
      return {{at({line}, label + ": no binaries, so no program may connect; nothing imported"), ""}};
    }
    if (rules.empty()) return {{at({line}, label + ": no endpoints"), ""}};
    if (plainAt) rules[*plainAt] = {at(plainLines, label), body(plain, *binaries)};
    return rules;
  }

  // `by` of the policy's rules: its binaries, quoted; nullopt after an error.
  std::optional<std::string> binaries(const Fields &fields) {
    auto node = fields.get("binaries");
    auto items = node ? in_.sequence(*node, "binaries") : std::optional<std::vector<YAML::Node>>(std::vector<YAML::Node>{});
    if (!items) return std::nullopt;
    std::vector<std::string> out;
    bool ok = true;
    for (const YAML::Node &item : *items) {
      auto binary = in_.fields(item, {"path", "harness"}, "a binary");
      if (binary && binary->get("harness"))
        in_.diags().warning("unused-key", in_.span(binary->keyNode("harness")),
                            "harness is deprecated, and OpenShell ignores it; ignored");
      auto path = binary ? binary->get("path") : std::nullopt;
      if (binary && !path) in_.diags().error("missing-key", in_.span(item), "a binary needs a path");
      auto text = path ? in_.scalar(*path, "a binary's path") : std::nullopt;
      ValueError e;
      if (text && checkBinaryPattern(*text, e)) {
        out.push_back(quoted(*text));
        continue;
      }
      if (text) in_.diags().error("invalid-binary", in_.span(*path), e.message).withHint(e.hint);
      ok = false;
    }
    return ok ? std::optional(joined(out)) : std::nullopt;
  }

  // What one endpoint becomes: host:port pairs for the policy's plain rule, or rules of its
  // own (a comment alone when it cannot be imported). Unsupported parts are reported.
  struct EndpointRules {
    std::vector<std::string> plain;
    std::vector<NetRule> rules;
  };
  EndpointRules endpoint(const YAML::Node &node, const std::string &label, const std::string &binaries) {
    auto fields = in_.fields(node, kEndpointKeys, "an endpoint");
    if (!fields) return {};
    auto text = [&](std::string_view key) -> std::optional<std::string> {
      auto value = fields->get(key);
      return value ? in_.scalar(*value, key) : std::nullopt;
    };
    std::string protocol = text("protocol").value_or("");
    auto hostNode = fields->get("host");
    std::string what = label + ": " + (hostNode ? hostNode->Scalar() : "allowed_ips");
    auto leftOut = [&](const std::string &why) {
      return EndpointRules{{}, {{at({in_.line(node)}, what + ": " + why + "; not imported"), ""}}};
    };
    if (among(kUnsupportedProtocols, protocol)) {
      in_.diags().warning("no-equivalent", in_.span(*fields->get("protocol")),
                          "protocol " + protocol + " has no equivalent in shellc yet: endpoint not imported, so "
                          "its connections are refused");
      return leftOut("protocol " + protocol + " has no equivalent");
    }
    if (!protocol.empty() && protocol != "rest" && protocol != "tcp") {
      in_.diags().error("invalid-value", in_.span(*fields->get("protocol")), "unknown protocol '" + protocol + "'")
          .withHint("rest, tcp, websocket, graphql, mcp or json-rpc; leave it out for a plain connection");
      return {};
    }
    auto ports = this->ports(*fields, node);
    auto endpoints = ports ? hosts(*fields, node, *ports) : std::nullopt;
    if (!endpoints) return {};
    if (endpoints->empty()) return leftOut("no host or address that shellc can express");
    warnUnsupported(*fields);
    auto enforcement = text("enforcement").value_or("enforce");
    auto tls = text("tls").value_or("");
    if (!oneOf(*fields, "enforcement", enforcement, {"enforce", "audit"}) ||
        !oneOf(*fields, "tls", tls, {"", "terminate", "skip"}))
      return {};
    if (protocol != "rest") return plainEndpoint(*fields, *endpoints);
    if (tls == "skip")
      in_.diags().warning("no-equivalent", in_.span(*fields->get("tls")),
                          "shellc's proxy terminates TLS to check the requests of http rules; tls: skip has no "
                          "equivalent");
    EndpointRules out;
    layer7(*fields, node, what, binaries, *endpoints, enforcement == "audit", out.rules);
    return out;
  }

  // A plain (L4) endpoint: what only `protocol: rest` gives meaning to is an error, or ignored.
  EndpointRules plainEndpoint(const Fields &fields, std::vector<std::string> endpoints) {
    for (std::string_view key : {"access", "rules", "deny_rules"}) {
      if (!fields.get(key)) continue;
      in_.diags().error("invalid-value", in_.span(fields.keyNode(key)), std::string(key) + " needs protocol: rest")
          .withHint("add `protocol: rest`");
      return {};
    }
    for (std::string_view key : {"path", "enforcement"})
      if (fields.get(key))
        in_.diags().warning("unused-key", in_.span(fields.keyNode(key)),
                            std::string(key) + " applies only to protocol rest; ignored");
    if (auto tls = fields.get("tls"); tls && tls->Scalar() == "terminate")
      in_.diags().warning("unused-key", in_.span(fields.keyNode("tls")),
                          "shellc's proxy terminates TLS only to check the requests of http rules (protocol rest), "
                          "and a plain rule passes it through; tls: terminate ignored");
    return {std::move(endpoints), {}};
  }

  bool oneOf(const Fields &fields, std::string_view key, const std::string &value,
             const std::vector<std::string_view> &choices) {
    if (among(choices, value)) return true;
    Diagnostic &d = in_.diags().error("invalid-value", in_.span(*fields.get(key)),
                                      "unknown " + std::string(key) + " '" + value + "'");
    std::string list;
    for (std::string_view c : choices)
      if (!c.empty()) list += (list.empty() ? "" : " or ") + std::string(c);
    d.withHint(list);
    return false;
  }

  // "443" or "[80, 443]"; `ports`, unless empty, wins over `port`, as in OpenShell.
  std::optional<std::string> ports(const Fields &fields, const YAML::Node &endpoint) {
    std::vector<YAML::Node> nodes;
    if (auto list = fields.get("ports")) {
      auto items = in_.sequence(*list, "ports");
      if (!items) return std::nullopt;
      nodes = *items;
    }
    if (auto port = fields.get("port"); port && nodes.empty())
      nodes.push_back(*port);
    else if (port)
      in_.diags().warning("unused-key", in_.span(fields.keyNode("port")),
                          "port is ignored when ports is set, as OpenShell ignores it");
    if (nodes.empty()) {
      in_.diags().error("missing-key", in_.span(endpoint), "an endpoint needs a port or ports").withHint("add e.g. `port: 443`");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const YAML::Node &node : nodes) {
      auto text = in_.scalar(node, "a port");
      uint16_t port;
      ValueError e;
      if (!text) return std::nullopt;
      if (!parsePort(*text, port, e)) {
        in_.diags().error("invalid-port", in_.span(node), e.message).withHint(e.hint);
        return std::nullopt;
      }
      out.push_back(std::to_string(port));
    }
    return out.size() == 1 ? out[0] : "[" + joined(out) + "]";
  }

  // The host and the allowed_ips as endpoints of the language; nullopt after an error, none
  // when none can be expressed (each reported).
  std::optional<std::vector<std::string>> hosts(const Fields &fields, const YAML::Node &endpoint,
                                                const std::string &ports) {
    std::vector<std::string> out;
    auto hostNode = fields.get("host");
    auto ipsNode = fields.get("allowed_ips");
    auto ips = ipsNode ? in_.sequence(*ipsNode, "allowed_ips") : std::optional<std::vector<YAML::Node>>(std::vector<YAML::Node>{});
    if (!ips) return std::nullopt;
    if (!hostNode && ips->empty()) {
      in_.diags().error("missing-key", in_.span(endpoint), "an endpoint needs a host or allowed_ips");
      return std::nullopt;
    }
    if (hostNode) {
      auto text = in_.scalar(*hostNode, "host");
      if (!text) return std::nullopt;
      std::string host = *text;
      std::transform(host.begin(), host.end(), host.begin(), ::tolower);  // OpenShell ignores case
      ir::HostPattern pattern;
      ValueError e;
      if (!parseHostPattern(host, pattern, e)) {
        bool partialWildcard = host.find('*') != std::string::npos && host != "*" && host != "**";
        if (!partialWildcard) {
          in_.diags().error("invalid-host", in_.span(*hostNode), e.message).withHint(e.hint);
          return std::nullopt;
        }
        in_.diags().warning("no-equivalent", in_.span(*hostNode),
                            "'" + host + "': " + e.message + " in shellc: endpoint not imported, so its "
                            "connections are refused")
            .withHint("list the hosts it should match");
        return out;
      }
      out.push_back(hostText(pattern) + ":" + ports);
    }
    for (const YAML::Node &ip : *ips) {
      auto text = in_.scalar(ip, "an allowed IP");
      ir::HostPattern cidr;
      ValueError e;
      if (!text) return std::nullopt;
      if (!parseCidr(*text, cidr, e)) {
        in_.diags().error("invalid-host", in_.span(ip), e.message).withHint(e.hint);
        return std::nullopt;
      }
      if (reopensAlwaysRefused(cidr)) {
        in_.diags().warning("no-equivalent", in_.span(ip),
                            "OpenShell refuses loopback, link-local and unspecified addresses whatever "
                            "allowed_ips says, and shellc would allow them here: left out");
        continue;
      }
      out.push_back(hostText(cidr) + ":" + ports);
    }
    if (hostNode && out.size() > 1)
      in_.diags().warning("no-equivalent", in_.span(fields.keyNode("allowed_ips")),
                          "shellc cannot tie allowed_ips to the host: the rule allows these addresses whether "
                          "they are reached through the host's name or directly");
    return out;
  }

  void warnUnsupported(const Fields &fields) {
    for (std::string_view key : {"websocket_credential_rewrite", "request_body_credential_rewrite",
                                 "allow_uninspected_credentials", "credential_signing", "signing_service",
                                 "signing_region"})
      if (enabled(fields, key))
        in_.diags().warning("no-equivalent", in_.span(fields.keyNode(key)),
                            std::string(key) + ": shellc's proxy neither rewrites nor signs credentials; ignored");
    if (enabled(fields, "allow_encoded_slash"))
      in_.diags().warning("no-equivalent", in_.span(fields.keyNode("allow_encoded_slash")),
                          "allow_encoded_slash has no equivalent in shellc; ignored");
    for (std::string_view key : {"persisted_queries", "graphql_persisted_queries", "graphql_max_body_bytes",
                                 "json_rpc", "mcp"})
      if (fields.get(key))
        in_.diags().warning("unused-key", in_.span(fields.keyNode(key)),
                            std::string(key) + " applies only to graphql, json-rpc and mcp endpoints; ignored");
  }

  // Whether an option is on: set to something other than false or empty.
  bool enabled(const Fields &fields, std::string_view key) {
    auto value = fields.get(key);
    return value && !(value->IsScalar() && (value->Scalar() == "false" || value->Scalar().empty()));
  }

  void layer7(const Fields &fields, const YAML::Node &endpoint, const std::string &what, const std::string &binaries,
              const std::vector<std::string> &endpoints, bool audit, std::vector<NetRule> &rules) {
    auto access = fields.get("access");
    auto allowRules = fields.get("rules");
    std::string scope;  // the endpoint's path
    if (auto path = fields.get("path")) {
      auto text = in_.scalar(*path, "path");
      ValueError e;
      if (!text) return;
      if (*text != "**" && !checkHttpPathGlob(*text, e)) {
        in_.diags().error("invalid-http-path", in_.span(*path), e.message).withHint(e.hint);
        return;
      }
      scope = *text == "**" ? "" : *text;
    }
    if (access && allowRules) {
      in_.diags().error("invalid-value", in_.span(fields.keyNode("rules")), "access and rules cannot both be set");
      return;
    }
    if (!access && !allowRules) {
      in_.diags().error("missing-key", in_.span(endpoint), "protocol rest needs access or rules")
          .withHint("add e.g. `access: read-only`");
      return;
    }
    std::vector<Requests> allows, denies;
    if (access && !preset(*access, scope, allows)) return;
    if (allowRules && !l7Rules(*allowRules, "rules", false, scope, allows)) return;
    if (auto denyRules = fields.get("deny_rules"); denyRules && !l7Rules(*denyRules, "deny_rules", true, scope, denies))
      return;
    std::string how = access ? "access: " + access->Scalar() : "rules";
    for (const Group &g : group(allows))
      rules.push_back({at(g.lines, what + ", " + how), body({true, true, false, endpoints, g.methods, g.paths}, binaries)});
    for (const Group &g : group(denies))
      rules.push_back({at(g.lines, what + ", deny_rules" + (audit ? ", logged only (enforcement: audit)" : "")),
                       body({false, true, audit, endpoints, g.methods, g.paths}, binaries)});
    if (audit)
      rules.push_back({at({in_.line(*fields.get("enforcement"))},
                          what + ", enforcement: audit: requests the rules do not allow are let through and logged"),
                       body({true, true, true, endpoints, {}, {}}, binaries)});
  }

  bool preset(const YAML::Node &node, const std::string &scope, std::vector<Requests> &out) {
    auto text = in_.scalar(node, "access");
    if (!text) return false;
    std::vector<std::string> methods;
    if (*text == "read-only") methods = {"GET", "HEAD", "OPTIONS"};
    else if (*text == "read-write") methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "OPTIONS"};
    else if (*text != "full") {
      in_.diags().error("invalid-value", in_.span(node), "unknown access preset '" + *text + "'")
          .withHint("read-only, read-write or full");
      return false;
    }
    out.push_back({methods, scope, in_.line(node)});
    return true;
  }

  bool l7Rules(const YAML::Node &node, std::string_view key, bool deny, const std::string &scope,
               std::vector<Requests> &out) {
    auto items = in_.sequence(node, key);
    if (!items) return false;
    if (items->empty()) {
      in_.diags().error("invalid-value", in_.span(node), std::string(key) + " is empty")
          .withHint(deny ? "leave it out" : "list at least one rule, or use access");
      return false;
    }
    for (const YAML::Node &item : *items) {
      std::optional<Fields> rule;
      if (deny) {
        rule = in_.fields(item, kRuleKeys, "a deny rule");
      } else if (auto wrapper = in_.fields(item, {"allow"}, "a rule")) {
        auto allow = wrapper->get("allow");
        if (!allow) in_.diags().error("missing-key", in_.span(item), "a rule needs allow");
        if (allow) rule = in_.fields(*allow, kRuleKeys, "an allow rule");
      }
      if (!rule) return false;
      if (auto requests = this->requests(*rule, item, deny, scope)) out.push_back(*requests);
    }
    return true;
  }

  // What one rule matches. A part of an allow rule that has no equivalent leaves the rule
  // out (what it allowed is refused); of a deny rule, widens the rule (it denies more).
  std::optional<Requests> requests(const Fields &rule, const YAML::Node &node, bool deny, const std::string &scope) {
    const char *fate = deny ? "the rule denies more than in OpenShell" : "rule not imported, so what it allowed is refused";
    Requests out{{}, scope, in_.line(node)};
    for (std::string_view key : {"command", "operation_type", "operation_name", "fields", "tool", "params"})
      if (rule.get(key))
        in_.diags().warning("unused-key", in_.span(rule.keyNode(key)),
                            std::string(key) + " applies only to other protocols than rest; ignored");
    auto method = rule.get("method");
    auto methodText = method ? in_.scalar(*method, "method") : std::nullopt;
    if (!methodText) {
      if (!method) in_.diags().warning("missing-key", in_.span(node), "a rule without a method matches no request in OpenShell; not imported");
      return std::nullopt;
    }
    std::string upper = *methodText;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    if (upper == "GET") out.methods = {"GET", "HEAD"};  // OpenShell's GET rules allow HEAD too
    else if (among(kMethods, upper)) out.methods = {upper};
    else if (upper != "*") {
      in_.diags().warning("no-equivalent", in_.span(*method), "method " + *methodText + " has no equivalent in shellc: " + fate);
      if (!deny) return std::nullopt;
    }
    if (auto path = rule.get("path")) {
      auto text = in_.scalar(*path, "path");
      ValueError e;
      if (!text) return std::nullopt;
      std::string glob = *text == "**" ? "" : *text;
      if (!glob.empty() && !checkHttpPathGlob(glob, e)) {
        in_.diags().warning("no-equivalent", in_.span(*path), e.message + ": " + fate);
        if (!deny) return std::nullopt;
        glob = "";
      }
      if (!glob.empty() && !scope.empty() && glob != scope) {
        in_.diags().warning("no-equivalent", in_.span(*path),
                            "shellc cannot match both the endpoint's path '" + scope + "' and this one: " + fate);
        if (!deny) return std::nullopt;
      }
      if (!glob.empty()) out.path = glob;
    }
    if (auto query = rule.get("query")) {
      in_.diags().warning("no-equivalent", in_.span(rule.keyNode("query")),
                          std::string("query matchers have no equivalent in shellc: ") + fate);
      if (!deny) return std::nullopt;
    }
    return out;
  }

  YamlInput &in_;
  std::string file_;
  std::set<std::string> used_;
};

}  // namespace

void writeNetworkPolicies(YamlInput &in, const std::string &file, const YAML::Node &policies, PolicyWriter &out) {
  NetworkImporter(in, file).write(policies, out);
}

}  // namespace shellc::importers
