#include "sockets/broker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>

#include "bundle/bundle.h"
#include "caller.h"
#include "files.h"

namespace shellrt {

namespace {

constexpr size_t kMaxCopy = 1u << 20;      // bytes of one send done for the agent
constexpr size_t kMaxControl = 1u << 16;   // bytes of ancillary data
constexpr size_t kMaxMessages = 1024;      // UIO_MAXIOV, for iovecs and sendmmsg
// The proxy accepts on the sandbox's loopback: only a full backlog makes a connection wait.
constexpr int kCaptureConnectMs = 2000;

struct Destination {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string path;       // a Unix socket file, for the audit log
  std::string allowedBy;  // the rule that lets the sandbox reach a host's socket there
  std::string beyond;     // an address outside the sandbox's loopback, refused: "198.18.0.1:53"
};

// An IP address outside the sandbox's loopback, as "ADDRESS:PORT" ("" for loopback, the
// unspecified address, AF_UNSPEC and short addresses, which the kernel decides: its network
// namespace has nothing else). The egress proxy, on the sandbox's loopback, is its one way
// out; a datagram, a ping or a direct connection past it is refused here, so that each
// attempt is recorded.
std::string beyondLoopback(const sockaddr_storage &a, socklen_t length) {
  char text[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto &in = reinterpret_cast<const sockaddr_in &>(a);
    uint32_t ip = ntohl(in.sin_addr.s_addr);
    if ((ip >> 24) == 127 || ip == 0) return "";
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(in.sin_port));
  }
  if (a.ss_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    const auto &in6 = reinterpret_cast<const sockaddr_in6 &>(a);
    const uint8_t *b = in6.sin6_addr.s6_addr;
    bool mapped = IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr);
    if (IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr) || IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr) ||
        (mapped && (b[12] == 127 || (b[12] | b[13] | b[14] | b[15]) == 0)))
      return "";
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    std::string out = "[";  // not "[" + std::string(text): g++ 12 warns of an overlap there (-Wrestrict)
    return out.append(text).append("]:").append(std::to_string(ntohs(in6.sin6_port)));
  }
  return "";
}

// Where the pinned file is, as the sandbox's kernel resolved it: the caller's mounts are
// the host's paths, so this is the path the policy's rules name.
std::string pinnedPath(int fd) {
  std::string target = linkTarget("/proc/self/fd/" + std::to_string(fd));
  return target.empty() || target[0] != '/' ? std::string() : target;
}

// The address to use in the supervisor's own call; a Unix socket file only if a socket of
// the sandbox is bound to it, or a rule of the policy lets the sandbox reach it. 0 or -errno.
int destination(Caller &caller, const Reach &reach, int domain, uint64_t address, uint64_t length, Destination &out) {
  if (length > sizeof out.address) return -EINVAL;
  out.length = static_cast<socklen_t>(length);
  if (!caller.read(address, &out.address, length)) return -EFAULT;
  const auto *named = reinterpret_cast<const sockaddr_un *>(&out.address);
  if (domain == AF_INET || domain == AF_INET6) {
    out.beyond = beyondLoopback(out.address, out.length);
    return out.beyond.empty() ? 0 : -ENETUNREACH;
  }
  // Abstract names and autobind: the socket's own network namespace, the sandbox's.
  if (domain != AF_UNIX || length <= offsetof(sockaddr_un, sun_path) || named->sun_path[0] == '\0') return 0;
  out.path.assign(named->sun_path, strnlen(named->sun_path, length - offsetof(sockaddr_un, sun_path)));
  int pinned = caller.pin(out.path, AT_FDCWD);
  if (pinned < 0) return pinned;
  struct stat st;
  if (fstat(pinned, &st) != 0) return -errno;
  if (!S_ISSOCK(st.st_mode)) return -ECONNREFUSED;
  if (!reach.own.bound(st.st_dev, st.st_ino)) {
    std::string where = pinnedPath(pinned);
    SocketRules::Decision d = where.empty() ? SocketRules::Decision{} : reach.rules.decide(where);
    if (!d.allow) return -EACCES;
    out.allowedBy = d.rule;
  }
  sockaddr_un via{};
  via.sun_family = AF_UNIX;
  snprintf(via.sun_path, sizeof via.sun_path, "/proc/self/fd/%d", pinned);
  std::memcpy(&out.address, &via, sizeof via);
  out.length = sizeof via;
  return 0;
}

int socketDomain(int fd) {
  int domain = 0;
  socklen_t size = sizeof domain;
  return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &size) == 0 ? domain : -errno;
}

// The caller's message, rebuilt in the supervisor: its data copied (at most kMaxCopy), its
// descriptors (SCM_RIGHTS) taken from the caller; other ancillary data is refused (the
// kernel would check credentials against the supervisor, not the caller).
struct Message {
  msghdr header{};
  Destination to;
  std::vector<char> data, control;
  iovec vector{};
  int status = 0;
};

int readData(Caller &caller, const msghdr &theirs, Message &m) {
  if (theirs.msg_iovlen > kMaxMessages) return -EMSGSIZE;
  std::vector<iovec> iovs(theirs.msg_iovlen);
  if (!caller.read(reinterpret_cast<uint64_t>(theirs.msg_iov), iovs.data(), iovs.size() * sizeof(iovec))) return -EFAULT;
  for (const iovec &v : iovs) {
    size_t take = std::min(v.iov_len, kMaxCopy - m.data.size());
    size_t at = m.data.size();
    m.data.resize(at + take);
    if (!caller.read(reinterpret_cast<uint64_t>(v.iov_base), m.data.data() + at, take)) return -EFAULT;
  }
  m.vector = {m.data.data(), m.data.size()};
  return 0;
}

int readControl(Caller &caller, const msghdr &theirs, Message &m) {
  if (theirs.msg_controllen == 0) return 0;
  if (theirs.msg_controllen > kMaxControl) return -ENOBUFS;
  m.control.resize(theirs.msg_controllen);
  if (!caller.read(reinterpret_cast<uint64_t>(theirs.msg_control), m.control.data(), m.control.size())) return -EFAULT;
  msghdr view{};
  view.msg_control = m.control.data();
  view.msg_controllen = m.control.size();
  for (cmsghdr *c = CMSG_FIRSTHDR(&view); c; c = CMSG_NXTHDR(&view, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return -EPERM;
    auto *fds = reinterpret_cast<int *>(CMSG_DATA(c));
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int ours = caller.descriptor(static_cast<uint64_t>(fds[i]));
      if (ours < 0) return -EBADF;
      fds[i] = ours;
    }
  }
  return 0;
}

int readMessage(Caller &caller, const Reach &reach, int domain, uint64_t address, Message &m) {
  msghdr theirs{};
  if (!caller.read(address, &theirs, sizeof theirs)) return -EFAULT;
  if (int r = readData(caller, theirs, m)) return r;
  if (int r = readControl(caller, theirs, m)) return r;
  if (theirs.msg_name && theirs.msg_namelen) {
    if (int r = destination(caller, reach, domain, reinterpret_cast<uint64_t>(theirs.msg_name), theirs.msg_namelen, m.to))
      return r;
    m.header.msg_name = &m.to.address;
    m.header.msg_namelen = m.to.length;
  }
  m.header.msg_iov = &m.vector;
  m.header.msg_iovlen = 1;
  m.header.msg_control = m.control.empty() ? nullptr : m.control.data();
  m.header.msg_controllen = m.control.size();
  return 0;
}

// What the agent asked, done by the supervisor: the syscall's return value, or -errno.
class Call {
public:
  Call(Caller &caller, const Reach &reach) : caller_(caller), reach_(reach) {}

  // `path`: the socket file named, when one was; `allowedBy`: the rule that let the
  // sandbox reach a host's socket there.
  // `beyond`: an address outside the sandbox's loopback that was refused, with the socket's
  // protocol ("udp 198.18.0.1:53").
  int64_t run(std::string &path, std::string &allowedBy, std::string &beyond) {
    const seccomp_notif &c = caller_.call();
    int fd = caller_.descriptor(c.data.args[0]);
    if (fd < 0) return fd;
    int domain = socketDomain(fd);
    if (domain < 0) return domain;
    int64_t r = dispatch(fd, domain);
    path = lastPath_;
    allowedBy = lastAllowedBy_;
    if (!lastBeyond_.empty()) beyond = std::string(protocolOf(fd)) + " " + lastBeyond_;
    return r;
  }

private:
  int64_t dispatch(int fd, int domain) {
    const auto &a = caller_.call().data.args;
    switch (caller_.call().data.nr) {
    case SYS_connect: return connectTo(fd, domain, a[1], a[2]);
    case SYS_sendto: return sendTo(fd, domain, a[1], a[2], static_cast<int>(a[3]), a[4], a[5]);
    case SYS_sendmsg: return sendMessage(fd, domain, a[1], static_cast<int>(a[2]));
    default: return sendMessages(fd, domain, a[1], a[2], static_cast<int>(a[3]));
    }
  }

  int64_t connectTo(int fd, int domain, uint64_t address, uint64_t length) {
    Destination to;
    int r = destination(caller_, reach_, domain, address, length, to);
    remember(to);
    if (r == -ENETUNREACH && reach_.capture.proxyPort && isTcp(fd)) {
      int64_t captured = capture(fd, domain, to.beyond);
      if (captured == 0) lastBeyond_.clear();  // not refused: the proxy decides it, and records it
      return captured;
    }
    if (r) return r;
    return connect(fd, reinterpret_cast<sockaddr *>(&to.address), to.length) == 0 ? 0 : -errno;
  }

  int64_t sendTo(int fd, int domain, uint64_t buffer, uint64_t length, int flags, uint64_t address, uint64_t addrlen) {
    Destination to;
    int r = destination(caller_, reach_, domain, address, addrlen, to);
    remember(to);
    if (r) return r;
    std::vector<char> data(std::min<uint64_t>(length, kMaxCopy));
    if (!caller_.read(buffer, data.data(), data.size())) return -EFAULT;
    ssize_t sent = sendto(fd, data.data(), data.size(), flags | MSG_NOSIGNAL, reinterpret_cast<sockaddr *>(&to.address),
                          to.length);
    return delivered(sent, flags);
  }

  int64_t sendMessage(int fd, int domain, uint64_t address, int flags) {
    Message m;
    int r = readMessage(caller_, reach_, domain, address, m);
    remember(m.to);
    if (r) return r;
    return delivered(sendmsg(fd, &m.header, flags | MSG_NOSIGNAL), flags);
  }

  // Each message as sendmsg, its length written back where the caller reads it.
  int64_t sendMessages(int fd, int domain, uint64_t vector, uint64_t count, int flags) {
    count = std::min<uint64_t>(count, kMaxMessages);
    uint64_t sent = 0;
    for (; sent < count; ++sent) {
      uint64_t entry = vector + sent * sizeof(mmsghdr);
      int64_t r = sendMessage(fd, domain, entry + offsetof(mmsghdr, msg_hdr), flags);
      if (r < 0) return sent ? static_cast<int64_t>(sent) : r;
      unsigned length = static_cast<unsigned>(r);
      if (!caller_.write(entry + offsetof(mmsghdr, msg_len), &length, sizeof length)) return -EFAULT;
    }
    return static_cast<int64_t>(sent);
  }

  // A send the supervisor made with MSG_NOSIGNAL: the caller still gets its SIGPIPE.
  int64_t delivered(ssize_t sent, int flags) {
    if (sent >= 0) return sent;
    if (errno == EPIPE && !(flags & MSG_NOSIGNAL)) kill(caller_.call().pid, SIGPIPE);
    return -errno;
  }

  // The socket's type and protocol (0 for what cannot be read).
  static std::pair<int, int> kindOf(int fd) {
    int type = 0, protocol = 0;
    socklen_t size = sizeof type;
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size);
    size = sizeof protocol;
    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &size);
    return {type, protocol};
  }

  static bool isTcp(int fd) { return kindOf(fd) == std::pair<int, int>(SOCK_STREAM, IPPROTO_TCP); }

  // The agent's socket connected to the egress proxy instead, and the address it asked
  // ("198.18.0.1:443", "[2001:db8::1]:443") written first, with the supervisor's secret: the
  // proxy decides it as a CONNECT there (egress/proxy.h). Done before the call returns, so
  // the program's own bytes come after. An IPv6 socket reaches the proxy's IPv4 address
  // mapped: a socket of IPv6 only (IPV6_V6ONLY) is made dual first, which changes nothing
  // for it once connected; one already bound to an IPv6 address cannot be, and gets
  // ENETUNREACH.
  int64_t capture(int fd, int domain, const std::string &asked) {
    sockaddr_storage proxy{};
    socklen_t size = 0;
    if (domain == AF_INET) {
      auto &in = reinterpret_cast<sockaddr_in &>(proxy);
      in.sin_family = AF_INET;
      in.sin_port = htons(reach_.capture.proxyPort);
      in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      size = sizeof in;
    } else {
      auto &in6 = reinterpret_cast<sockaddr_in6 &>(proxy);
      in6.sin6_family = AF_INET6;
      in6.sin6_port = htons(reach_.capture.proxyPort);
      inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
      size = sizeof in6;
      int dual = 0;
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &dual, sizeof dual);
    }
    if (connect(fd, reinterpret_cast<sockaddr *>(&proxy), size) != 0) {
      if (errno != EINPROGRESS) return errno == EAFNOSUPPORT || errno == ENETUNREACH ? -ENETUNREACH : -errno;
      pollfd p{fd, POLLOUT, 0};
      int failure = 0;
      socklen_t length = sizeof failure;
      if (poll(&p, 1, kCaptureConnectMs) != 1) return -ETIMEDOUT;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) != 0 || failure) return -(failure ? failure : errno);
    }
    std::string head = "CONNECT " + asked + " HTTP/1.1\r\nHost: " + asked + "\r\nShellrt-Captured: " + reach_.capture.secret + "\r\n\r\n";
    return send(fd, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size()) ? 0 : -ECONNRESET;
  }

  void remember(const Destination &to) {
    lastPath_ = to.path;
    lastAllowedBy_ = to.allowedBy;
    lastBeyond_ = to.beyond;
  }

  static const char *protocolOf(int fd) {
    auto [type, protocol] = kindOf(fd);
    if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6) return "icmp";
    return type == SOCK_STREAM ? "tcp" : type == SOCK_DGRAM ? "udp" : "raw";
  }

  Caller &caller_;
  const Reach &reach_;
  std::string lastPath_, lastAllowedBy_, lastBeyond_;
};

const char *callName(uint32_t nr) {
  return nr == SYS_connect ? "connect" : nr == SYS_sendto ? "sendto" : nr == SYS_sendmsg ? "sendmsg" : "sendmmsg";
}

}  // namespace

seccomp_notif_resp SocketBroker::handle(const seccomp_notif &call, int listener) const {
  seccomp_notif_resp response{};
  response.id = call.id;
  Caller caller(call, listener);
  if (!caller.valid()) {
    response.error = -ESRCH;  // the caller is gone; the kernel drops the answer
    return response;
  }
  std::string path, allowedBy, beyond;
  int64_t r = Call(caller, reach_).run(path, allowedBy, beyond);
  if (!beyond.empty())
    audit_.event("network_refused", {{"syscall", std::string(callName(call.data.nr))},
                                     {"to", beyond},
                                     {"caller_pid", int64_t(call.pid)},
                                     {"why", std::string("the sandbox reaches the network only through the egress proxy "
                                                         "(HTTP_PROXY, HTTPS_PROXY): datagrams, pings and direct "
                                                         "connections are refused")}});
  else if (r == -EACCES && !path.empty())
    audit_.event("unix_socket", {{"syscall", std::string(callName(call.data.nr))},
                                 {"path", path},
                                 {"caller_pid", int64_t(call.pid)},
                                 {"decision", std::string("deny")},
                                 {"why", std::string("its listener is outside the sandbox, and no rule names it")}});
  else if (!allowedBy.empty())
    audit_.event("unix_socket", {{"syscall", std::string(callName(call.data.nr))},
                                 {"path", path},
                                 {"caller_pid", int64_t(call.pid)},
                                 {"decision", std::string("allow")},
                                 {"rule", allowedBy}});
  if (r < 0) response.error = static_cast<int32_t>(r);
  else response.val = r;
  return response;
}

}  // namespace shellrt
