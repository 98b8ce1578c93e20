#include "egress/transfer.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>

#include "descriptors.h"
#include "egress/http_head.h"

namespace shellrt::egress {

namespace {

constexpr int kDialTimeoutMs = 10000;

}  // namespace

ssize_t Endpoint::read(char *buffer, size_t size) const { return tls ? tls->read(buffer, size) : ::read(fd, buffer, size); }

bool Endpoint::write(const char *data, size_t size) const {
  if (observer) observer->seen(data, size);
  return tls ? tls->write(data, size) : writeAll(fd, data, size);
}

bool Stream::fill(int timeoutMs) {
  pollfd p[2] = {{from.fd, POLLIN, 0}, {hangupWatch, POLLRDHUP, 0}};
  int ready = 1;
  while (!from.pending() && (ready = poll(p, hangupWatch >= 0 ? 2 : 1, timeoutMs)) < 0 && errno == EINTR) {
  }
  if (ready > 0 && !p[0].revents && (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))) return peerGone = true, false;
  char chunk[16384];
  ssize_t n = ready > 0 ? from.read(chunk, sizeof chunk) : -1;
  if (n <= 0) return false;
  buffered.append(chunk, static_cast<size_t>(n));
  return true;
}

bool Stream::until(const std::string &end, size_t limit, std::string &out) {
  int64_t deadline = nowMs() + timeoutMs;
  size_t at;
  while ((at = buffered.find(end)) == std::string::npos) {
    if (end == "\r\n\r\n" && (at = buffered.find("\n\n")) != std::string::npos) return take(at + 2, out);
    if (buffered.size() > limit) return take(buffered.size(), out);
    int64_t left = deadline - nowMs();
    if (left <= 0 || !fill(static_cast<int>(left))) return false;
  }
  return take(at + end.size(), out);
}

namespace {

// Just past a head's end (an empty line, or bare LFs for the parser to refuse) in `text`,
// looking from `from` on; npos when there is none yet.
size_t headEnd(const std::string &text, size_t from) {
  size_t start = from < 3 ? 0 : from - 3, crlf = text.find("\r\n\r\n", start), lf = text.find("\n\n", start);
  if (crlf != std::string::npos && (lf == std::string::npos || crlf <= lf + 1)) return crlf + 4;
  return lf == std::string::npos ? lf : lf + 2;
}

}  // namespace

bool Stream::headOnly(size_t limit, std::string &out) {
  if (from.tls || !buffered.empty()) return until("\r\n\r\n", limit, out);
  int64_t deadline = nowMs() + timeoutMs;
  std::string head;
  char chunk[16384];
  for (;;) {
    pollfd p{from.fd, POLLIN, 0};
    int64_t left = deadline - nowMs();
    if (left <= 0) return false;
    int ready = poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    ssize_t seen = ready == 1 ? recv(from.fd, chunk, sizeof chunk, MSG_PEEK) : -1;
    if (seen <= 0) return false;
    size_t end = headEnd(head + std::string(chunk, static_cast<size_t>(seen)), head.size());
    size_t take = end == std::string::npos ? static_cast<size_t>(seen) : end - head.size();
    if (recv(from.fd, chunk, take, 0) != static_cast<ssize_t>(take)) return false;
    head.append(chunk, take);
    if (end != std::string::npos || head.size() > limit) return out = head, true;
  }
}

bool Stream::exactly(size_t n, std::string &out) {
  while (buffered.size() < n)
    if (!fill(timeoutMs)) return false;
  return take(n, out);
}

bool Stream::take(size_t n, std::string &out) {
  out = buffered.substr(0, n);
  buffered.erase(0, n);
  return true;
}

bool startThread(std::function<void()> work) {
  try {
    std::thread(std::move(work)).detach();
    return true;
  } catch (const std::system_error &) {
    return false;
  }
}

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int dial(const Address &address, uint16_t port, std::string &error) {
  sockaddr_storage to;
  socklen_t length = socketAddress(address, port, to);
  int fd = socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return error = std::strerror(errno), -1;
  int r = connect(fd, reinterpret_cast<sockaddr *>(&to), length);
  if (r != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int soError = ETIMEDOUT;
    socklen_t size = sizeof soError;
    if (poll(&p, 1, kDialTimeoutMs) == 1) getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &size);
    errno = soError;
    r = soError == 0 ? 0 : -1;
  }
  if (r != 0) {
    error = std::strerror(errno);
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

std::vector<Address> resolveName(const std::string &host, std::string &error) {
  addrinfo hints{}, *found = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int r = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  std::vector<Address> out;
  if (r != 0) return error = gai_strerror(r), out;
  for (addrinfo *i = found; i; i = i->ai_next) {
    sockaddr_storage s{};
    std::memcpy(&s, i->ai_addr, i->ai_addrlen);
    Address a = fromSocketAddress(s);
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  freeaddrinfo(found);
  return out;
}

bool copyExactly(Stream &in, const Endpoint &to, uint64_t n, uint64_t &count) {
  while (n > 0) {
    if (in.buffered.empty() && !in.fill(in.timeoutMs)) return false;
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, in.buffered.size()));
    if (!to.write(in.buffered.data(), take)) return false;
    in.buffered.erase(0, take);
    n -= take;
    count += take;
  }
  return true;
}

// A chunked body, chunk by chunk, each size line strict (hex digits, an extension at most),
// through the trailers' empty line: where it ends is where this proxy and the server agree.
bool copyChunked(Stream &in, const Endpoint &to, uint64_t &count) {
  for (;;) {
    std::string line;
    if (!in.until("\r\n", 4096, line) || line.size() < 2 || line.compare(line.size() - 2, 2, "\r\n") != 0) return false;
    size_t digits = line.find_first_not_of("0123456789abcdefABCDEF");
    if (digits == 0 || digits > 15 || (line[digits] != ';' && line[digits] != '\r')) return false;
    if (line.find('\n') != line.size() - 1 || line.find('\r') != line.size() - 2) return false;
    uint64_t size = std::stoull(line.substr(0, digits), nullptr, 16);
    if (!to.write(line)) return false;
    count += line.size();
    if (size == 0) break;
    std::string end;
    if (!copyExactly(in, to, size, count) || !in.exactly(2, end) || end != "\r\n" || !to.write(end)) return false;
    count += 2;
  }
  for (;;) {  // trailers, each a field line as a head's are, then the empty line
    std::string line;
    if (!in.until("\r\n", kMaxHeaderLine, line) || line.find('\n') != line.size() - 1) return false;
    if (line != "\r\n" && !isFieldLine(line.substr(0, line.size() - 2))) return false;
    if (!to.write(line)) return false;
    count += line.size();
    if (line == "\r\n") return true;
  }
}

bool copyUntilEnd(Stream &in, const Endpoint &to, uint64_t &count) {
  for (;;) {
    if (!to.write(in.buffered)) return false;
    count += in.buffered.size();
    in.buffered.clear();
    if (!in.fill(-1)) return true;
  }
}

}  // namespace shellrt::egress
