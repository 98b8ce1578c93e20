// Handing a file descriptor to another process over a unix socket (SCM_RIGHTS): how the
// sandbox gives its seccomp listener to the supervisor.
#pragma once

namespace shellrt {

bool sendFd(int socket, int fd);
int receiveFd(int socket);  // -1 when the other side closed or sent none

}  // namespace shellrt
