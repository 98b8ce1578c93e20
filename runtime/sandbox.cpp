#include "sandbox.h"

#include <linux/capability.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "descriptors.h"
#include "fd_passing.h"
#include "landlock.h"
#include "init.h"
#include "mounts.h"
#include "bundle/seccomp_check.h"
#include "egress/dns.h"
#include "sockets/broker_filter.h"

namespace shellrt {

namespace {

// Where the supervisor's servers listen in the sandbox (supervisorListeners).
struct Ports {
  uint16_t proxy = 0, router = 0;
};

void report(int fd, const std::string &line) {
  std::string out = line + "\n";
  ssize_t ignored = write(fd, out.data(), out.size());
  (void)ignored;
}

[[noreturn]] void die(const SandboxSpec &spec, const std::string &why) {
  report(spec.reportFd, "error " + why);
  _exit(125);
}

std::string errnoText(const char *what) { return std::string(what) + ": " + std::strerror(errno); }

void dropCapabilities(const SandboxSpec &spec) {
  for (int cap = 0; prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0; ++cap) {
  }  // EINVAL: past the kernel's last capability
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    die(spec, errnoText("clear ambient capabilities"));
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) != 0) die(spec, errnoText("capset"));
}

// The proxy's address for every client that reads one: curl reads only lowercase
// http_proxy, Node's fetch and https only with NODE_USE_ENV_PROXY, npm its npm_config_*;
// pip, git and cargo read HTTPS_PROXY / https_proxy. Set last: the sandbox's only way out.
// NAME=value in place of any NAME already there.
void setVariable(std::vector<std::string> &env, const std::string &name, const std::string &value) {
  std::erase_if(env, [&](const std::string &e) { return e.compare(0, name.size() + 1, name + "=") == 0; });
  env.push_back(name + "=" + value);
}

void addProxyVariables(std::vector<std::string> &env, uint16_t port) {
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  std::vector<std::pair<std::string, std::string>> vars = {
      {"HTTP_PROXY", url}, {"HTTPS_PROXY", url}, {"ALL_PROXY", url}, {"http_proxy", url}, {"https_proxy", url},
      {"all_proxy", url}, {"NO_PROXY", "localhost,127.0.0.1,::1"}, {"no_proxy", "localhost,127.0.0.1,::1"},
      {"NODE_USE_ENV_PROXY", "1"}, {"npm_config_proxy", url}, {"npm_config_https_proxy", url},
      {"CARGO_HTTP_PROXY", url}};
  for (auto &[name, value] : vars) setVariable(env, name, value);
}

// Where the proxy ends TLS, every client's way to trust the sandbox's authority (the system's
// store in the view is the same file, for those that read no variable).
void addTrustVariables(std::vector<std::string> &env, const std::string &trustStore) {
  if (trustStore.empty()) return;
  for (const char *name : {"SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "PIP_CERT",
                           "NODE_EXTRA_CA_CERTS", "CODEX_CA_CERTIFICATE", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
                           "CARGO_HTTP_CAINFO"})
    setVariable(env, name, trustStore);
}

// Where the policy routes models: the SDKs' and agent CLIs' base URLs at the router, and
// keys that are no secret, so that they start (the router adds the real ones, outside).
void addRouterVariables(std::vector<std::string> &env, uint16_t port) {
  if (port == 0) return;
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  for (auto &[name, value] : std::vector<std::pair<std::string, std::string>>{
           {"OPENAI_BASE_URL", base + "/v1"}, {"ANTHROPIC_BASE_URL", base},
           {"OPENAI_API_KEY", "shellrt-router-placeholder"}, {"ANTHROPIC_API_KEY", "shellrt-router-placeholder"}})
    setVariable(env, name, value);
}

std::vector<std::string> environment(const SandboxSpec &spec, const Ports &ports, const std::string &trustStore) {
  std::vector<std::string> env;
  for (const std::string &name : spec.bundle->envPass)
    for (const std::string &entry : spec.hostEnvironment)
      if (entry.compare(0, name.size() + 1, name + "=") == 0) env.push_back(entry);
  for (auto &[name, value] : spec.bundle->envSet) setVariable(env, name, value);
  // A provider's key never enters the sandbox, even where the policy passes its variable.
  for (const Routes::Provider &p : spec.bundle->routes.providers)
    if (p.keySource == "env")
      std::erase_if(env, [&](const std::string &e) { return e.compare(0, p.keyName.size() + 1, p.keyName + "=") == 0; });
  addProxyVariables(env, ports.proxy);
  addRouterVariables(env, ports.router);
  addTrustVariables(env, trustStore);
  return env;
}

// Last: from here on the filter decides every call, execve included. It is the policy's
// program as checked, with the calls it refuses by errno and the socket calls by address
// sent to the supervisor (sockets/broker_filter.h); it holds the one listener a process may
// have, which the supervisor takes from this process (pidfd_getfd) while it waits. The
// listener's number is said before the filter is loaded (the lowest free one, which the
// kernel gives it): any call after it may be one the filter sends to a supervisor that must
// already be taking the listener, or it would wait for ever.
void loadFilters(const SandboxSpec &spec) {
  const Bundle &bundle = *spec.bundle;
  const SeccompProgram &running = bundle.running();
  std::vector<sock_filter> filter = sandboxFilter(running.program, !spec.git.heldConfigs.empty());
  if (filter.size() > kMaxSeccompInstructions)
    die(spec, "the policy's seccomp program with the runtime's " + std::to_string(filter.size() - running.program.size()) +
                  " instructions is longer than the kernel takes (" + std::to_string(kMaxSeccompInstructions) +
                  "): shorten the syscalls block");
  report(spec.reportFd, "layer seccomp: " + std::to_string(running.program.size()) + " instructions, " +
                            std::to_string(running.rules.size()) + " rules; refusals recorded and Unix sockets "
                            "reached by address through the supervisor");
  sock_fprog program{static_cast<unsigned short>(filter.size()), filter.data()};
  int next = fcntl(spec.reportFd, F_DUPFD, 0);
  if (next < 0) die(spec, errnoText("fcntl"));
  close(next);
  report(spec.reportFd, "listener " + std::to_string(next));
  long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
  if (listener < 0)
    die(spec, errnoText("seccomp user notification (Linux 5.0 and later; it keeps Unix sockets outside the sandbox "
                        "out of reach)"));
  if (listener != next) die(spec, "the seccomp listener is not the descriptor announced");
  char ack;
  if (read(spec.ackFd, &ack, 1) != 1) die(spec, "the supervisor did not take the seccomp listener");
  close(static_cast<int>(listener));
  close(spec.ackFd);
}

struct Command {
  const SandboxSpec *spec;
  char **argv, **envp;
};

// Execs the command; on failure, its status told apart as shells and Docker do: 127 not
// found, 126 found but not executable. The sandbox itself was set up.
int execCommand(void *raw) {
  auto *c = static_cast<Command *>(raw);
  execvpe(c->argv[0], c->argv, c->envp);
  int status = errno == ENOENT || errno == ENOTDIR ? 127 : 126;
  report(c->spec->reportFd, "exec-failed " + std::to_string(status) + " " + errnoText(c->spec->command[0].c_str()));
  return status;
}

}  // namespace

// The new network namespace has only a loopback device, down: bring it up, so that the
// agent's own servers and tests work (and later, the egress proxy's socket).
bool loopbackUp() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags |= IFF_UP | IFF_RUNNING;
  ok = ok && ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  // An IPv4 address other than 127.0.0.1, so that glibc's AI_ADDRCONFIG returns the
  // resolver's IPv4 answers (egress/dns.h); on loopback, it leads nowhere else.
  ifreq alias{};
  std::strncpy(alias.ifr_name, "lo:1", IFNAMSIZ - 1);
  auto &address = reinterpret_cast<sockaddr_in &>(alias.ifr_addr);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(egress::dns::kSandboxAddress);
  ok = ok && ioctl(fd, SIOCSIFADDR, &alias) == 0;
  close(fd);
  return ok;
}

// A socket of `type` on the sandbox's loopback at `port` (0: one the kernel chooses, said
// back), listening where it is a stream one; -1 on failure. The proxy's and the router's
// listeners; the resolver's, UDP and TCP, at 127.0.0.1:53, where glibc asks when
// /etc/resolv.conf names no other server (the sandbox's names it too; TCP for the clients
// that ask over it, such as dig's ANY).
int loopbackSocket(int type, uint16_t &port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
      (type == SOCK_STREAM && listen(fd, 512) != 0) || getsockname(fd, reinterpret_cast<sockaddr *>(&address), &size) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  port = ntohs(address.sin_port);
  return fd;
}

// The sockets the supervisor serves from outside, made here while this process still acts
// in the sandbox's network namespace as its owner: the egress proxy's (egress/proxy.h) and
// its resolver's (egress/dns.h), a sock_diag socket by which the supervisor tells which
// program opened a connection to it (egress/identity.h), and, where the policy routes
// models, the inference router's (router/router.h). Reported as "proxy PORT ROUTER_PORT"
// (0: no router).
Ports supervisorListeners(const SandboxSpec &spec) {
  Ports ports;
  uint16_t dnsPort = 53;
  int proxy = loopbackSocket(SOCK_STREAM, ports.proxy), names = loopbackSocket(SOCK_DGRAM, dnsPort),
      namesTcp = loopbackSocket(SOCK_STREAM, dnsPort);
  int diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  bool routes = !spec.bundle->routes.providers.empty();
  int router = routes ? loopbackSocket(SOCK_STREAM, ports.router) : -1;
  if (proxy < 0 || names < 0 || namesTcp < 0 || diag < 0 || (routes && router < 0) || !sendFd(spec.notifySocket, proxy) ||
      !sendFd(spec.notifySocket, names) || !sendFd(spec.notifySocket, namesTcp) || !sendFd(spec.notifySocket, diag) ||
      (routes && !sendFd(spec.notifySocket, router)))
    die(spec, errnoText("make the egress proxy's, its resolver's and the router's sockets"));
  for (int fd : {proxy, names, namesTcp, diag, router})
    if (fd >= 0) close(fd);
  report(spec.reportFd, "proxy " + std::to_string(ports.proxy) + " " + std::to_string(ports.router));
  return ports;
}

[[noreturn]] void runSandbox(const SandboxSpec &spec) {
  const Bundle &bundle = *spec.bundle;
  std::string notes, error;
  if (!loopbackUp()) die(spec, errnoText("bring up loopback"));
  Ports ports = supervisorListeners(spec);
  std::vector<Placeholder> placeholders;
  std::string trustStore;
  if (!buildRoot(spec, placeholders, trustStore, notes, error)) die(spec, error);
  for (const Placeholder &p : placeholders) report(spec.reportFd, "placeholder " + p.line());
  report(spec.reportFd, "layer " + notes);

  for (const Limit &limit : bundle.limits) {
    rlimit r{limit.value, limit.value};
    if (setrlimit(limit.resource, &r) != 0) die(spec, errnoText("setrlimit"));
  }
  report(spec.reportFd, "layer rlimits: " + std::to_string(bundle.limits.size()) + " set");

  // A new session: the host's terminal is no longer the controlling one, so TIOCSTI cannot
  // type into it; an interactive sandbox gets its own pty instead.
  if (setsid() < 0) die(spec, errnoText("setsid"));
  if (!spec.terminal->attachInChild()) die(spec, errnoText("attach the pty"));

  if (setresgid(spec.gid, spec.gid, spec.gid) != 0) die(spec, errnoText("setresgid"));
  if (setresuid(spec.uid, spec.uid, spec.uid) != 0) die(spec, errnoText("setresuid"));
  dropCapabilities(spec);
  report(spec.reportFd, "layer identity: uid " + std::to_string(spec.uid) + ", gid " + std::to_string(spec.gid) +
                            ", no capabilities");

  std::vector<std::string> env = environment(spec, ports, trustStore);
  if (chdir(spec.workspace.c_str()) != 0 && chdir("/") != 0) die(spec, errnoText("chdir"));

  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(spec, errnoText("no_new_privs"));
  if (!applyLandlock(spec, trustStore, notes, error)) die(spec, error);
  report(spec.reportFd, "layer " + notes);

  // The sandbox's sock_diag socket, made in its network namespace, before any filter.
  int diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (diag < 0 || !sendFd(spec.notifySocket, diag)) die(spec, errnoText("hand over the sock_diag socket"));
  close(diag);

  // Every descriptor above 2 is closed (inherited sockets, the host's cwd…), except the
  // report pipe, which closes on exec and tells the supervisor the exec happened.
  if (!closeAllBut({spec.reportFd, spec.ackFd, spec.statusFd})) die(spec, errnoText("close inherited descriptors"));

  std::vector<char *> argv, envp;
  for (const std::string &a : spec.command) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  for (std::string &e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  loadFilters(spec);
  Command command{&spec, argv.data(), envp.data()};
  runInit(spec.statusFd, spec.reportFd, execCommand, &command);
  _exit(execCommand(&command));  // no fork under this policy: the command is PID 1
}

}  // namespace shellrt
