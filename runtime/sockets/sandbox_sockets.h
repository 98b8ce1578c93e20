// Which Unix sockets are the sandbox's own: those bound in its network namespace, listed by
// the kernel's sock_diag with the file each is bound to (UNIX_DIAG_VFS). A socket file whose
// listener is not among them belongs to a process outside the sandbox (tmux, ssh-agent,
// D-Bus, X11, docker): a door out.
#pragma once
#include <sys/types.h>

#include <mutex>

namespace shellrt {

class SandboxSockets {
public:
  // `diag`: a NETLINK_SOCK_DIAG socket made inside the sandbox's network namespace (a
  // netlink socket asks about the namespace it was made in).
  explicit SandboxSockets(int diag) : diag_(diag) {}
  // Whether a socket of the sandbox is bound to the file (dev, ino) as stat(2) gives them.
  // False also when the kernel cannot be asked: a door is closed by default.
  bool bound(dev_t dev, ino_t ino) const;

private:
  int diag_;
  mutable std::mutex asking_;  // one dump at a time on the one socket
};

}  // namespace shellrt
