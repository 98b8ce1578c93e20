#include <algorithm>

#include "frontend/checker.h"

namespace shellc {

namespace {
const std::vector<std::string_view> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH",
                                                "DELETE", "OPTIONS", "CONNECT", "TRACE"};
}

bool Checker::hostEndpoint(const ast::Endpoint &endpoint, ir::HostPattern &host,
                           std::vector<ir::PortRange> &ports, const char *missingPort) {
  bool ok = true;
  auto h = resolve(endpoint.host, {ParamType::Host, ParamType::Cidr}, "host");
  ValueError e;
  if (!h) ok = false;
  else if (!parseHostPattern(h->text, host, e)) {
    report("invalid-host", h->span, e);
    ok = false;
  }
  if (!endpoint.hasPorts && missingPort) {
    std::string written = endpoint.host.kind == ast::Value::Kind::String ? "\"" + endpoint.host.text + "\""
                                                                         : endpoint.host.text;
    error("missing-port", endpoint.span, missingPort).withHint("write e.g. " + written + ":443");
    return false;
  }
  ports.clear();
  for (const ast::PortRange &range : endpoint.ports) {
    auto low = resolve(range.low, {ParamType::Port}, "port");
    uint16_t lo = 0, hi = 0;
    if (!low || !parsePort(low->text, lo, e)) {
      if (low) report("invalid-port", low->span, e);
      ok = false;
      continue;
    }
    hi = lo;
    if (range.high && !parsePort(range.high->text, hi, e)) {
      report("invalid-port", range.high->span, e);
      ok = false;
      continue;
    }
    if (hi < lo) {
      error("invalid-port", range.span, "port range is empty").withHint("write the lower port first");
      ok = false;
      continue;
    }
    ports.push_back({lo, hi});
  }
  return ok;
}

// Binaries, methods and HTTP paths of a rule or a request; shared with check_requests.cpp.
bool networkClauses(Checker &c, const ast::NetworkClauses &clauses, std::vector<std::string> &binaries,
                    std::vector<std::string> &methods, std::vector<std::string> &paths) {
  bool ok = true;
  for (const ast::Value &b : clauses.binaries) {
    auto v = c.resolve(b, {ParamType::Path}, "binary");
    ValueError e;
    if (!v || v->builtin) {
      if (v) c.error("invalid-binary", b.span, "a binary is an absolute path, not '" + b.text + "'");
      ok = false;
    } else if (!checkBinaryPattern(v->text, e)) {
      c.report("invalid-binary", v->span, e);
      ok = false;
    } else {
      binaries.push_back(v->text);
    }
  }
  for (const ast::Value &m : clauses.methods) {
    std::string upper = m.text;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    if (upper != m.text && std::find(kMethods.begin(), kMethods.end(), upper) != kMethods.end()) {
      c.error("invalid-method", m.span, "HTTP methods are uppercase").withHint("write " + upper);
      ok = false;
    } else if (!c.oneOf(m, kMethods, "HTTP method")) {
      ok = false;
    } else {
      methods.push_back(m.text);
    }
  }
  for (const ast::Value &p : clauses.paths) {
    ValueError e;
    if (!checkHttpPathGlob(p.text, e)) {
      c.report("invalid-http-path", p.span, e);
      ok = false;
    } else {
      paths.push_back(p.text);
    }
  }
  return ok;
}

void Checker::checkNetwork() {
  ir::Network &net = policy_.network;
  if (auto d = setting(ast::Layer::Network, "default")) net.defaultAllow = d->values[0].text == "allow";
  if (auto e = setting(ast::Layer::Network, "enforcement")) {
    if (oneOf(e->values[0], {"enforce", "audit"}, "enforcement")) net.audit = e->values[0].text == "audit";
  }
  forEachModule([&](const ast::Module &m) {
    for (const ast::NetworkRule &rule : m.networkRules) {
      ir::NetworkRule out;
      out.id = ruleId(rule.name, rule.span);
      out.allow = rule.decision.text == "allow";
      out.audit = rule.clauses.audit.has_value();
      bool ok = networkClauses(*this, rule.clauses, out.binaries, out.methods, out.paths);
      bool layer7 = !out.methods.empty() || !out.paths.empty();
      if (rule.protocol) {
        if (!oneOf(*rule.protocol, {"tcp", "http"}, "protocol")) ok = false;
        else if (rule.protocol->text == "tcp" && layer7) {
          error("protocol-mismatch", rule.protocol->span, "methods and paths need the http protocol")
              .withHint("write `" + rule.decision.text + " http …`");
          ok = false;
        }
      }
      out.protocol = (rule.protocol && rule.protocol->text == "http") || layer7 ? ir::Protocol::Http
                                                                               : ir::Protocol::Tcp;
      std::vector<ir::PortRange> ports;
      bool first = true;
      for (const ast::Endpoint &endpoint : rule.endpoints) {
        ir::HostPattern host;
        std::vector<ir::PortRange> endpointPorts;
        if (!hostEndpoint(endpoint, host, endpointPorts,
                          out.allow ? "an allowed endpoint needs a port (:* for any)" : nullptr)) {
          ok = false;
          continue;
        }
        if (endpoint.anyPort) endpointPorts.clear();
        // One IR rule per distinct port set keeps "host:port" pairs exact.
        if (!first && (endpointPorts.size() != ports.size() ||
                       !std::equal(endpointPorts.begin(), endpointPorts.end(), ports.begin(),
                                   [](auto &a, auto &b) { return a.low == b.low && a.high == b.high; }))) {
          if (ok) net.rules.push_back(out);
          out.hosts.clear();
        }
        ports = endpointPorts;
        out.ports = endpointPorts;
        out.hosts.push_back(host);
        first = false;
      }
      if (ok && !out.hosts.empty()) net.rules.push_back(std::move(out));
    }
  });
}

}  // namespace shellc
