#include "egress/identity.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "files.h"

namespace shellrt::egress {

namespace {

// The socket inode of the sandbox's end of a connection to the proxy, asked of the kernel by
// sock_diag in the sandbox's network namespace: an exact lookup of 127.0.0.1:client ->
// 127.0.0.1:proxy (reading /proc/PID/net/tcp walks every connection of the machine).
std::string socketInode(int diag, uint16_t clientPort, uint16_t proxyPort) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } ask{};
  ask.header.nlmsg_len = sizeof ask;
  ask.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  ask.header.nlmsg_flags = NLM_F_REQUEST;
  ask.request.sdiag_family = AF_INET;
  ask.request.sdiag_protocol = IPPROTO_TCP;
  ask.request.idiag_states = ~0u;
  ask.request.id.idiag_sport = htons(clientPort);
  ask.request.id.idiag_dport = htons(proxyPort);
  ask.request.id.idiag_src[0] = ask.request.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
  ask.request.id.idiag_cookie[0] = ask.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  alignas(nlmsghdr) char buffer[8192];
  if (send(diag, &ask, sizeof ask, 0) != static_cast<ssize_t>(sizeof ask)) return {};
  ssize_t n = recv(diag, buffer, sizeof buffer, 0);
  auto *h = reinterpret_cast<nlmsghdr *>(buffer);
  if (n <= 0 || !NLMSG_OK(h, static_cast<size_t>(n)) || h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return {};
  return std::to_string(static_cast<const inet_diag_msg *>(NLMSG_DATA(h))->idiag_inode);
}

pid_t parentOf(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');  // the name may hold spaces and parentheses
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 1));
  std::string state;
  pid_t parent = 0;
  rest >> state >> parent;
  return parent;
}

// The sandbox's processes: the init's descendants, each process's children read from its
// threads' /proc/PID/task/TID/children (no scan of the host's processes; the init itself is
// not dumpable, so its namespace links are not ours to read, but its children are).
std::vector<pid_t> sandboxProcesses(pid_t init) {
  std::vector<pid_t> inside{init};
  for (size_t i = 0; i < inside.size(); ++i) {
    std::string tasks = "/proc/" + std::to_string(inside[i]) + "/task";
    DIR *dir = opendir(tasks.c_str());
    while (dirent *t = dir ? readdir(dir) : nullptr) {
      if (t->d_name[0] == '.') continue;
      std::ifstream children(tasks + "/" + t->d_name + "/children");
      for (pid_t child; children >> child;) inside.push_back(child);
    }
    if (dir) closedir(dir);
  }
  inside.erase(inside.begin());  // the runtime's init holds no socket of the agent's
  return inside;
}

}  // namespace

// An executable replaced since it started reads as "... (deleted)" and passes for no path a
// rule names. A process whose descriptors cannot be read (the supervisor, which owns the
// sandbox's user namespace, can read every one of them; this is the refusal should it not)
// could hold the socket unseen beside an allowed program: the program is then untold, and
// the connection refused. One gone meanwhile holds nothing.
std::vector<std::string> callerBinaries(pid_t sandbox, int diag, uint16_t clientPort, uint16_t proxyPort, std::string &error) {
  std::string inode = socketInode(diag, clientPort, proxyPort);
  std::string wanted = "socket:[" + inode + "]";
  std::vector<pid_t> holders;
  for (pid_t pid : inode.empty() ? std::vector<pid_t>() : sandboxProcesses(sandbox)) {
    std::string fds = "/proc/" + std::to_string(pid) + "/fd";
    DIR *dir = opendir(fds.c_str());
    if (!dir && errno != ENOENT && errno != ESRCH)
      return error = "the descriptors of process " + std::to_string(pid) + " cannot be read: the program that opened this "
                     "connection cannot be told", std::vector<std::string>();
    while (dirent *f = dir ? readdir(dir) : nullptr)
      if (f->d_name[0] != '.' && linkTarget(fds + "/" + f->d_name) == wanted) {
        holders.push_back(pid);
        break;
      }
    if (dir) closedir(dir);
  }
  std::vector<std::string> chain;
  for (pid_t pid : holders) {
    std::string exe = linkTarget("/proc/" + std::to_string(pid) + "/exe");
    if (!chain.empty() && exe != chain.front())
      return error = "the connection's socket is held by different programs (" + chain.front() + ", " + exe + ")", std::vector<std::string>();
    if (chain.empty())
      for (pid_t p = pid; p > 1 && p != sandbox; p = parentOf(p)) chain.push_back(linkTarget("/proc/" + std::to_string(p) + "/exe"));
  }
  if (chain.empty()) error = "the program that opened this connection cannot be told";
  return chain;
}

}  // namespace shellrt::egress
