// The supervisor's side of the sandbox's seccomp listener (sockets/broker_filter.h). The
// kernel hands it: the calls the policy refuses with an errno, which it answers so and
// records with the rule behind them; the calls of the policy's `notify` rules, which it logs
// with the rule behind them and refuses (EPERM); the calls by which a process reaches a
// socket by address, which the socket broker does on the agent's behalf (sockets/broker.h);
// and, while the git guard holds a configuration, renames (git/config_broker.h).
// It runs outside the sandbox until the sandbox ends.
//
// Each worker thread waits in the kernel for the next call and answers it itself: no
// hand-off between threads, so one call costs the two wake-ups it must (a thread made per
// call cost ~0.5 ms in TLB shootdowns; a hand-off to a pool ~100 µs on this machine). A
// call may block (a connect, a send), so a new worker starts whenever none is left waiting.
#pragma once
#include <linux/seccomp.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "audit.h"
#include "bundle/bundle.h"
#include "git/config_broker.h"
#include "sockets/broker.h"
#include "sockets/sandbox_sockets.h"

namespace shellrt {

class NotifyResponder {
public:
  // `listener`: the sandbox's seccomp listener; `diag`: its sock_diag socket. Takes both.
  // `sockets`: the host's sockets the policy lets the sandbox reach; `configs`: the git
  // configurations held read-only, which git inside may rewrite through it; `capture`: where
  // a TCP connection to another address goes (sockets/broker.h).
  void start(const Bundle &bundle, const SocketRules &sockets, const ConfigBroker &configs, const Capture &capture,
             int listener, int diag, AuditLog &audit);
  void stop();
  ~NotifyResponder() { stop(); }  // every early return of the supervisor too

private:
  void work();
  void spawnWorker();
  void answer(const seccomp_notif &request);
  void policyNotify(const seccomp_notif &request, const SeccompRule *rule);
  void policyDeny(const seccomp_notif &request, const SeccompRule *rule, uint32_t error);

  const Bundle *bundle_ = nullptr;
  AuditLog *audit_ = nullptr;
  std::unique_ptr<SandboxSockets> sockets_;
  std::unique_ptr<Reach> reach_;
  std::unique_ptr<SocketBroker> broker_;
  const ConfigBroker *configs_ = nullptr;
  int listener_ = -1, diag_ = -1;
  std::atomic<bool> stopping_ = false;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
  int waiting_ = 0;  // workers in the kernel, waiting for a call
  std::map<int, uint64_t> denied_;  // refused calls so far, by number
};

}  // namespace shellrt
