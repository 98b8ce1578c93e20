#include "egress/proxy_process.h"

#include <fcntl.h>
#include <poll.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <algorithm>
#include <iostream>
#include <memory>
#include <mutex>

#include "descriptors.h"
#include "egress/identity.h"
#include "egress/tls.h"
#include "fd_passing.h"
#include "landlock.h"

extern const char kProxyBundle[];  // egress/proxy.policy, built (cmake/embed_bundle.cmake)

namespace shellrt::egress {

namespace {

// Read-only where the resolver, the libraries and the trust store are (not /proc: the caller
// is told by the supervisor); nothing writable; no TCP port
// bound; signals and abstract sockets only within itself (each as the kernel's ABI allows).
bool confineFiles(std::string &error) {
  int abi = landlockAbi();
  if (abi < 1) return true;  // an older kernel: the seccomp filter alone
  uint64_t everything = landlockFsRights(abi);
  uint64_t read = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
  RulesetAttr attr{everything, abi >= 4 ? kNetBindTcp : 0, abi >= 6 ? kScopeAbstractUnixSocket | kScopeSignal : 0};
  size_t size = abi >= 6 ? sizeof attr : abi >= 4 ? offsetof(RulesetAttr, scoped) : sizeof attr.handled_access_fs;
  int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, size, 0));
  if (ruleset < 0) return error = std::string("landlock: ") + std::strerror(errno), false;
  size_t applied = 0, missing = 0;
  bool ok = true;
  for (const char *path : {"/etc", "/usr", "/lib", "/lib64", "/run"})
    ok = ok && addRule(ruleset, path, read, applied, missing, error);
  // The trust store OpenSSL reads at the first TLS connection, where shellrt's environment
  // names another (egress/tls.h).
  for (const char *variable : {"SSL_CERT_FILE", "SSL_CERT_DIR"})
    if (const char *path = getenv(variable); path && *path)
      ok = ok && addRule(ruleset, path, read, applied, missing, error);
  if (ok && syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
    ok = false, error = std::string("landlock: ") + std::strerror(errno);
  close(ruleset);
  return ok;
}

bool loadFilter(std::string &error) {
  Bundle policy;
  if (!parseBundle(kProxyBundle, policy, error)) return error = "the proxy's own policy: " + error, false;
  const std::vector<sock_filter> &program = policy.running().program;
  sock_fprog filter{static_cast<unsigned short>(program.size()), const_cast<sock_filter *>(program.data())};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &filter) != 0)
    return error = std::string("seccomp: ") + std::strerror(errno), false;
  return true;
}

// The question and the answer, one SEQPACKET message each: two ports; then 'y' and the
// executables, NUL-separated, or 'n' and why not.
struct IdentityQuery {
  uint16_t clientPort, proxyPort;
};
constexpr size_t kMaxAnswer = 64 * 1024;
constexpr int kReloadAnswerMs = 10000;

// The proxy's side: one question at a time on the shared socket.
Identify askSupervisor(int control) {
  static std::mutex one;
  return [control](uint16_t clientPort, uint16_t proxyPort, std::string &error) {
    std::lock_guard<std::mutex> lock(one);
    IdentityQuery q{clientPort, proxyPort};
    std::vector<char> answer(kMaxAnswer);
    ssize_t n = send(control, &q, sizeof q, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof q)
                    ? recv(control, answer.data(), answer.size(), 0) : -1;
    std::vector<std::string> out;
    if (n < 1 || answer[0] != 'y') {
      error = n > 1 ? std::string(answer.data() + 1, static_cast<size_t>(n) - 1) : "the supervisor did not answer";
      return out;
    }
    for (size_t at = 1; at < static_cast<size_t>(n);) {
      std::string exe(answer.data() + at);
      at += exe.size() + 1;
      out.push_back(exe);
    }
    return out;
  };
}

// The authority, made before the process confines itself (OpenSSL reads its configuration
// and the host's trust store); its certificate, or why not, goes to the supervisor.
std::unique_ptr<tls::Authority> makeAuthority(int control, const Egress &egress) {
  if (!egress.judgesRequests()) return nullptr;
  auto authority = std::make_unique<tls::Authority>();
  std::string error;
  bool made = authority->create(error);
  std::string message = made ? authority->certificatePem() : error;
  message.insert(message.begin(), made ? 'c' : 'e');
  if (send(control, message.data(), message.size(), MSG_NOSIGNAL) < 0 || message[0] != 'c') _exit(0);
  return authority;
}

// A reload is the new bundle's length (8 bytes) and text; the answer, one line: "ok N" (N
// tunnels closed) or "error WHY". A length of 0 asks for the decisions counted here instead
// (`shellrt --summary`), answered as AuditLog::counts() lines and an empty one.
bool readReload(int fd, std::string &text) {
  uint64_t size = 0;
  if (!readExactly(fd, &size, sizeof size) || size > kMaxBundleBytes) return false;
  text.clear();
  text.resize(size);
  return readExactly(fd, text.data(), size);
}

// The proxy's side: each new bundle read (it was read and checked by the supervisor; it is
// read again here, in the process that uses it): its routes and egress table put in force.
void takeReloads(int fd, Proxy &proxy, router::Router *router, const AuditLog &audit) {
  std::string text;
  while (readReload(fd, text)) {
    if (text.empty()) {
      if (!writeAll(fd, audit.counts() + "\n")) break;
      continue;
    }
    Bundle fresh;
    std::string error, answer;
    if (parseBundle(text, fresh, error)) {
      if (router) router->replace(fresh.routes);
      answer = "ok " + std::to_string(proxy.replace(fresh.egress));
    } else {
      answer = "error " + error;
    }
    if (!writeAll(fd, answer + "\n")) break;
  }
}

[[noreturn]] void proxyMain(int control, int reloads, const Bundle &bundle, AuditLog &audit, const std::vector<FixedName> &fixed,
                            const router::Keys &keys, const std::string &captureSecret) {
  const Egress &egress = bundle.egress;
  bool routes = !bundle.routes.providers.empty();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "shellrt-proxy");
  // Two descriptors a connection (the client's, the upstream's), up to kMaxConnections: the
  // soft limit (often 1024) is raised to the hard one.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) signal(s, SIG_IGN);  // the supervisor ends it
  closeAllBut({control, reloads, audit.fd()});
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) dup2(null, STDIN_FILENO), dup2(null, STDOUT_FILENO);
  std::unique_ptr<tls::Authority> authority = makeAuthority(control, egress);
  int listener = receiveFd(control), names = receiveFd(control), namesTcp = receiveFd(control);
  int routerListener = routes ? receiveFd(control) : -1;
  pid_t sandbox = 0;
  if (listener < 0 || names < 0 || namesTcp < 0 || (routes && routerListener < 0) ||
      read(control, &sandbox, sizeof sandbox) != static_cast<ssize_t>(sizeof sandbox))
    _exit(0);
  std::string error;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !confineFiles(error) || !loadFilter(error)) {
    std::cerr << "shellrt: the egress proxy cannot confine itself: " << error << "\n";
    _exit(1);
  }
  Proxy proxy(egress, audit, fixed, askSupervisor(control), authority.get(), captureSecret);
  std::thread([&proxy, names] { proxy.serveNames(names); }).detach();
  std::thread([&proxy, namesTcp] { proxy.serveNamesOverTcp(namesTcp); }).detach();
  std::unique_ptr<router::Router> router;
  if (routes) {
    router = std::make_unique<router::Router>(bundle.routes, keys, fixed, audit);
    std::thread([&router, routerListener] { router->serve(routerListener); }).detach();
  }
  std::thread([&proxy, &router, &audit, reloads] { takeReloads(reloads, proxy, router.get(), audit); }).detach();
  proxy.serve(listener, sandbox);  // until the supervisor ends this process
}

}  // namespace

bool ProxyProcess::start(const Bundle &bundle, AuditLog &audit, const std::vector<FixedName> &fixed, const std::string &captureSecret,
                         std::string &error) {
  const Egress &egress = bundle.egress;
  keys_ = router::readKeys(bundle.routes);
  for (const Routes::Provider &p : bundle.routes.providers) {
    auto missing = keys_.missing.find(p.name);
    if (missing != keys_.missing.end() && !p.keyOptional)
      return error = "the provider " + p.name + " has no key: " + missing->second + "; set it, or mark the key optional in the policy (`key " +
                     p.keySource + " \"" + p.keyName + "\" optional`: its models are then refused)",
             false;
  }
  int ends[2], reloads[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0 ||
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, reloads) != 0)
    return error = std::string("cannot start the egress proxy: ") + std::strerror(errno), false;
  pid_ = fork();
  if (pid_ == 0) {
    close(ends[0]);
    close(reloads[0]);
    proxyMain(ends[1], reloads[1], bundle, audit, fixed, keys_, captureSecret);
  }
  close(ends[1]);
  close(reloads[1]);
  if (pid_ < 0) {
    close(ends[0]);
    close(reloads[0]);
    return error = std::string("cannot start the egress proxy: ") + std::strerror(errno), false;
  }
  control_ = ends[0];
  reloads_ = reloads[0];
  awaitingAuthority_ = egress.judgesRequests();
  return true;
}

bool ProxyProcess::awaitAuthority(std::string &error) {
  if (!awaitingAuthority_) return true;
  awaitingAuthority_ = false;
  std::vector<char> message(64 * 1024);
  ssize_t n = recv(control_, message.data(), message.size(), 0);
  std::string text = n > 0 ? std::string(message.data(), static_cast<size_t>(n)) : "ethe egress proxy ended at its start";
  if (text[0] == 'c') return authorityCertificate_ = text.substr(1), true;
  return error = "cannot end TLS where the policy judges requests inside HTTPS: " + text.substr(1), false;
}

bool ProxyProcess::serve(const ProxySockets &sockets, int diag, pid_t sandbox) {
  bool sent = sendFd(control_, sockets.listener) && sendFd(control_, sockets.names) && sendFd(control_, sockets.namesTcp) &&
              (sockets.router < 0 || sendFd(control_, sockets.router)) &&
              write(control_, &sandbox, sizeof sandbox) == static_cast<ssize_t>(sizeof sandbox);
  // The proxy's alone: if it dies, the sandbox's connections are refused.
  for (int fd : {sockets.listener, sockets.names, sockets.namesTcp, sockets.router})
    if (fd >= 0) close(fd);
  if (sent) answering_ = std::thread([this, sandbox, diag] { answerIdentityQueries(sandbox, diag); });
  else close(diag);
  return sent;
}

// Until the proxy is gone (or stop() shuts the socket): each question answered from the
// supervisor's view of the sandbox's processes.
void ProxyProcess::answerIdentityQueries(pid_t sandbox, int diag) {
  IdentityQuery q;
  while (recv(control_, &q, sizeof q, 0) == static_cast<ssize_t>(sizeof q)) {
    std::string error;
    std::vector<std::string> binaries = callerBinaries(sandbox, diag, q.clientPort, q.proxyPort, error);
    std::string answer(1, binaries.empty() ? 'n' : 'y');
    if (binaries.empty()) answer += error;
    for (const std::string &exe : binaries) answer.append(exe.c_str(), exe.size() + 1);
    if (answer.size() > kMaxAnswer) answer = std::string("nthe program's ancestry is too long to tell");
    if (send(control_, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) break;
  }
  close(diag);
}

namespace {

// The proxy's answer on the reload channel, up to and without `end` (or what came before the
// proxy fell silent, ended, or sent `limit` bytes).
std::string readAnswer(int fd, const std::string &end, size_t limit) {
  std::string answer = "\n";  // so that an empty answer ("\n" alone) ends a "\n\n" too
  char c;
  pollfd p{fd, POLLIN, 0};
  while (answer.size() < limit && poll(&p, 1, kReloadAnswerMs) == 1 && read(fd, &c, 1) == 1) {
    answer += c;
    if (answer.size() >= end.size() && answer.compare(answer.size() - end.size(), end.size(), end) == 0) {
      answer.resize(answer.size() - end.size());
      break;
    }
  }
  return answer.empty() ? answer : answer.substr(1);  // empty: the sentinel was the end's first byte
}

}  // namespace

bool ProxyProcess::reload(const std::string &bundleText, size_t &closed, std::string &error) {
  uint64_t size = bundleText.size();
  std::string message(reinterpret_cast<const char *>(&size), sizeof size);
  message += bundleText;
  // MSG_NOSIGNAL: a proxy that died must not take the supervisor with it (SIGPIPE).
  for (size_t sent = 0; sent < message.size();) {
    ssize_t n = send(reloads_, message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return error = "the egress proxy is gone", false;
    sent += static_cast<size_t>(n);
  }
  std::string answer = readAnswer(reloads_, "\n", 4096);
  if (answer.rfind("ok ", 0) == 0) return closed = std::stoul(answer.substr(3)), true;
  return error = answer.rfind("error ", 0) == 0 ? "the egress proxy refused it: " + answer.substr(6)
                                                 : "the egress proxy did not answer", false;
}

// The decisions the proxy counted, added to the supervisor's (`--summary`), asked before it
// is ended.
void ProxyProcess::collectCounts(AuditLog &audit) {
  uint64_t ask = 0;
  if (send(reloads_, &ask, sizeof ask, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof ask)) return;
  audit.addCounts(readAnswer(reloads_, "\n\n", 1u << 20));
}

void ProxyProcess::stop(AuditLog &audit) {
  if (pid_ < 0) return;
  if (audit.counting()) collectCounts(audit);  // a proxy that ended answers nothing: nothing added
  int status = 0;
  bool endedAlready = waitpid(pid_, &status, WNOHANG) == pid_;
  if (!endedAlready) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  } else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                          : "exited with status " + std::to_string(WEXITSTATUS(status));
    std::cerr << "shellrt: the egress proxy ended during the session (" << how << "): the sandbox had no network from then on\n";
    audit.event("egress_proxy_died", {{"how", how}});
  }
  shutdown(control_, SHUT_RDWR);  // ends the answering thread's wait
  if (answering_.joinable()) answering_.join();
  close(control_);
  close(reloads_);
  pid_ = -1;
}

}  // namespace shellrt::egress
