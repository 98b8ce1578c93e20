#include "notify.h"

#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

#include "fd_passing.h"

namespace shellrt {

void NotifyResponder::start(const Bundle &bundle, int socket, AuditLog &audit) {
  if (bundle.notifyRules.empty()) return;
  thread_ = std::thread([this, &bundle, socket, &audit] {
    listener_ = receiveFd(socket);
    if (listener_ < 0) return;  // the sandbox failed before its filter: nothing to answer
    while (!stopping_) {
      // The listener hangs up when the sandbox's last process is gone; the timeout covers
      // kernels that do not say so.
      pollfd p{listener_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      if (p.revents & (POLLHUP | POLLERR)) return;
      seccomp_notif request{};
      if (ioctl(listener_, SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) {
        if (errno == EINTR || errno == ENOENT) continue;  // ENOENT: the caller died meanwhile
        return;
      }
      const Bundle::NotifyRule *rule = nullptr;
      for (const auto &r : bundle.notifyRules)
        if (r.nr == static_cast<uint64_t>(request.data.nr)) rule = &r;
      audit.event("seccomp_notify", {{"syscall", rule ? rule->syscall : std::to_string(request.data.nr)},
                                     {"nr", int64_t(request.data.nr)},
                                     {"arg0", int64_t(request.data.args[0])},
                                     {"sandbox_pid", int64_t(request.pid)},
                                     {"rule", rule ? rule->rule.display() : std::string()},
                                     {"decision", std::string("deny")}});
      seccomp_notif_resp response{};
      response.id = request.id;
      response.error = -EPERM;
      ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &response);
    }
  });
}

void NotifyResponder::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.join();
  if (listener_ >= 0) close(listener_);
}

}  // namespace shellrt
