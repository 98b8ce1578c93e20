// Which program opened a connection to the proxy, as `by` reads it (docs/language.md §10):
// the processes of the sandbox that hold the connection's socket, each with its executable
// and its ancestors' up to the sandbox's init. Asked by the supervisor, which may read the
// sandbox's /proc/PID/fd (the proxy's own Landlock domain may not: it does not enclose the
// sandbox's), for the confined proxy process (proxy_process.h).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace shellrt::egress {

// The connection from the sandbox's 127.0.0.1:`clientPort` to the proxy's 127.0.0.1:
// `proxyPort`; `diag`, a sock_diag socket made in the sandbox's network namespace (one
// caller at a time). Empty with `error` when the program cannot be told: no holder found,
// holders with different executables, or a holder whose descriptors cannot be read.
std::vector<std::string> callerBinaries(pid_t sandbox, int diag, uint16_t clientPort, uint16_t proxyPort,
                                        std::string &error);

}  // namespace shellrt::egress
