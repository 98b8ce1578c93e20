#include "fd_passing.h"

#include <sys/socket.h>

#include <cstring>

namespace shellrt {

namespace {
// One byte of payload carrying one descriptor in its control message.
struct Message {
  char byte = 0;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr header{};
  Message() {
    header.msg_iov = &io;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof control;
  }
};
}  // namespace

bool sendFd(int socket, int fd) {
  Message m;
  cmsghdr *c = CMSG_FIRSTHDR(&m.header);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return sendmsg(socket, &m.header, 0) == 1;
}

int receiveFd(int socket) {
  Message m;
  if (recvmsg(socket, &m.header, MSG_CMSG_CLOEXEC) != 1) return -1;
  cmsghdr *c = CMSG_FIRSTHDR(&m.header);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

}  // namespace shellrt
