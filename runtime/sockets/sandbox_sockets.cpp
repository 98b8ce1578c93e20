#include "sockets/sandbox_sockets.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace shellrt {

namespace {

bool sendDumpRequest(int fd) {
  struct {
    nlmsghdr header;
    unix_diag_req request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_UNIX;
  message.request.udiag_states = ~0u;  // every state: listening, and bound datagram sockets
  message.request.udiag_show = UDIAG_SHOW_VFS;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  return sendto(fd, &message, sizeof message, 0, reinterpret_cast<sockaddr *>(&kernel), sizeof kernel) ==
         static_cast<ssize_t>(sizeof message);
}

// The kernel reports the superblock's dev_t (major << 20 | minor); stat(2) encodes it anew.
bool sameFile(const unix_diag_vfs &vfs, dev_t dev, ino_t ino) {
  return vfs.udiag_vfs_ino == ino && makedev(vfs.udiag_vfs_dev >> 20, vfs.udiag_vfs_dev & 0xfffff) == dev;
}

// One reply message: true (and `found`) when it is the socket bound to (dev, ino).
bool matches(const nlmsghdr *h, dev_t dev, ino_t ino) {
  auto *msg = static_cast<const unix_diag_msg *>(NLMSG_DATA(h));
  int length = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
  for (auto *a = reinterpret_cast<const rtattr *>(msg + 1); RTA_OK(a, length); a = RTA_NEXT(a, length))
    if (a->rta_type == UNIX_DIAG_VFS && RTA_PAYLOAD(a) >= sizeof(unix_diag_vfs) &&
        sameFile(*static_cast<const unix_diag_vfs *>(RTA_DATA(a)), dev, ino))
      return true;
  return false;
}

}  // namespace

bool SandboxSockets::bound(dev_t dev, ino_t ino) const {
  std::lock_guard<std::mutex> lock(asking_);
  if (!sendDumpRequest(diag_)) return false;
  bool found = false;
  alignas(nlmsghdr) char buffer[32768];
  for (;;) {
    ssize_t n = recv(diag_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    for (auto *h = reinterpret_cast<nlmsghdr *>(buffer); NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return found;
      if (h->nlmsg_type == NLMSG_ERROR) return false;
      found = found || matches(h, dev, ino);
    }
  }
}

}  // namespace shellrt
