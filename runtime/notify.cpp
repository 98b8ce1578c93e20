#include "notify.h"

#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

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

// A caller's PID as the sandbox sees it (its own PID namespace, the last of NSpid), which is
// what the audit log records; the kernel hands the supervisor's view. 0 when it is gone.
pid_t sandboxPid(pid_t host) {
  std::ifstream status("/proc/" + std::to_string(host) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    pid_t pid = 0;
    for (pid_t field; fields >> field;) pid = field;
    return pid;
  }
  return 0;
}

}  // namespace

void NotifyResponder::start(const Bundle &bundle, const SocketRules &rules, const ConfigBroker &configs,
                            const Capture &capture, int listener, int diag, AuditLog &audit) {
  bundle_ = &bundle;
  configs_ = &configs;
  audit_ = &audit;
  listener_ = listener;
  diag_ = diag;
  sockets_ = std::make_unique<SandboxSockets>(diag);
  reach_ = std::make_unique<Reach>(Reach{*sockets_, rules, capture});
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

// The policy's own decision first (its rules, as the program it was checked against): a
// call it refuses with an errno gets that errno, recorded; a call its `notify` rules catch is
// theirs; a socket call it allows goes to the socket broker, a rename to the git
// configurations' broker. Decided on registers alone: what the agent's memory holds cannot
// change the answer meanwhile.
void NotifyResponder::answer(const seccomp_notif &request) {
  const SeccompProgram &running = bundle_->running();
  uint64_t args[6];
  std::copy(std::begin(request.data.args), std::end(request.data.args), args);
  uint32_t decision = decideByRules(running.rules, bundle_->seccompDefault, request.data.nr, args);
  uint32_t action = decision & SECCOMP_RET_ACTION_FULL;
  if (action == SECCOMP_RET_ERRNO || action == SECCOMP_RET_USER_NOTIF) {
    const SeccompRule *rule = nullptr;  // none: the default decided
    for (const SeccompRule &r : running.rules)
      if (r.nr == static_cast<uint32_t>(request.data.nr) && r.action == decision) rule = &r;
    return action == SECCOMP_RET_ERRNO ? policyDeny(request, rule, decision & SECCOMP_RET_DATA)
                                       : policyNotify(request, rule);
  }
  if (isBrokeredSocketCall(request.data.nr)) return send(listener_, broker_->handle(request, listener_));
  if (isBrokeredRename(request.data.nr)) return send(listener_, configs_->handle(request, listener_));
  // Only a refusal or a `notify` rule of the program sends any other call here, and the rules
  // it was checked against let it run: they disagree, and the call stays refused.
  policyDeny(request, nullptr, EPERM);
}

void NotifyResponder::policyNotify(const seccomp_notif &request, const SeccompRule *rule) {
  audit_->event("seccomp_notify", {{"syscall", rule ? rule->syscall : std::to_string(request.data.nr)},
                                   {"nr", int64_t(request.data.nr)},
                                   {"arg0", int64_t(request.data.args[0])},
                                   {"sandbox_pid", int64_t(sandboxPid(request.pid))},
                                   {"rule", rule ? rule->rule.display() : std::string()},
                                   {"decision", std::string("deny")}});
  seccomp_notif_resp response{};
  response.id = request.id;
  response.error = -EPERM;
  send(listener_, response);
}

// A call that the policy refuses with `error`. Recorded the first kMaxDeniedEvents times per
// call number, then every thousandth with the count: a program that retries a refused call
// in a loop cannot fill the disk with the log.
void NotifyResponder::policyDeny(const seccomp_notif &request, const SeccompRule *rule, uint32_t error) {
  constexpr uint64_t kMaxDeniedEvents = 20;
  uint64_t seen = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    seen = ++denied_[request.data.nr];
  }
  std::string syscall = rule ? rule->syscall : std::to_string(request.data.nr);
  std::string by = rule ? rule->rule.display() : std::string("the default");
  if (seen <= kMaxDeniedEvents || seen % 1000 == 0)
    audit_->event("seccomp_denied", {{"syscall", syscall},
                                     {"nr", int64_t(request.data.nr)},
                                     {"arg0", int64_t(request.data.args[0])},
                                     {"sandbox_pid", int64_t(sandboxPid(request.pid))},
                                     {"rule", by},
                                     {"errno", int64_t(error)},
                                     {"times", int64_t(seen)}});
  else
    audit_->tally("seccomp_denied", {{"syscall", syscall}, {"rule", by}});
  seccomp_notif_resp response{};
  response.id = request.id;
  response.error = -static_cast<int32_t>(error);
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
