#include "notify.h"

#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "bundle/seccomp_check.h"
#include "sockets/broker_filter.h"

namespace shellrt {

namespace {

constexpr size_t kMaxWorkers = 64;  // calls blocked at once; past that, the next one waits
// Interrupts a worker waiting in the kernel, so that it sees `stopping_`: the listener's
// receive does not return when the sandbox ends (only poll hears that).
const int kWakeSignal = SIGRTMIN + 1;

// Makes the kernel switch straight to the waiting worker when a call arrives (Linux 6.6).
constexpr unsigned kSyncWakeUp = 1;
constexpr unsigned long kSetFlags = _IOW('!', 4, __u64);

void send(int listener, seccomp_notif_resp response) { ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &response); }

}  // namespace

void NotifyResponder::start(const Bundle &bundle, const SocketRules &rules, int listener, int diag, AuditLog &audit) {
  bundle_ = &bundle;
  audit_ = &audit;
  listener_ = listener;
  diag_ = diag;
  sockets_ = std::make_unique<SandboxSockets>(diag);
  reach_ = std::make_unique<Reach>(Reach{*sockets_, rules});
  broker_ = std::make_unique<SocketBroker>(*reach_, audit);
  struct sigaction wake {};
  wake.sa_handler = [](int) {};  // no SA_RESTART: the waiting ioctl returns EINTR
  sigaction(kWakeSignal, &wake, nullptr);
  ioctl(listener_, kSetFlags, kSyncWakeUp);  // best effort: an older kernel answers EINVAL
  std::lock_guard<std::mutex> lock(mutex_);
  spawnWorker();
}

void NotifyResponder::spawnWorker() {
  if (workers_.size() >= kMaxWorkers) return;
  ++waiting_;
  workers_.emplace_back([this] { work(); });
}

void NotifyResponder::work() {
  while (!stopping_) {
    seccomp_notif request{};
    int r = ioctl(listener_, SECCOMP_IOCTL_NOTIF_RECV, &request);
    int error = errno;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (r != 0) {
        if (error == EINTR || error == ENOENT) continue;  // ENOENT: the caller died meanwhile
        --waiting_;
        return;
      }
      // This worker may block in the call: another waits for the next one.
      if (--waiting_ == 0 && !stopping_) spawnWorker();
    }
    answer(request);
    std::lock_guard<std::mutex> lock(mutex_);
    ++waiting_;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  --waiting_;
}

// The policy's own decision first: a call its `notify` rules catch is theirs; a socket call
// it allows goes to the broker; any other call here was allowed by the policy (the runtime's
// filter sends every call of a notified number) and continues, decided on registers alone.
void NotifyResponder::answer(const seccomp_notif &request) {
  const SeccompProgram &running = bundle_->running();
  uint64_t args[6];
  std::copy(std::begin(request.data.args), std::end(request.data.args), args);
  uint32_t decision = decideByRules(running.rules, bundle_->seccompDefault, request.data.nr, args);
  if ((decision & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF) {
    const SeccompRule *rule = nullptr;
    for (const SeccompRule &r : running.rules)
      if (r.nr == static_cast<uint32_t>(request.data.nr) && r.action == decision) rule = &r;
    return policyNotify(request, rule);
  }
  if (isBrokeredSocketCall(request.data.nr)) return send(listener_, broker_->handle(request, listener_));
  seccomp_notif_resp response{};
  response.id = request.id;
  response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  send(listener_, response);
}

void NotifyResponder::policyNotify(const seccomp_notif &request, const SeccompRule *rule) {
  audit_->event("seccomp_notify", {{"syscall", rule ? rule->syscall : std::to_string(request.data.nr)},
                                   {"nr", int64_t(request.data.nr)},
                                   {"arg0", int64_t(request.data.args[0])},
                                   {"sandbox_pid", int64_t(request.pid)},
                                   {"rule", rule ? rule->rule.display() : std::string()},
                                   {"decision", std::string("deny")}});
  seccomp_notif_resp response{};
  response.id = request.id;
  response.error = -EPERM;
  send(listener_, response);
}

// Every worker is woken until it has seen `stopping_`; a brokered call still blocked is
// interrupted the same way (EINTR, which the sandbox, gone by now, never sees).
void NotifyResponder::stop() {
  if (stopping_.exchange(true) || listener_ < 0) return;
  std::vector<std::thread> workers;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (std::thread &t : workers_) pthread_kill(t.native_handle(), kWakeSignal);
      if (waiting_ == 0 || std::chrono::steady_clock::now() > deadline) {
        workers.swap(workers_);
        break;
      }
    }
    usleep(1000);
  }
  for (std::thread &t : workers) t.join();
  close(listener_);
  close(diag_);
}

}  // namespace shellrt
