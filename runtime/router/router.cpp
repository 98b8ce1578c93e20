#include "router/router.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "egress/host_name.h"
#include "egress/http_head.h"
#include "egress/tls.h"
#include "egress/transfer.h"
#include "router/route.h"

namespace shellrt::router {

using namespace egress;

namespace {

constexpr size_t kMaxBody = 32u << 20;  // a long conversation with images fits; more is refused
constexpr size_t kMaxConnections = 1024;
constexpr size_t kMaxKeyFile = 64 * 1024;
// Idle connections to a provider: a few per endpoint, for a short while (providers end idle
// ones after some seconds; one they ended is never handed out, but the race costs a retry).
constexpr size_t kMaxIdleUpstreams = 16;
constexpr int64_t kIdleUpstreamMs = 10000;

enum class Api { OpenAI, Anthropic };
const char *apiName(Api api) { return api == Api::OpenAI ? "openai" : "anthropic"; }

struct Served {
  const char *method, *path;
  Api api;
};
// What the router serves; everything else is refused in the API's own shape.
const Served kServed[] = {
    {"POST", "/v1/chat/completions", Api::OpenAI}, {"POST", "/v1/completions", Api::OpenAI},
    {"POST", "/v1/responses", Api::OpenAI},        {"POST", "/v1/embeddings", Api::OpenAI},
    {"GET", "/v1/models", Api::OpenAI},            {"POST", "/v1/messages", Api::Anthropic},
    {"POST", "/v1/messages/count_tokens", Api::Anthropic},
};

// The request's fields that an API needs, sent on; the caller's credentials (Authorization,
// x-api-key, cookies) and everything else stay behind.
const char *kForwarded[] = {"content-type", "accept", "user-agent", "anthropic-version", "anthropic-beta",
                            "openai-beta", "idempotency-key"};

// The first field of that name (lower case), or "".
std::string field(const Headers &headers, const std::string &name) {
  std::vector<std::string> values = valuesOf(headers, name);
  return values.empty() ? "" : values.front();
}

bool parseEndpoint(const std::string &url, ProviderUrl &out) {
  out.tls = url.rfind("https://", 0) == 0;
  std::string rest = url.substr(out.tls ? 8 : 7);
  size_t slash = std::min(rest.find('/'), rest.size());
  out.base = rest.substr(slash);
  while (!out.base.empty() && out.base.back() == '/') out.base.pop_back();
  std::string authority = rest.substr(0, slash);
  size_t colon = authority.rfind(':');
  bool bracketed = !authority.empty() && authority[0] == '[';
  out.port = out.tls ? 443 : 80;
  if (colon != std::string::npos && (!bracketed || colon > authority.find(']'))) {
    out.port = static_cast<uint16_t>(std::atoi(authority.c_str() + colon + 1));
    authority.resize(colon);
  }
  out.host = bracketed ? authority.substr(1, authority.size() - 2) : authority;
  return !out.host.empty() && out.port != 0;
}

}  // namespace

Keys readKeys(const Routes &routes) {
  Keys keys;
  for (const Routes::Provider &p : routes.providers) {
    if (p.keySource == "env") {
      const char *value = std::getenv(p.keyName.c_str());
      if (value && *value) keys.byProvider[p.name] = value;
      else keys.missing[p.name] = "the variable " + p.keyName + " is not set in shellrt's environment";
    } else if (p.keySource == "file") {
      std::ifstream file(p.keyName);
      std::stringstream text;
      text << file.rdbuf();
      std::string key = text.str();
      while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
      if (file && !key.empty() && key.size() <= kMaxKeyFile) keys.byProvider[p.name] = key;
      else keys.missing[p.name] = "the file " + p.keyName + " cannot be read, or is empty";
    }
  }
  return keys;
}

struct Router::Call {
  int client = -1;
  uint16_t port = 0;
  Stream in{{}, {}};
  RequestHead head;
  Api api = Api::OpenAI;
  std::shared_ptr<const Routes> routes;
  std::string body, model, sent;
  ModelField field;
  const Routes::Route *route = nullptr;
  const Routes::Provider *provider = nullptr;
  const Routes::Budget *spentBudget = nullptr;  // the cap that refused the call
  bool counted = false;  // the call counts against the budgets (model calls; not count_tokens)
  bool cancelled = false;     // the caller went away while the provider answered
  bool upstreamKept = false;  // the provider's connection can carry another call
  int status = 0;
  int64_t startMs = nowMs(), firstByteMs = -1;
  std::string outcome = "deny", reason;
  uint64_t up = 0, down = 0;
  bool again = false;  // the client's connection can carry another request
  // The provider's answer as it passes to the client: the tokens it says were used.
  struct Tokens : Observer {
    Usage usage;
    void seen(const char *data, size_t size) override { usage.feed(std::string_view(data, size)); }
  } tokens;
  Endpoint toClient() const { return {client, nullptr, nullptr}; }
  Endpoint answerToClient() { return {client, nullptr, &tokens}; }
};

void Router::serve(int listener) {
  static std::atomic<size_t> active{0};
  for (;;) {
    sockaddr_in at{};
    socklen_t size = sizeof at;
    int client = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) continue;
      _exit(1);
    }
    if (active >= kMaxConnections || getsockname(client, reinterpret_cast<sockaddr *>(&at), &size) != 0) {
      close(client);
      continue;
    }
    int one = 1;  // an answer's head and body go out as two writes: neither waits for an ACK
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++active;
    if (!startThread([this, client, port = ntohs(at.sin_port)] {
          serveConnection(client, port);
          --active;
        })) {
      close(client);
      --active;
    }
  }
}

void Router::replace(const Routes &routes) {
  auto fresh = std::make_shared<const Routes>(routes);
  std::lock_guard<std::mutex> lock(mutex_);
  routes_ = fresh;
}

std::shared_ptr<const Routes> Router::current() {
  std::lock_guard<std::mutex> lock(mutex_);
  return routes_;
}

void Router::serveConnection(int client, uint16_t port) {
  Stream in{{client, nullptr}, {}, kHeadTimeoutMs};
  for (bool again = true; again;) {
    Call call;
    call.client = client;
    call.port = port;
    call.in = std::move(in);
    again = handle(call);
    in = std::move(call.in);
  }
  close(client);
}

// One request: what it asks, the route its model takes, and the provider's answer.
bool Router::handle(Call &call) {
  std::string text, error;
  if (!call.in.until("\r\n\r\n", kMaxHead, text)) return false;
  int status = 0;
  Tunnel here{"127.0.0.1", call.port};
  bool parsed = parseRequestHead(text, call.head, status, error, &here);
  const std::string &path = call.head.path;
  call.api = path.rfind("/v1/messages", 0) == 0 || !field(call.head.headers, "anthropic-version").empty() ? Api::Anthropic
                                                                                                          : Api::OpenAI;
  if (!parsed) return refuse(call, status, "invalid_request_error", error), false;
  auto served = std::find_if(std::begin(kServed), std::end(kServed),
                             [&](const Served &s) { return call.head.method == s.method && path == s.path; });
  if (served == std::end(kServed))
    return refuse(call, 404, "not_found_error", "the sandbox's inference router does not serve " + call.head.method + " " + path +
                                                    " (it serves the OpenAI and Anthropic APIs' model calls: docs/inference.md)"),
           false;
  call.api = served->api;
  call.routes = current();
  if (path == "/v1/models") return listModels(call), clientKeepsAlive(call.head);
  if (!readBody(call) || !route(call) || !admit(call)) return false;
  bool relayed = forward(call);
  settle(call);
  return relayed && call.again;
}

bool Router::readBody(Call &call) {
  if (call.head.body == RequestHead::Body::Chunked)
    return refuse(call, 411, "invalid_request_error", "send the request's body with a Content-Length"), false;
  if (call.head.length > kMaxBody)
    return refuse(call, 413, "invalid_request_error", "the request's body is over 32 MiB"), false;
  if (!call.in.exactly(static_cast<size_t>(call.head.length), call.body))
    return call.reason = "the request's body ended early", record(call), false;
  return true;
}

// The route the request's model takes, and the provider behind it, or a refusal that names
// the rule or the missing route.
bool Router::route(Call &call) {
  std::string error;
  std::optional<ModelField> model = modelOf(call.body, error);
  if (!model) return refuse(call, 400, "invalid_request_error", error), false;
  call.field = *model;
  call.model = model->value;
  Choice choice = choose(*call.routes, call.model);
  if (choice.denied)
    return refuse(call, 403, "permission_error", "the model " + call.model + " is denied by " + choice.denied->rule.display()), false;
  if (!choice.route)
    return refuse(call, 404, "not_found_error", "no route takes the model " + call.model + "; the policy would need: inference { route \"" +
                                                    call.model + "\" => PROVIDER }"), false;
  call.route = choice.route;
  for (const Routes::Provider &p : call.routes->providers)
    if (p.name == choice.route->provider) call.provider = &p;
  if (!call.provider || call.provider->api != apiName(call.api))
    return refuse(call, 400, "invalid_request_error", "the route " + choice.route->rule.display() + " sends " + call.model +
                                                          " to " + choice.route->provider + ", which speaks the " +
                                                          (call.provider ? call.provider->api : "?") + " API; this request is in the " +
                                                          apiName(call.api) + " API's format"), false;
  auto missing = keys_.missing.find(call.provider->name);
  if (missing != keys_.missing.end())
    return refuse(call, 503, "api_error", "the provider " + call.provider->name + " has no key: " + missing->second), false;
  call.sent = choice.route->rewrite.empty() ? call.model : choice.route->rewrite;
  if (call.sent != call.model) call.body = withModel(call.body, call.field, call.sent);
  return true;
}

// The budgets (docs/language.md §11): a model call is counted before it is sent, so that
// concurrent calls cannot pass a request cap together; a spent cap refuses in the API's
// rate-limit shape (429), naming the limit.
bool Router::admit(Call &call) {
  call.counted = call.head.path != "/v1/messages/count_tokens";  // free at the provider, and spends nothing
  if (!call.counted) return true;
  std::unique_lock<std::mutex> lock(spendingMutex_);
  const Routes::Budget *spent = exhaustedBudget(*call.routes, call.provider->name, spending_);
  if (!spent) {
    ++spending_[call.provider->name].requests;
    lock.unlock();
    askForUsage(call);
    return true;
  }
  uint64_t used = spentOn(spending_, *spent);
  lock.unlock();
  call.spentBudget = spent;
  call.counted = false;
  std::string scope = spent->provider.empty() ? "the session's" : "the provider " + spent->provider + "'s";
  std::string measure = spent->tokens ? "tokens" : "requests";
  refuse(call, 429, call.api == Api::OpenAI ? "insufficient_quota" : "rate_limit_error",
         scope + " budget of " + std::to_string(spent->cap) + " " + measure + " is spent (" + std::to_string(used) +
             " used) by " + spent->rule.display(),
         true);
  return false;
}

// What the call spent: its tokens, as the provider's answer said; a call that never reached
// the provider (nothing sent) gives its request back.
void Router::settle(const Call &call) {
  if (!call.counted) return;
  std::lock_guard<std::mutex> lock(spendingMutex_);
  Spent &spent = spending_[call.provider->name];
  if (call.up == 0) --spent.requests;
  spent.tokens += tokensCounted(call);
}

namespace {

bool countsTokens(const Routes &routes, const std::string &provider) {
  return std::any_of(routes.budgets.begin(), routes.budgets.end(),
                     [&](const Routes::Budget &b) { return b.tokens && (b.provider.empty() || b.provider == provider); });
}

}  // namespace

// A streamed OpenAI completion that a token budget counts must say what it used; without
// `stream_options.include_usage` it would not, and streaming would pass any cap.
void Router::askForUsage(Call &call) {
  if (call.api != Api::OpenAI || !countsTokens(*call.routes, call.provider->name)) return;
  if (call.head.path != "/v1/chat/completions" && call.head.path != "/v1/completions") return;
  std::string error;
  if (std::optional<std::vector<Member>> members = membersOf(call.body, error)) call.body = withUsageReported(call.body, *members);
}

// The tokens a call counts against the budgets: what the provider's answer said, or, where it
// said nothing, an estimate from the bytes (about four to a token) rather than nothing.
uint64_t Router::tokensCounted(const Call &call) {
  int64_t input = call.tokens.usage.input(), output = call.tokens.usage.output();
  if (input < 0 && output < 0) return call.up == 0 ? 0 : (call.up + call.down + 3) / 4;
  return static_cast<uint64_t>(std::max<int64_t>(input, 0) + std::max<int64_t>(output, 0));
}

namespace {

// The upstream request: the provider's base and the API's path, the fields an API needs,
// the provider's key in the header its API reads.
std::string providerHead(const RequestHead &head, const ProviderUrl &url, const std::string &api, const std::string *key,
                         size_t bodySize) {
  std::string out = head.method + " " + url.base + head.path.substr(3) + (head.query.empty() ? "" : "?" + head.query) +
                    " HTTP/1.1\r\nHost: " + url.host + ((url.port == (url.tls ? 443 : 80)) ? "" : ":" + std::to_string(url.port)) +
                    "\r\n";
  for (const char *name : kForwarded) {
    std::string value = field(head.headers, name);
    if (!value.empty()) out += std::string(name) + ": " + value + "\r\n";
  }
  if (key) out += api == "openai" ? "Authorization: Bearer " + *key + "\r\n" : "x-api-key: " + *key + "\r\n";
  return out + "Content-Length: " + std::to_string(bodySize) + "\r\n\r\n";  // HTTP/1.1: the connection is kept
}

}  // namespace

Upstream::~Upstream() {
  tls.reset();  // its close_notify first
  close(fd);
}

std::unique_ptr<Upstream> UpstreamPool::take(const std::string &endpoint) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::unique_ptr<Upstream>> &idle = idle_[endpoint];
  while (!idle.empty()) {
    std::unique_ptr<Upstream> upstream = std::move(idle.back());
    idle.pop_back();
    pollfd ended{upstream->fd, POLLIN, 0};
    bool open = nowMs() - upstream->idleSinceMs < kIdleUpstreamMs && poll(&ended, 1, 0) == 0 &&
                !(upstream->tls && upstream->tls->pending());
    if (open) return upstream;  // else closed (or it sent something unasked): dropped
  }
  return nullptr;
}

void UpstreamPool::give(const std::string &endpoint, std::unique_ptr<Upstream> upstream) {
  upstream->idleSinceMs = nowMs();
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::unique_ptr<Upstream>> &idle = idle_[endpoint];
  if (idle.size() < kMaxIdleUpstreams) idle.push_back(std::move(upstream));
}

// A new connection to the provider: its address (the endpoint's, or the name resolved once,
// or --resolve's), and with https a TLS session verified against the host's trust store.
std::unique_ptr<Upstream> Router::connectProvider(Call &call, const ProviderUrl &url) {
  std::vector<Address> addresses;
  std::string error;
  Host host;
  if (!canonicalHost(url.host, host, error))
    return refuse(call, 502, "api_error", "the provider " + call.provider->name + "'s host: " + error), nullptr;
  if (host.address) addresses.push_back(*host.address);
  for (const FixedName &f : fixed_)
    if (!host.name.empty() && f.host == host.name) addresses.push_back(f.address);
  if (addresses.empty() && fixed_.empty()) addresses = resolveName(url.host, error);
  int fd = -1;
  for (const Address &a : addresses)
    if ((fd = dial(a, url.port, error)) >= 0) break;
  if (fd < 0) return refuse(call, 502, "api_error", "cannot reach the provider " + call.provider->name + " (" + url.host + "): " + error), nullptr;
  auto upstream = std::make_unique<Upstream>(fd, url.tls ? std::make_unique<tls::Session>() : nullptr);
  ssl_ctx_st *verifying = url.tls ? tls::verifyingContext(error) : nullptr;  // https: the host's trust store
  if (url.tls && (!verifying || !upstream->tls->connect(fd, verifying, url.host, error)))
    return refuse(call, 502, "api_error", "the provider " + call.provider->name + ": " + error), nullptr;
  return upstream;
}

// The call on a kept connection when one is open, else on a new one. A kept connection that
// the provider ended as the call went out (no byte of an answer) is left for a new one, once:
// the provider never read that request.
bool Router::forward(Call &call) {
  ProviderUrl url;
  if (!parseEndpoint(call.provider->endpoint, url))
    return refuse(call, 502, "api_error", "the provider " + call.provider->name + "'s endpoint cannot be read"), false;
  const std::string &endpoint = call.provider->endpoint;
  std::unique_ptr<Upstream> upstream = upstreams_.take(endpoint);
  bool relayed = upstream && exchange(call, url, *upstream);
  if (!upstream || (!relayed && call.status == 0 && !call.cancelled)) {
    if (!(upstream = connectProvider(call, url))) return false;
    relayed = exchange(call, url, *upstream);
  }
  if (call.cancelled) call.reason = "the caller went away: the call to the provider was cancelled", record(call);
  else if (!relayed && call.status == 0) refuse(call, 502, "api_error", "the provider " + call.provider->name + " did not answer");
  else record(call);
  if (call.upstreamKept) upstreams_.give(endpoint, std::move(upstream));
  return relayed;  // a connection not given back ends here: the provider sees the call cancelled
}

// One request and its answer on `upstream`.
bool Router::exchange(Call &call, const ProviderUrl &url, Upstream &upstream) {
  auto key = keys_.byProvider.find(call.provider->name);
  Endpoint to{upstream.fd, upstream.tls.get()};
  bool sent = to.write(providerHead(call.head, url, call.provider->api, key == keys_.byProvider.end() ? nullptr : &key->second,
                                    call.body.size()) + call.body);
  call.up = sent ? call.body.size() : 0;  // nothing sent: the call spent no budget
  uint64_t timeout = call.provider->timeoutMs ? std::min<uint64_t>(call.provider->timeoutMs, kUpstreamSilenceMs) : kUpstreamSilenceMs;
  Stream answer{to, {}, static_cast<int>(timeout)};
  answer.hangupWatch = call.client;
  bool relayed = sent && relayAnswer(call, answer);
  call.cancelled = answer.peerGone;
  call.upstreamKept = relayed && call.upstreamKept && answer.buffered.empty();
  return relayed;
}

// The provider's answer as it arrives (a stream's events one by one, idle gaps and all). A
// stream cut short ends with an error event, never silently.
bool Router::relayAnswer(Call &call, Stream &answer) {
  std::string text, error;
  ResponseHead head;
  if (!answer.until("\r\n\r\n", kMaxHead, text)) return false;
  if (!parseResponseHead(text, call.head.method == "HEAD", head, error)) return false;
  call.firstByteMs = nowMs() - call.startMs;
  call.status = head.status;
  call.outcome = "allow";
  bool closing = !clientKeepsAlive(call.head) || head.body == ResponseHead::Body::UntilClose;
  if (!call.toClient().write(clientResponseHead(head, closing))) return false;
  Endpoint client = call.answerToClient();
  bool whole = head.body == ResponseHead::Body::Length    ? copyExactly(answer, client, head.length, call.down)
               : head.body == ResponseHead::Body::Chunked ? copyChunked(answer, client, call.down)
               : head.body == ResponseHead::Body::None    ? true
                                                          : copyUntilEnd(answer, client, call.down);
  if (!whole && head.body == ResponseHead::Body::Chunked && strncasecmp(field(head.headers, "content-type").c_str(), "text/event-stream", 17) == 0) {
    std::string event = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":" +
                        jsonString("the provider's stream was cut short (shellrt's inference router)") + "}}\n\n";
    char size[16];
    snprintf(size, sizeof size, "%zx\r\n", event.size());
    call.toClient().write(size + event + "\r\n");
    call.reason = "the provider's stream was cut short";
  }
  call.again = whole && !closing;
  call.upstreamKept = whole && !head.closes && head.body != ResponseHead::Body::UntilClose;
  return whole;
}

void Router::listModels(Call &call) {
  std::string data;
  for (const Routes::Route &r : call.routes->routes) {
    std::string id = jsonString(r.model);
    if (!data.empty()) data += ',';
    data += call.api == Api::OpenAI ? "{\"id\":" + id + ",\"object\":\"model\",\"owned_by\":" + jsonString(r.provider) + "}"
                                    : "{\"type\":\"model\",\"id\":" + id + ",\"display_name\":" + id + "}";
  }
  std::string body = call.api == Api::OpenAI ? "{\"object\":\"list\",\"data\":[" + data + "]}\n"
                                             : "{\"data\":[" + data + "],\"has_more\":false}\n";
  call.toClient().write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body);
  call.status = 200;
  call.outcome = "allow";
  record(call);
}

// A refusal in the API's own shape and status (OpenAI `{"error": {...}}`, Anthropic
// `{"type": "error", "error": {...}}`), naming the rule or what is missing.
void Router::refuse(Call &call, int status, const std::string &type, const std::string &message, bool final) {
  call.status = status;
  call.outcome = "deny";
  call.reason = message;
  std::string code = final ? jsonString(type) : "null";
  std::string body = call.api == Api::OpenAI
                         ? "{\"error\":{\"message\":" + jsonString(message) + ",\"type\":" + jsonString(type) + ",\"code\":" + code + "}}\n"
                         : "{\"type\":\"error\",\"error\":{\"type\":" + jsonString(type) + ",\"message\":" + jsonString(message) + "}}\n";
  call.toClient().write("HTTP/1.1 " + std::to_string(status) + " " + (status < 500 ? "Refused" : "Unavailable") +
                        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                        (final ? "\r\nx-should-retry: false" : "") + "\r\nConnection: close\r\n\r\n" + body);
  record(call);
}

void Router::record(const Call &call) {
  audit_.event("inference", {{"decision", call.outcome},
                             {"api", std::string(apiName(call.api))},
                             {"method", call.head.method},
                             {"path", call.head.path},
                             {"model", call.model},
                             {"model_sent", call.sent},
                             {"rule", call.route ? call.route->rule.display() : std::string()},
                             {"provider", call.provider ? call.provider->name : std::string()},
                             {"status", int64_t(call.status)},
                             {"bytes_up", int64_t(call.up)},
                             {"bytes_down", int64_t(call.down)},
                             {"ms", int64_t(nowMs() - call.startMs)},
                             {"first_byte_ms", int64_t(call.firstByteMs)},
                             {"input_tokens", call.tokens.usage.input()},
                             {"output_tokens", call.tokens.usage.output()},
                             {"tokens_counted", int64_t(call.counted ? tokensCounted(call) : 0)},
                             {"budget", call.spentBudget ? call.spentBudget->rule.display() : std::string()},
                             {"reason", call.reason}});
}

}  // namespace shellrt::router
