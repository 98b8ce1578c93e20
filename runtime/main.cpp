// shellrt: runs a command under a shellc bundle. The supervisor (this process) stays outside
// the sandbox: it owns the audit log, and if it dies the sandbox dies with it.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include <sys/socket.h>

#include "audit.h"
#include "bundle/bundle.h"
#include "bundle/live_change.h"
#include "bundle/links.h"
#include "bundle/placement.h"
#include "bundle/sha256.h"
#include "bundle/signature.h"
#include "cgroup.h"
#include "descriptors.h"
#include "egress/host_name.h"
#include "egress/proxy_process.h"
#include "egress/tls.h"
#include "fd_passing.h"
#include "files.h"
#include "kernel_audit.h"
#include "notify.h"
#include "guardian.h"
#include "sandbox.h"
#include "terminal.h"

extern char **environ;

namespace {

using namespace shellrt;

constexpr int kExitSetupFailed = 125;

struct Options {
  std::string bundle, workspace = ".", auditLog, trust, signature, grace = "10";
  bool summary = false;
  std::vector<egress::FixedName> resolve;  // --resolve HOST:ADDRESS, for tests (docs/egress.md)
  std::vector<std::string> command;
};

int usage(const char *why) {
  std::cerr << "shellrt: " << why << "\n"
            << "usage: shellrt BUNDLE [--workspace DIR] [--audit-log FILE|-] [--trust PUBKEY [--signature FILE]]\n"
            << "               [--grace SECONDS] [--summary] [--resolve HOST:ADDRESS]...\n"
            << "               -- COMMAND [ARG...]\n"
            << "       shellrt --reload PID   (the running supervisor PID reads its bundle again)\n";
  return 2;
}

// HOST:ADDRESS, the host canonical as the proxy will compare it.
bool fixedName(const std::string &text, std::vector<egress::FixedName> &out) {
  size_t colon = text.find(':');
  egress::Host host;
  std::string error;
  std::optional<egress::Address> address = colon == std::string::npos ? std::nullopt : egress::parseAddress(text.substr(colon + 1));
  if (!address || !egress::canonicalHost(text.substr(0, colon), host, error) || host.name.empty()) return false;
  out.push_back({host.name, *address});
  return true;
}

bool parseArgs(int argc, char **argv, Options &o) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    std::string *value = a == "--workspace" ? &o.workspace : a == "--audit-log" ? &o.auditLog
                         : a == "--trust"     ? &o.trust : a == "--signature" ? &o.signature
                         : a == "--grace"     ? &o.grace : nullptr;
    if (a == "--summary") {
      o.summary = true;
    } else if (a == "--resolve" && i + 1 < argc) {
      if (!fixedName(argv[++i], o.resolve)) return false;
    } else if (value && i + 1 < argc) {
      *value = argv[++i];
    } else if (a.rfind("--", 0) == 0 || !o.bundle.empty()) {
      return false;
    } else {
      o.bundle = a;
    }
  }
  for (; i < argc; ++i) o.command.push_back(argv[i]);
  if (o.signature.empty()) o.signature = o.bundle + ".sig";
  bool graceOk = !o.grace.empty() && o.grace.size() <= 6 && o.grace.find_first_not_of("0123456789") == std::string::npos;
  return graceOk && !o.bundle.empty() && !o.command.empty();
}

// The bundle, read once: its signature (with --trust) is checked on the same bytes that are
// parsed, so that nothing can change between the check and the use.
bool readTrustedBundle(const Options &o, Bundle &bundle, std::string &text, std::string &signer, std::string &error) {
  constexpr size_t kMaxSmallFile = 1u << 16;
  std::string signature, key;
  if (!readBoundedFile(o.bundle, kMaxBundleBytes, text, error)) return false;
  if (!o.trust.empty()) {
    if (!readBoundedFile(o.trust, kMaxSmallFile, key, error)) return error = "--trust: " + error, false;
    if (!readBoundedFile(o.signature, kMaxSmallFile, signature, error))
      return error = o.bundle + " is not signed (" + error + "); sign it with `shellc build --sign KEY`", false;
    if (!verifyBundleSignature(text, signature, key, signer, error)) return error = o.bundle + ": " + error, false;
  }
  if (!parseBundle(text, bundle, error)) return error = o.bundle + ": " + error, false;
  if (!o.auditLog.empty()) bundle.sha256 = sha256Hex(text);  // for the start event only
  return true;
}

struct ChildArgs {
  SandboxSpec spec;
  // Read end: a byte when the supervisor has written the id maps, then the sandbox's trust
  // store (its length, 8 bytes, and the PEM), which the egress proxy's authority makes
  // meanwhile (egress/tls.h).
  int syncFd;
};
constexpr uint64_t kMaxTrustStore = 16u << 20;

int childMain(void *raw) {
  auto *args = static_cast<ChildArgs *>(raw);
  // Fail closed: if the supervisor dies, so does this process, and with it (PID 1 of its
  // namespace) everything the agent started.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char byte;
  uint64_t size = 0;
  if (read(args->syncFd, &byte, 1) != 1 || !readExactly(args->syncFd, &size, sizeof size) || size > kMaxTrustStore)
    _exit(kExitSetupFailed);  // the supervisor is gone
  args->spec.trustStore.resize(size);
  if (!readExactly(args->syncFd, args->spec.trustStore.data(), size)) _exit(kExitSetupFailed);
  close(args->syncFd);
  runSandbox(args->spec);
}

pid_t child = -1;
// Until the command runs, the child is the runtime's own setup, PID 1 of its namespace,
// which ignores what it has no handler for: a signal that would end the session ends it.
volatile sig_atomic_t commandStarted = 0;
// A process manager's stop (TERM) or a hangup: the init passes it on, and what has not
// ended after the grace period is killed (SIGALRM, shared with the wall-time limit: the
// earlier of the two wins).
unsigned graceSeconds = 10;
// `shellrt --reload PID` asks a running supervisor to read its bundle again (reload()).
int reloadSignal() { return SIGRTMIN + 4; }
int reloadRequests[2] = {-1, -1};  // the handler writes, the reloading thread reads
void requestReload(int) {
  int saved = errno;
  ssize_t ignored = write(reloadRequests[1], "r", 1);
  (void)ignored;
  errno = saved;
}

void forward(int signal) {
  if (child <= 0) return;
  if (!commandStarted) {
    if (signal != SIGWINCH) kill(child, SIGKILL);
    return;
  }
  kill(child, signal);
  if (signal == SIGTERM || signal == SIGHUP) {
    unsigned left = alarm(0);
    alarm(left && left < graceSeconds ? left : std::max(graceSeconds, 1u));
  }
}

// The workspace: an existing directory, and not the whole filesystem (every file of the host
// writable is no sandbox; the runtime's own mounts would land on the host's).
bool resolveWorkspace(const std::string &given, std::string &out, std::string &error) {
  char resolved[PATH_MAX];
  struct stat st;
  error.clear();
  if (!realpath(given.c_str(), resolved) || stat(resolved, &st) != 0) {
    error = "workspace " + given + ": " + std::strerror(errno);
    return false;
  }
  out = resolved;
  if (!S_ISDIR(st.st_mode)) error = "workspace " + given + " is not a directory: give the project's directory";
  else if (out == "/") error = "the workspace is the whole filesystem: give the project's directory (--workspace DIR)";
  return error.empty();
}

// The home of the user the sandbox runs as: HOME when that is the caller, else the password
// database's entry for the policy's uid (started by root with `run_as 1001:1001`, HOME was
// root's). The database only when needed: a lookup loads the NSS modules and tries nscd, a
// millisecond of every start-up.
std::string homeOf(uid_t uid, uid_t caller) {
  const char *env = getenv("HOME");
  if (env && uid == caller) return env;
  passwd *pw = getpwuid(uid);
  std::string home = pw ? pw->pw_dir : "/";
  if (uid != caller) setenv("HOME", home.c_str(), 1);  // what env_pass HOME passes on
  return home;
}

// The command's wait status, as the sandbox's init saw it; the init's own when it wrote none
// (it was killed, or the policy let it fork nothing and the command was PID 1 itself).
int commandStatus(int pipe, int initStatus) {
  char buffer[64];
  ssize_t n = read(pipe, buffer, sizeof buffer - 1);
  close(pipe);
  if (n <= 7) return initStatus;
  buffer[n] = '\0';
  return std::string(buffer, 7) == "status " ? std::atoi(buffer + 7) : initStatus;
}

// The child's descriptor `number` once it is its seccomp listener (the child is loading the
// filter meanwhile), within 5 s; -1 otherwise, with errno set.
int awaitListener(int pidfd, int number) {
  for (int tries = 0; tries < 5000; ++tries) {
    int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, number, 0));
    if (fd < 0 && errno != EBADF) return -1;
    if (fd >= 0) {
      char target[64] = {};
      std::string link = "/proc/self/fd/" + std::to_string(fd);
      if (readlink(link.c_str(), target, sizeof target - 1) > 0 && std::string(target) == "anon_inode:seccomp notify")
        return fd;
      close(fd);  // still the child's descriptor of before: the filter is not loaded yet
    }
    usleep(1000);
  }
  errno = ETIMEDOUT;
  return -1;
}

// What the child reports while it sets up, line by line: layers for the audit log,
// placeholders to remove at the end, its seccomp listener to take, or why it failed.
struct SetupReports {
  AuditLog &audit;
  NotifyResponder &responder;
  const Bundle &bundle;
  const SocketRules &socketRules;
  const ConfigBroker &configs;
  pid_t child;
  int diagSocket, ackFd;
  Guardian &guardian;
  egress::ProxyProcess &proxy;
  Capture &capture;
  std::string error;
  std::string execError;  // "126 why" or "127 why": the command could not be run

  void read(int pipe) {
    readLines(pipe, [this](const std::string &text) { line(text); });
    close(ackFd);
  }

  void line(const std::string &text) {
    if (text.rfind("layer ", 0) == 0) audit.event("layer", {{"applied", text.substr(6)}});
    else if (text.rfind("placeholder ", 0) == 0) guardian.placeholder(text.substr(12));
    else if (text.rfind("error ", 0) == 0) error = text.substr(6);
    else if (text.rfind("exec-failed ", 0) == 0) execError = text.substr(12);
    else if (text.rfind("listener ", 0) == 0) takeListener(std::stoi(text.substr(9)));
    else if (text.rfind("proxy ", 0) == 0) takeProxy(text.substr(6));
  }

  // The egress proxy's listening socket, and the inference router's where the policy routes
  // models, made in the sandbox's network namespace: served from here on. Without them the
  // sandbox would have no way out, so it does not start. `ports`: "PROXY ROUTER".
  void takeProxy(const std::string &ports) {
    bool routes = !bundle.routes.providers.empty();
    egress::ProxySockets sockets;
    sockets.listener = receiveFd(diagSocket);
    sockets.names = receiveFd(diagSocket);
    sockets.namesTcp = receiveFd(diagSocket);
    int diag = receiveFd(diagSocket);
    sockets.router = routes ? receiveFd(diagSocket) : -1;
    if (sockets.listener < 0 || sockets.names < 0 || sockets.namesTcp < 0 || diag < 0 || (routes && sockets.router < 0)) {
      error = "cannot take the egress proxy's socket from the sandbox";
      kill(child, SIGKILL);
      return;
    }
    if (!proxy.serve(sockets, diag, child)) {
      error = "cannot hand the egress proxy its socket";
      kill(child, SIGKILL);
      return;
    }
    std::string proxyPort = ports.substr(0, ports.find(' ')), routerPort = ports.substr(ports.find(' ') + 1);
    capture.proxyPort = static_cast<uint16_t>(std::stoul(proxyPort));
    audit.event("layer", {{"applied", "egress: the proxy listens on 127.0.0.1:" + proxyPort + " in the sandbox, its resolver on "
                                          "127.0.0.1:53; other TCP connections are captured; " +
                                          std::to_string(bundle.egress.rules.size()) + " rules"}});
    if (routes)
      audit.event("layer", {{"applied", "inference: the router listens on 127.0.0.1:" + routerPort + " in the sandbox; " +
                                            std::to_string(bundle.routes.routes.size()) + " routes, " +
                                            std::to_string(bundle.routes.providers.size()) + " providers" + keysMissing()}});
  }

  // Providers whose key the supervisor could not read: their models are refused (503).
  std::string keysMissing() const {
    std::string out;
    for (const auto &[provider, why] : proxy.keys().missing) out += (out.empty() ? "; without a key: " : ", ") + provider + " (" + why + ")";
    return out;
  }

  // The child says the listener's number, then loads its filter and waits until the
  // supervisor holds the listener; if the supervisor cannot take it, the child is killed: no
  // sandbox runs unbrokered.
  void takeListener(int number) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
    int listener = pidfd < 0 ? -1 : awaitListener(pidfd, number);
    int saved = errno;
    if (pidfd >= 0) close(pidfd);
    int diag = receiveFd(diagSocket);
    if (listener < 0 || diag < 0) {
      error = std::string("cannot take the sandbox's seccomp listener (pidfd_getfd, Linux 5.6 and later): ") +
              std::strerror(listener < 0 ? saved : errno);
      kill(child, SIGKILL);
      return;
    }
    responder.start(bundle, socketRules, configs, capture, listener, diag, audit);
    if (write(ackFd, "x", 1) != 1) kill(child, SIGKILL);
  }
};



// The supervisor, step by step. Every failure before the command runs goes through refuse():
// it says why on stderr, records it in the audit log once that is open, and gives 125.
class Supervisor {
public:
  explicit Supervisor(const Options &o) : o_(o) {}

  int run() {
    std::string error;
    if (!readTrustedBundle(o_, bundle_, bundleText_, signer_, error) || !resolveWorkspace(o_.workspace, workspace_, error))
      return refuse(error);
    outerUid_ = getuid();
    outerGid_ = getgid();
    uid_ = bundle_.uid.value_or(outerUid_);
    gid_ = bundle_.gid.value_or(outerGid_);
    home_ = homeOf(uid_, outerUid_);
    char realHome[PATH_MAX];
    placedHome_ = realpath(home_.c_str(), realHome) ? realHome : home_;
    if (!placementHolds(bundle_, workspace_, placedHome_, error) || !linksHold(bundle_, workspace_, placedHome_, error))
      return refuse(error);
    if ((uid_ == 0 || gid_ == 0) && !bundle_.allowRoot)
      return refuse("the sandbox would run as root (uid " + std::to_string(uid_) + ", gid " + std::to_string(gid_) +
                    "); the policy does not allow it: set `run_as UID:GID` or add `allow_root`");
    if (!audit_.open(o_.auditLog)) return refuse("cannot open the audit log " + o_.auditLog);
    if (o_.summary) audit_.countDecisions();
    auditOpen_ = true;
    audit_.event("start", {{"policy", bundle_.policy}, {"bundle", o_.bundle}, {"bundle_sha256", bundle_.sha256},
                           {"signed_by", signer_}, {"workspace", workspace_}, {"command", o_.command[0]}, {"argv", o_.command},
                           {"uid", int64_t(uid_)}, {"gid", int64_t(gid_)}});
    if (!prepareHost(error) || !startChild(error)) return refuse(error);
    installSignals();
    return supervise();
  }

private:
  int refuse(const std::string &why) {
    std::cerr << "shellrt: " << why << "\n";
    if (auditOpen_) audit_.event("refused", {{"reason", why}});
    return kExitSetupFailed;
  }

  // What went wrong after the sandbox ran (putting the host back): said and recorded too.
  void warn(const std::string &why) {
    std::cerr << "shellrt: " << why << "\n";
    audit_.event("cleanup_failed", {{"reason", why}});
  }

  // While the supervisor still has the rights it starts with: making a cgroup and joining the
  // kernel's audit multicast (CAP_AUDIT_READ) take them. Then, started by root, it becomes
  // the policy's user on the host, so that the sandbox's files belong to it and nothing runs
  // with root's rights from here on but the cgroup's keeper (cgroup.cpp).
  bool prepareHost(std::string &error) {
    if (!cgroup_.create(bundle_, cgroupNotes_, error)) return false;
    forwarding_ = !o_.auditLog.empty() && kernelAudit_.open();
    if (outerUid_ == 0 && uid_ != 0) {
      if (setgroups(0, nullptr) != 0 || setresgid(gid_, gid_, gid_) != 0 || setresuid(uid_, uid_, uid_) != 0)
        return error = "cannot become uid " + std::to_string(uid_) + ": " + std::strerror(errno), false;
      outerUid_ = uid_;
      outerGid_ = gid_;
      // Changing ids made the process undumpable, which would keep it from writing the
      // child's id maps in /proc.
      prctl(PR_SET_DUMPABLE, 1);
    }
    if (!terminal_.open()) return error = std::string("cannot open a pty: ") + std::strerror(errno), false;
    return true;
  }

  bool startChild(std::string &error) {
    if (pipe2(sync_, O_CLOEXEC) != 0 || pipe2(report_, O_CLOEXEC) != 0 || pipe2(ack_, O_CLOEXEC) != 0 ||
        pipe2(status_, O_CLOEXEC) != 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, notify_) != 0)
      return error = std::string("cannot make the supervisor's pipes: ") + std::strerror(errno), false;
    args_ = ChildArgs{{&bundle_, home_, workspace_, o_.command, uid_, gid_, {}, report_[1], &terminal_, notify_[1],
                       ack_[0], status_[1], {}, {}, {}, {}},
                      sync_[0]};
    for (char **e = environ; *e; ++e) args_.spec.hostEnvironment.push_back(*e);
    // The runtime and the bundle stay out of the sandbox's reach, whatever the policy allows.
    for (const std::string &path : {std::string("/proc/self/exe"), o_.bundle}) {
      char real[PATH_MAX];
      if (realpath(path.c_str(), real)) args_.spec.hidden.push_back(real);
    }
    args_.spec.git = git::protectWorkspaceRepository(workspace_, home_);
    configs_ = std::make_unique<ConfigBroker>(args_.spec.git, workspace_, audit_);
    socketRules_ = SocketRules(bundle_.unixSockets, home_, workspace_);
    args_.spec.socketPaths = socketRules_.allowedPaths();
    Guardian::Session session{workspace_, home_, args_.spec.git};
    if (!makeCaptureSecret(capture_.secret, error) || !proxy_.start(bundle_, audit_, o_.resolve, capture_.secret, error))
      return false;
    if (!guardian_.start(session, audit_))
      return error = std::string("cannot start the guardian that checks the workspace afterwards: ") + std::strerror(errno), false;
    static char stack[1 << 20];
    int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | SIGCHLD;
    child = clone(childMain, stack + sizeof stack, flags, &args_);
    if (child < 0) return error = std::string("cannot create the sandbox's namespaces: ") + std::strerror(errno), false;
    guardian_.sandbox(child);
    for (int fd : {sync_[0], report_[1], notify_[1], ack_[0], status_[1]}) close(fd);
    // The child waits for `sync`: it is moved and mapped before it can start anything.
    if (!cgroup_.enter(child, cgroupNotes_, error) || !mapIds(error)) {
      kill(child, SIGKILL);
      return false;
    }
    audit_.event("layer", {{"applied", cgroupNotes_}});
    kernelAudit_.start(child, audit_);
    audit_.event("layer", {{"applied", forwarding_ ? std::string("kernel audit: forwarding seccomp log records, and "
                                                                 "Landlock denials while the kernel's audit is enabled")
                                                   : std::string("kernel audit: not forwarded (reading it takes root); "
                                                                 "seccomp log records stay in the kernel's log")}});
    return releaseChild(error);
  }

  // The child goes on: the id maps are written, and the trust store follows (empty where the
  // proxy ends no TLS), once the proxy's authority is made.
  bool releaseChild(std::string &error) {
    std::string trustStore;
    if (!proxy_.awaitAuthority(error)) return false;
    if (!proxy_.authorityCertificate().empty())
      trustStore = egress::tls::systemRoots() + "\n" + proxy_.authorityCertificate();
    uint64_t size = trustStore.size();
    bool sent = write(sync_[1], "x", 1) == 1 && writeAll(sync_[1], reinterpret_cast<const char *>(&size), sizeof size) &&
                writeAll(sync_[1], trustStore);
    close(sync_[1]);
    return sent || (error = "the sandbox ended before it started", false);
  }

  // Known to the supervisor and the proxy only: a connection that carries it was captured by
  // the supervisor, not written by a program of the sandbox (egress/proxy.h).
  static bool makeCaptureSecret(std::string &secret, std::string &error) {
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
      return error = std::string("cannot make the capture secret: ") + std::strerror(errno), false;
    static const char hex[] = "0123456789abcdef";
    for (unsigned char b : bytes) secret += hex[b >> 4], secret += hex[b & 15];
    return true;
  }

  bool mapIds(std::string &error) {
    std::string proc = "/proc/" + std::to_string(child);
    bool mapped = writeFile(proc + "/setgroups", "deny") &&
                  writeFile(proc + "/uid_map", std::to_string(uid_) + " " + std::to_string(outerUid_) + " 1\n") &&
                  writeFile(proc + "/gid_map", std::to_string(gid_) + " " + std::to_string(outerGid_) + " 1\n");
    if (!mapped) error = std::string("cannot map the sandbox's user ids: ") + std::strerror(errno);
    return mapped;
  }

  void installSignals() {
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) signal(s, forward);
    static Terminal *windowOwner = &terminal_;
    signal(SIGWINCH, terminal_.active() ? [](int) { windowOwner->resize(); } : forward);
    graceSeconds = static_cast<unsigned>(std::stoul(o_.grace));
    // Last: `--reload` sends its signal only to a process that catches it (its SigCgt), so
    // the processes forked above, which do not, are never taken for the supervisor.
    if (pipe2(reloadRequests, O_CLOEXEC) == 0) {
      reloader_ = std::thread([this] {
        char c;
        while (read(reloadRequests[0], &c, 1) == 1) reload();
      });
      signal(reloadSignal(), requestReload);
    }
    signal(SIGALRM, [](int) { kill(child, SIGKILL); });
    if (bundle_.wallTimeMs) alarm(static_cast<unsigned>((bundle_.wallTimeMs + 999) / 1000));
  }

  // The child reports each layer (the pipe closes at the command's exec), then the terminal
  // is relayed until the sandbox ends; everything is put back, whatever happened.
  int supervise() {
    SetupReports reports{audit_, responder_, bundle_, socketRules_, *configs_, child, notify_[0], ack_[1], guardian_, proxy_, capture_, {}, {}};
    reports.read(report_[0]);
    commandStarted = 1;
    // A terminal that goes away ends the session, as it ends a shell's: nothing is left
    // running that nobody can see (and nothing spins on a dead terminal).
    if (reports.error.empty() && terminal_.relay()) {
      audit_.event("terminal_closed", {{"action", std::string("the sandbox is ended")}});
      kill(child, SIGKILL);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    status = commandStatus(status_[0], status);
    terminal_.restore();
    stopReloads();
    proxy_.stop(audit_);
    responder_.stop();
    kernelAudit_.stop();
    cgroup_.logStops(audit_);
    std::string error;
    if (!cgroup_.remove(error)) warn(error);
    guardian_.finish();
    if (o_.summary) std::cerr << audit_.summary();
    if (!reports.error.empty()) return refuse(reports.error);
    return exitStatus(status, reports.execError);
  }

  // The bundle file read again and checked as at the start (its signature too, with --trust);
  // its network section put in force in the proxy. A change to any other section is refused
  // and the running policy stays: the kernel holds those layers and cannot loosen them.
  void reload() {
    Bundle fresh;
    std::string text, signer, error;
    if (!readTrustedBundle(o_, fresh, text, signer, error)) return reloadRefused(error);
    std::string changed = changedStaticLayer(bundleText_, text);
    if (!changed.empty())
      return reloadRefused("the new bundle changes its `" + changed + "` section, which a running sandbox cannot take "
                           "(only `egress` and `routes` change live): start a new session for it");
    std::string unmet = needsNewSession(bundle_, fresh);
    if (!unmet.empty()) return reloadRefused("the new bundle cannot be taken live: " + unmet + "; start a new session for it");
    // Its asserts may be new: they must hold where this session started, as at a start.
    if (!placementHolds(fresh, workspace_, placedHome_, error)) return reloadRefused(error);
    size_t closed = 0;
    if (!proxy_.reload(text, closed, error)) return reloadRefused(error);
    bundleText_ = text;
    audit_.event("policy_reloaded", {{"bundle", o_.bundle}, {"bundle_sha256", sha256Hex(text)}, {"signed_by", signer},
                                     {"egress_rules", int64_t(fresh.egress.rules.size())}, {"tunnels_closed", int64_t(closed)}});
    std::cerr << "shellrt: reloaded " << o_.bundle << ": " << fresh.egress.rules.size() << " egress rules in force, "
              << closed << " tunnels closed\n";
  }

  void reloadRefused(const std::string &why) {
    std::cerr << "shellrt: reload refused, the running policy stays: " << why << "\n";
    audit_.event("reload_refused", {{"bundle", o_.bundle}, {"reason", why}});
  }

  void stopReloads() {
    if (!reloader_.joinable()) return;
    signal(reloadSignal(), SIG_IGN);
    close(reloadRequests[1]);  // the thread's read ends
    reloader_.join();
    close(reloadRequests[0]);
  }

  int exitStatus(int status, const std::string &execError) {
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!execError.empty()) {
      std::string why = execError.substr(4);
      std::cerr << "shellrt: " << why << "\n";
      audit_.event("exit", {{"status", int64_t(code)}, {"reason", why}});
    } else if (WIFSIGNALED(status)) {
      audit_.event("exit", {{"signal", int64_t(WTERMSIG(status))}, {"status", int64_t(code)},
                            {"seccomp_kill", WTERMSIG(status) == SIGSYS}});
    } else {
      audit_.event("exit", {{"status", int64_t(code)}});
    }
    return code;
  }

  const Options &o_;
  Bundle bundle_;
  std::string signer_, workspace_, home_, cgroupNotes_;
  std::string placedHome_;  // the home resolved, as placements read it
  std::string bundleText_;  // the policy in force: a reload's static sections must be these
  std::thread reloader_;
  uid_t outerUid_ = 0, uid_ = 0;
  gid_t outerGid_ = 0, gid_ = 0;
  AuditLog audit_;
  bool auditOpen_ = false, forwarding_ = false;
  Cgroup cgroup_;
  KernelAuditForwarder kernelAudit_;
  Terminal terminal_;
  Guardian guardian_;
  egress::ProxyProcess proxy_;
  Capture capture_;
  SocketRules socketRules_;
  std::unique_ptr<ConfigBroker> configs_;
  NotifyResponder responder_;  // after what it uses: destroyed (stopped) first
  int sync_[2] = {-1, -1}, report_[2] = {-1, -1}, ack_[2] = {-1, -1}, status_[2] = {-1, -1}, notify_[2] = {-1, -1};
  ChildArgs args_{};
};

}  // namespace

// `shellrt --reload PID`: the signal, sent only to a shellrt supervisor that catches it.
int sendReload(const std::string &pidText) {
  pid_t pid = pidText.find_first_not_of("0123456789") == std::string::npos && pidText.size() < 10 ? std::atoi(pidText.c_str()) : 0;
  std::ifstream comm("/proc/" + pidText + "/comm"), status("/proc/" + pidText + "/status");
  std::string name, line;
  uint64_t caught = 0;
  std::getline(comm, name);
  while (std::getline(status, line))
    if (line.rfind("SigCgt:", 0) == 0) caught = std::stoull(line.substr(7), nullptr, 16);
  if (pid <= 0 || name != "shellrt" || !(caught & (1ull << (reloadSignal() - 1)))) {
    std::cerr << "shellrt: " << pidText << " is not a running shellrt supervisor (the process `shellrt BUNDLE ...` "
              << "started; not its proxy, guardian or sandbox)\n";
    return 2;
  }
  if (kill(pid, reloadSignal()) != 0) {
    std::cerr << "shellrt: cannot signal " << pidText << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  std::cerr << "shellrt: asked " << pidText << " to reload its bundle; it says what it did on its stderr and in its audit log\n";
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && std::string(argv[1]) == "--reload") return sendReload(argv[2]);
  Options o;
  if (!parseArgs(argc, argv, o)) return usage("expected a bundle, options, then -- and the command");
  return Supervisor(o).run();
}
