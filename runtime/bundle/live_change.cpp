#include "bundle/live_change.h"

#include <algorithm>

#include "bundle/json.h"

namespace shellrt {

namespace {

// A rule's place in its source ({"file", "line", ...}), or a list of them.
bool isProvenance(const Json &j) {
  if (j.kind == Json::Kind::Object) return j.object.count("file") && j.object.count("line");
  if (j.kind != Json::Kind::Array || j.array.empty()) return false;
  for (const Json &item : j.array)
    if (!isProvenance(item)) return false;
  return true;
}

bool same(const Json &a, const Json &b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
  case Json::Kind::Null: return true;
  case Json::Kind::Bool: return a.boolean == b.boolean;
  case Json::Kind::Number: return a.number == b.number && a.negative == b.negative;
  case Json::Kind::String: return a.string == b.string;
  case Json::Kind::Array:
    if (a.array.size() != b.array.size()) return false;
    for (size_t i = 0; i < a.array.size(); ++i)
      if (!same(a.array[i], b.array[i])) return false;
    return true;
  case Json::Kind::Object:
    if (a.object.size() != b.object.size()) return false;
    for (auto i = a.object.begin(), k = b.object.begin(); i != a.object.end(); ++i, ++k) {
      if (i->first != k->first) return false;
      bool bothProvenance = (i->first == "rule" || i->first == "rules") && isProvenance(i->second) && isProvenance(k->second);
      if (!bothProvenance && !same(i->second, k->second)) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

std::string changedStaticLayer(const std::string &running, const std::string &fresh) {
  Json a, b;
  std::string error;
  if (!parseJson(running, a, error) || !parseJson(fresh, b, error)) return "the bundle itself (" + error + ")";
  static const char *kStatic[] = {"format_version", "landlock", "mounts", "process", "seccomp", "unix_sockets", "params"};
  for (const char *section : kStatic) {
    auto was = a.object.find(section), is = b.object.find(section);
    bool wasThere = was != a.object.end(), isThere = is != b.object.end();
    if (wasThere != isThere || (wasThere && !same(was->second, is->second))) return section;
  }
  return "";
}

namespace {

// A provider whose key the start read for it: the same name, from the same source.
bool keyedAtStart(const Routes &started, const Routes::Provider &p) {
  return std::any_of(started.providers.begin(), started.providers.end(), [&](const Routes::Provider &s) {
    return s.name == p.name && s.keySource == p.keySource && s.keyName == p.keyName;
  });
}

}  // namespace

std::string needsNewSession(const Bundle &started, const Bundle &fresh) {
  if (fresh.egress.judgesRequests() && !started.egress.judgesRequests())
    return "it judges requests by method or path (an `allow http` rule with methods or paths), for which the proxy ends "
           "TLS with an authority the sandbox trusts, made only when a session starts with such a rule";
  if (!fresh.routes.providers.empty() && started.routes.providers.empty())
    return "it routes models, and the inference router (its listener in the sandbox, the agents' variables) is made only "
           "when a session starts with routes";
  for (const Routes::Provider &p : fresh.routes.providers)
    if (!keyedAtStart(started.routes, p))
      return "provider `" + p.name + "` takes a key that this session did not read (keys are read only at the start)";
  return "";
}

}  // namespace shellrt
