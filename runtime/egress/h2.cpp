#include "egress/h2.h"

#include <dlfcn.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "egress/http_head.h"

namespace shellrt::egress::h2 {

namespace {

// The libnghttp2 calls this file makes, each found by name and called through a pointer of
// the header's own type (as tls.cpp does for OpenSSL).
#define SHELLRT_NGHTTP2_CALLS(X)                                                                                      \
  X(nghttp2_session_callbacks_new) X(nghttp2_session_callbacks_del)                                                  \
  X(nghttp2_session_callbacks_set_on_begin_headers_callback) X(nghttp2_session_callbacks_set_on_header_callback)     \
  X(nghttp2_session_callbacks_set_on_frame_recv_callback) X(nghttp2_session_callbacks_set_on_data_chunk_recv_callback) \
  X(nghttp2_session_callbacks_set_on_stream_close_callback) X(nghttp2_option_new) X(nghttp2_option_del)              \
  X(nghttp2_option_set_no_auto_window_update) X(nghttp2_session_server_new2) X(nghttp2_session_client_new2)          \
  X(nghttp2_session_del) X(nghttp2_session_mem_recv) X(nghttp2_session_mem_send) X(nghttp2_session_want_read)        \
  X(nghttp2_session_want_write) X(nghttp2_session_consume) X(nghttp2_session_resume_data) X(nghttp2_submit_settings)  \
  X(nghttp2_submit_request) X(nghttp2_submit_response) X(nghttp2_submit_trailer) X(nghttp2_submit_rst_stream)

struct Calls {
#define SHELLRT_DECLARE(name) decltype(&::name) name = nullptr;
  SHELLRT_NGHTTP2_CALLS(SHELLRT_DECLARE)
#undef SHELLRT_DECLARE
};

Calls h2;
std::once_flag loaded;
std::string loadError;

void loadOnce() {
  void *library = dlopen("libnghttp2.so.14", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    loadError = std::string("libnghttp2 (libnghttp2.so.14) is not installed: ") + dlerror();
    return;
  }
#define SHELLRT_FIND(name)                                               \
  h2.name = reinterpret_cast<decltype(&::name)>(dlsym(library, #name)); \
  if (!h2.name) {                                                        \
    loadError = "libnghttp2.so.14 lacks " #name;                         \
    return;                                                              \
  }
  SHELLRT_NGHTTP2_CALLS(SHELLRT_FIND)
#undef SHELLRT_FIND
}

constexpr size_t kMaxBuffered = 16u << 20;  // a stream's bytes held for a side that reads slowly
constexpr uint32_t kMaxStreams = 128;

using Fields = std::vector<std::pair<std::string, std::string>>;

// Bytes held for a side, taken from the front as its session sends them: read from an offset
// (erasing the front at each take would move the rest each time: quadratic in a body).
struct Pending {
  std::string bytes;
  size_t at = 0;
  size_t size() const { return bytes.size() - at; }
  bool empty() const { return size() == 0; }
  void append(const char *data, size_t length) {
    if (at > bytes.size() / 2) bytes.erase(0, at), at = 0;  // the taken half dropped: amortised, bounded
    bytes.append(data, length);
  }
  size_t take(uint8_t *buffer, size_t length) {
    size_t n = std::min(length, size());
    std::memcpy(buffer, bytes.data() + at, n);
    at += n;
    return n;
  }
};

// One stream, from the program's side (its id there) to the upstream's (its id there).
struct Stream {
  int32_t client = 0, upstream = -1;
  StreamRequest request;
  Fields requestFields;
  Pending requestBody, responseBody;
  bool requestEnded = false, responseEnded = false;
  bool answered = false;  // a response's head went to the program
  bool refused = false;
  Fields responseFields, trailers;
  bool inTrailers = false;
  bool clientClosed = false, upstreamClosed = false;
  // What each side's fields have taken so far (RFC 9113's count: name, value and 32 each):
  // HPACK lets a few bytes on the wire name a large field again and again.
  size_t requestFieldBytes = 0, responseFieldBytes = 0;
  StreamEnd end;
};

// As much as an HTTP/1.1 head may hold (http_head.h): a stream past it is reset.
bool overFieldLimit(size_t &taken, size_t nameLength, size_t valueLength) {
  taken += nameLength + valueLength + 32;
  return taken > kMaxHead;
}

std::vector<nghttp2_nv> fieldsOf(const Fields &fields) {
  std::vector<nghttp2_nv> out;
  for (const auto &field : fields)
    out.push_back({reinterpret_cast<uint8_t *>(const_cast<char *>(field.first.data())),
                   reinterpret_cast<uint8_t *>(const_cast<char *>(field.second.data())), field.first.size(),
                   field.second.size(), NGHTTP2_NV_FLAG_NONE});
  return out;
}

class Relay {
public:
  Relay(const Endpoint &client, const Endpoint &upstream, std::string host, uint16_t port, const Judge &judge)
      : clientEnd_(client), upstreamEnd_(upstream), host_(std::move(host)), port_(port), judge_(judge) {}
  ~Relay();
  bool start();
  void run();

private:
  // The program's session (we serve it), then the upstream's (we are its client).
  static int beginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *self);
  static int header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t nameLength,
                    const uint8_t *value, size_t valueLength, uint8_t, void *self);
  static int frameReceived(nghttp2_session *session, const nghttp2_frame *frame, void *self);
  static int dataReceived(nghttp2_session *session, uint8_t, int32_t id, const uint8_t *data, size_t length, void *self);
  static int streamClosed(nghttp2_session *session, int32_t id, uint32_t code, void *self);
  static ssize_t readRequestBody(nghttp2_session *, int32_t, uint8_t *buffer, size_t length, uint32_t *flags,
                                 nghttp2_data_source *source, void *self);
  static ssize_t readResponseBody(nghttp2_session *, int32_t, uint8_t *buffer, size_t length, uint32_t *flags,
                                  nghttp2_data_source *source, void *self);

  Stream *byClient(int32_t id);
  Stream *byUpstream(int32_t id);
  void requestHead(Stream &s, bool ended);
  bool authorityAgrees(const std::string &authority) const;
  void refuse(Stream &s, const Refusal &refusal);
  void responseHead(Stream &s, bool ended);
  void finishIfDone(Stream &s);
  bool flush(nghttp2_session *session, const Endpoint &to);
  bool readInto(nghttp2_session *session, const Endpoint &from);

  Endpoint clientEnd_, upstreamEnd_;
  std::string host_;
  uint16_t port_;
  const Judge &judge_;
  nghttp2_session *client_ = nullptr, *upstream_ = nullptr;
  std::map<int32_t, std::unique_ptr<Stream>> streams_;  // by the program's id
  std::map<int32_t, Stream *> upstreamIds_;
};

Relay::~Relay() {
  for (auto &entry : streams_) {
    Stream &s = *entry.second;
    if (!s.end.status && s.end.reason.empty()) s.end.reason = "the connection ended first";
    judge_.ended(s.request, s.end);
  }
  if (client_) h2.nghttp2_session_del(client_);
  if (upstream_) h2.nghttp2_session_del(upstream_);
}

bool Relay::start() {
  nghttp2_session_callbacks *callbacks = nullptr;
  nghttp2_option *options = nullptr;
  if (h2.nghttp2_session_callbacks_new(&callbacks) != 0 || h2.nghttp2_option_new(&options) != 0) return false;
  h2.nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, beginHeaders);
  h2.nghttp2_session_callbacks_set_on_header_callback(callbacks, header);
  h2.nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, frameReceived);
  h2.nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, dataReceived);
  h2.nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, streamClosed);
  // Windows open as the other side takes the bytes (nghttp2_session_consume), not on receipt.
  h2.nghttp2_option_set_no_auto_window_update(options, 1);
  bool made = h2.nghttp2_session_server_new2(&client_, callbacks, this, options) == 0 &&
              h2.nghttp2_session_client_new2(&upstream_, callbacks, this, options) == 0;
  h2.nghttp2_session_callbacks_del(callbacks);
  h2.nghttp2_option_del(options);
  // Each side told the field limit the header callback holds it to (overFieldLimit).
  nghttp2_settings_entry toClient[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxStreams},
                                       {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(kMaxHead)}};
  nghttp2_settings_entry toUpstream[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},  // what a server pushes was never decided
                                         {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(kMaxHead)}};
  return made && h2.nghttp2_submit_settings(client_, NGHTTP2_FLAG_NONE, toClient, 2) == 0 &&
         h2.nghttp2_submit_settings(upstream_, NGHTTP2_FLAG_NONE, toUpstream, 2) == 0;
}

Stream *Relay::byClient(int32_t id) {
  auto found = streams_.find(id);
  return found == streams_.end() ? nullptr : found->second.get();
}

Stream *Relay::byUpstream(int32_t id) {
  auto found = upstreamIds_.find(id);
  return found == upstreamIds_.end() ? nullptr : found->second;
}

int Relay::beginHeaders(nghttp2_session *session, const nghttp2_frame *frame, void *raw) {
  auto *self = static_cast<Relay *>(raw);
  if (session != self->client_ || frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto stream = std::make_unique<Stream>();
  stream->client = frame->hd.stream_id;
  self->streams_[stream->client] = std::move(stream);
  return 0;
}

int Relay::header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t nameLength,
                  const uint8_t *value, size_t valueLength, uint8_t, void *raw) {
  auto *self = static_cast<Relay *>(raw);
  std::string key(reinterpret_cast<const char *>(name), nameLength), text(reinterpret_cast<const char *>(value), valueLength);
  if (session == self->client_) {
    Stream *s = self->byClient(frame->hd.stream_id);
    if (!s || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // a request's trailers are not passed on
    if (overFieldLimit(s->requestFieldBytes, nameLength, valueLength)) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    s->requestFields.emplace_back(key, text);
    return 0;
  }
  Stream *s = self->byUpstream(frame->hd.stream_id);
  if (!s) return 0;
  if (overFieldLimit(s->responseFieldBytes, nameLength, valueLength)) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  (s->inTrailers ? s->trailers : s->responseFields).emplace_back(key, text);
  return 0;
}

int Relay::frameReceived(nghttp2_session *session, const nghttp2_frame *frame, void *raw) {
  auto *self = static_cast<Relay *>(raw);
  bool ended = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
  if (session == self->client_) {
    Stream *s = self->byClient(frame->hd.stream_id);
    if (!s) return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) self->requestHead(*s, ended);
    else if (ended) s->requestEnded = true;
    if (ended && s->upstream >= 0) h2.nghttp2_session_resume_data(self->upstream_, s->upstream);
    return 0;
  }
  Stream *s = self->byUpstream(frame->hd.stream_id);
  if (!s) return 0;
  if (frame->hd.type == NGHTTP2_HEADERS && !s->answered) self->responseHead(*s, ended);
  else if (frame->hd.type == NGHTTP2_HEADERS) s->responseEnded = true;  // trailers end the stream
  else if (ended) s->responseEnded = true;
  if (s->answered) h2.nghttp2_session_resume_data(self->client_, s->client);
  return 0;
}

int Relay::dataReceived(nghttp2_session *session, uint8_t, int32_t id, const uint8_t *data, size_t length, void *raw) {
  auto *self = static_cast<Relay *>(raw);
  bool fromClient = session == self->client_;
  Stream *s = fromClient ? self->byClient(id) : self->byUpstream(id);
  if (!s || (fromClient && s->refused)) {
    h2.nghttp2_session_consume(session, id, length);  // nowhere to go: taken at once
    return 0;
  }
  Pending &into = fromClient ? s->requestBody : s->responseBody;
  if (into.size() + length > kMaxBuffered) {
    h2.nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_FLOW_CONTROL_ERROR);
    return 0;
  }
  into.append(reinterpret_cast<const char *>(data), length);
  (fromClient ? s->end.up : s->end.down) += length;
  if (fromClient && s->upstream >= 0) h2.nghttp2_session_resume_data(self->upstream_, s->upstream);
  if (!fromClient && s->answered) h2.nghttp2_session_resume_data(self->client_, s->client);
  return 0;
}

int Relay::streamClosed(nghttp2_session *session, int32_t id, uint32_t code, void *raw) {
  auto *self = static_cast<Relay *>(raw);
  if (session == self->client_) {
    Stream *s = self->byClient(id);
    if (!s) return 0;
    s->clientClosed = true;
    if (s->upstream >= 0 && !s->upstreamClosed)
      h2.nghttp2_submit_rst_stream(self->upstream_, NGHTTP2_FLAG_NONE, s->upstream, NGHTTP2_CANCEL);
    self->finishIfDone(*s);
    return 0;
  }
  Stream *s = self->byUpstream(id);
  if (!s) return 0;
  s->upstreamClosed = true;
  s->responseEnded = true;
  if (code != NGHTTP2_NO_ERROR || !s->answered) {
    if (s->end.reason.empty()) s->end.reason = "the upstream reset the stream (HTTP/2 error " + std::to_string(code) + ")";
    if (!s->clientClosed) h2.nghttp2_submit_rst_stream(self->client_, NGHTTP2_FLAG_NONE, s->client, code ? code : uint32_t(NGHTTP2_INTERNAL_ERROR));
  } else if (!s->clientClosed) {
    h2.nghttp2_session_resume_data(self->client_, s->client);
  }
  self->finishIfDone(*s);
  return 0;
}

// A stream is over when the program's side has closed and the upstream's, if it had one.
void Relay::finishIfDone(Stream &s) {
  if (!s.clientClosed || (s.upstream >= 0 && !s.upstreamClosed)) return;
  judge_.ended(s.request, s.end);
  if (s.upstream >= 0) upstreamIds_.erase(s.upstream);
  streams_.erase(s.client);  // s is gone
}

bool Relay::authorityAgrees(const std::string &authority) const {
  std::string asked = authority;
  std::transform(asked.begin(), asked.end(), asked.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;  // an IPv6 address
  return asked == host + ":" + std::to_string(port_) || (port_ == 443 && asked == host);
}

// A stream's head, complete: decided before anything of it goes upstream (its body waits).
void Relay::requestHead(Stream &s, bool ended) {
  s.requestEnded = ended;
  Fields forward;
  std::string path;
  for (const auto &field : s.requestFields) {
    if (field.first == ":method") s.request.method = field.second;
    else if (field.first == ":path") path = field.second;
    else if (field.first == ":authority") s.request.authority = field.second;
    else if (field.first == "host" && s.request.authority.empty()) s.request.authority = field.second;
    else if (field.first[0] != ':' && field.first != "host") forward.push_back(field);
    if (field.first == "content-type") s.request.grpc = field.second.rfind("application/grpc", 0) == 0;
  }
  size_t q = path.find('?');
  std::string error;
  std::optional<std::string> canonical = canonicalPath(path.substr(0, q), error);
  s.request.path = canonical ? *canonical : path.substr(0, q);
  s.request.query = q == std::string::npos ? "" : path.substr(q + 1);
  if (s.request.method == "CONNECT") s.request.malformed = "a CONNECT inside a tunnel";
  else if (!canonical) s.request.malformed = error;
  else if (!authorityAgrees(s.request.authority))
    s.request.malformed = "the :authority (" + s.request.authority + ") is not the tunnel's host";
  Refusal refusal;
  if (!judge_.decide(s.request, refusal)) return refuse(s, refusal);
  Fields head = {{":method", s.request.method}, {":scheme", "https"}, {":authority", s.request.authority},
                 {":path", *canonical + (q == std::string::npos ? "" : path.substr(q))}};
  head.insert(head.end(), forward.begin(), forward.end());
  std::vector<nghttp2_nv> fields = fieldsOf(head);
  nghttp2_data_provider body{};
  body.source.ptr = &s;
  body.read_callback = readRequestBody;
  int32_t id = h2.nghttp2_submit_request(upstream_, nullptr, fields.data(), fields.size(), ended ? nullptr : &body, nullptr);
  if (id < 0) {
    s.end.reason = "the upstream's session took no new stream";
    h2.nghttp2_submit_rst_stream(client_, NGHTTP2_FLAG_NONE, s.client, NGHTTP2_REFUSED_STREAM);
    return;
  }
  s.upstream = id;
  upstreamIds_[id] = &s;
}

// A gRPC message as its header carries it: percent-encoded outside printable ASCII.
std::string grpcMessage(const std::string &text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text)
    if (c < 0x20 || c > 0x7e || c == '%') out.append(1, '%').append(1, hex[c >> 4]).append(1, hex[c & 15]);
    else out += static_cast<char>(c);
  return out;
}

// The refusal's answer on the stream: the proxy's JSON, or for a gRPC call a status of its
// own (PERMISSION_DENIED for the policy, INVALID_ARGUMENT for a malformed request) that a
// gRPC client reports with the reason.
void Relay::refuse(Stream &s, const Refusal &refusal) {
  s.refused = s.answered = s.responseEnded = true;
  s.end.status = refusal.status;
  Fields head = {{":status", std::to_string(refusal.status)}, {"content-type", "application/json"},
                 {"content-length", std::to_string(refusal.body.size())}};
  if (s.request.grpc)
    head = {{":status", "200"}, {"content-type", "application/grpc"}, {"grpc-status", refusal.status == 403 ? "7" : "3"},
            {"grpc-message", grpcMessage(refusal.reason)}};
  else s.responseBody.append(refusal.body.data(), refusal.body.size());
  std::vector<nghttp2_nv> fields = fieldsOf(head);
  if (s.request.grpc) return void(h2.nghttp2_submit_response(client_, s.client, fields.data(), fields.size(), nullptr));
  nghttp2_data_provider provider{};
  provider.source.ptr = &s;
  provider.read_callback = readResponseBody;
  h2.nghttp2_submit_response(client_, s.client, fields.data(), fields.size(), &provider);
}

// The upstream's answer: passed on as it came, its body as it comes; an informational one
// (1xx) is not (its final answer follows).
void Relay::responseHead(Stream &s, bool ended) {
  std::string status;
  for (const auto &field : s.responseFields)
    if (field.first == ":status") status = field.second;
  if (!status.empty() && status[0] == '1') return s.responseFields.clear();
  s.answered = s.inTrailers = true;
  s.responseEnded = ended;
  s.end.status = std::atoi(status.c_str());
  std::vector<nghttp2_nv> fields = fieldsOf(s.responseFields);
  nghttp2_data_provider provider{};
  provider.source.ptr = &s;
  provider.read_callback = readResponseBody;
  h2.nghttp2_submit_response(client_, s.client, fields.data(), fields.size(), ended ? nullptr : &provider);
}

// The program's request body, as the upstream's session sends it: what it sent so far, its
// window opened by as much.
ssize_t Relay::readRequestBody(nghttp2_session *, int32_t, uint8_t *buffer, size_t length, uint32_t *flags,
                               nghttp2_data_source *source, void *raw) {
  auto *self = static_cast<Relay *>(raw);
  Stream &s = *static_cast<Stream *>(source->ptr);
  size_t n = s.requestBody.take(buffer, length);
  if (n) h2.nghttp2_session_consume(self->client_, s.client, n);
  if (s.requestBody.empty() && s.requestEnded) *flags |= NGHTTP2_DATA_FLAG_EOF;
  else if (n == 0) return NGHTTP2_ERR_DEFERRED;
  return static_cast<ssize_t>(n);
}

// The upstream's body (or a refusal's), as the program's session sends it; at its end the
// upstream's trailers (gRPC's status), if it sent any.
ssize_t Relay::readResponseBody(nghttp2_session *, int32_t, uint8_t *buffer, size_t length, uint32_t *flags,
                                nghttp2_data_source *source, void *raw) {
  auto *self = static_cast<Relay *>(raw);
  Stream &s = *static_cast<Stream *>(source->ptr);
  size_t n = s.responseBody.take(buffer, length);
  if (n && s.upstream >= 0) h2.nghttp2_session_consume(self->upstream_, s.upstream, n);
  if (!s.responseBody.empty() || !s.responseEnded) return n ? static_cast<ssize_t>(n) : ssize_t(NGHTTP2_ERR_DEFERRED);
  *flags |= NGHTTP2_DATA_FLAG_EOF;
  if (!s.trailers.empty()) {
    *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    std::vector<nghttp2_nv> fields = fieldsOf(s.trailers);
    h2.nghttp2_submit_trailer(self->client_, s.client, fields.data(), fields.size());
  }
  return static_cast<ssize_t>(n);
}

bool Relay::flush(nghttp2_session *session, const Endpoint &to) {
  for (;;) {
    const uint8_t *data = nullptr;
    ssize_t n = h2.nghttp2_session_mem_send(session, &data);
    if (n < 0) return false;
    if (n == 0) return true;
    if (!to.write(reinterpret_cast<const char *>(data), static_cast<size_t>(n))) return false;
  }
}

bool Relay::readInto(nghttp2_session *session, const Endpoint &from) {
  char buffer[16384];
  ssize_t n = from.read(buffer, sizeof buffer);
  return n > 0 && h2.nghttp2_session_mem_recv(session, reinterpret_cast<uint8_t *>(buffer), static_cast<size_t>(n)) >= 0;
}

// Until a side ends the connection, breaks the protocol, or both are silent too long.
void Relay::run() {
  for (;;) {
    if (!flush(client_, clientEnd_) || !flush(upstream_, upstreamEnd_)) return;
    if (!(h2.nghttp2_session_want_read(client_) || h2.nghttp2_session_want_write(client_)) ||
        !(h2.nghttp2_session_want_read(upstream_) || h2.nghttp2_session_want_write(upstream_)))
      return;
    bool fromClient = clientEnd_.pending(), fromUpstream = upstreamEnd_.pending();
    if (!fromClient && !fromUpstream) {
      pollfd p[2] = {{clientEnd_.fd, POLLIN, 0}, {upstreamEnd_.fd, POLLIN, 0}};
      int ready = poll(p, 2, kUpstreamSilenceMs);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return;
      fromClient = p[0].revents, fromUpstream = p[1].revents;
    }
    if (fromClient && !readInto(client_, clientEnd_)) return;
    if (fromUpstream && !readInto(upstream_, upstreamEnd_)) return;
  }
}

}  // namespace

bool load(std::string &error) {
  std::call_once(loaded, loadOnce);
  return loadError.empty() || (error = loadError, false);
}

void relay(const Endpoint &client, const Endpoint &upstream, const std::string &tunnelHost, uint16_t tunnelPort,
           const Judge &judge) {
  Relay relay(client, upstream, tunnelHost, tunnelPort, judge);
  if (relay.start()) relay.run();
}

}  // namespace shellrt::egress::h2
