// The supervisor's side of `notify` rules: the kernel hands it each such call; it logs the
// call with the rule behind it and refuses it (EPERM). It runs on its own thread, outside
// the sandbox, until the sandbox ends.
#pragma once
#include <atomic>
#include <thread>

#include "audit.h"
#include "bundle/bundle.h"

namespace shellrt {

class NotifyResponder {
public:
  // `socket`: where the sandbox sends its seccomp listener.
  void start(const Bundle &bundle, int socket, AuditLog &audit);
  void stop();
  ~NotifyResponder() { stop(); }  // every early return of the supervisor too

private:
  std::thread thread_;
  std::atomic<bool> stopping_ = false;
  int listener_ = -1;
};

}  // namespace shellrt
