#include "egress/identity.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace shellrt::egress {

namespace {

std::string linkOf(const std::string &path) {
  char target[4096];
  ssize_t n = readlink(path.c_str(), target, sizeof target - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

// The socket inode of the sandbox's end of a connection to the proxy, from the sandbox's
// own /proc/net/tcp (its network namespace): the line from 127.0.0.1:client to :proxy.
std::string socketInode(pid_t sandbox, uint16_t clientPort, uint16_t proxyPort) {
  char local[32], remote[32];
  snprintf(local, sizeof local, "%08X:%04X", htonl(INADDR_LOOPBACK), clientPort);
  snprintf(remote, sizeof remote, "%08X:%04X", htonl(INADDR_LOOPBACK), proxyPort);
  std::ifstream table("/proc/" + std::to_string(sandbox) + "/net/tcp");
  std::string line;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, l, r, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> l >> r >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
    if (l == local && r == remote) return inode;
  }
  return {};
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

// The sandbox's processes: the init's descendants, by the parent links of the host's /proc
// (the init itself is not dumpable: its namespace links are not ours to read).
std::vector<pid_t> sandboxProcesses(pid_t init) {
  std::vector<std::pair<pid_t, pid_t>> links;  // child, parent
  DIR *proc = opendir("/proc");
  while (dirent *e = proc ? readdir(proc) : nullptr)
    if (pid_t pid = static_cast<pid_t>(std::atoi(e->d_name)); pid > 0) links.emplace_back(pid, parentOf(pid));
  if (proc) closedir(proc);
  std::vector<pid_t> inside{init};
  for (size_t i = 0; i < inside.size(); ++i)
    for (auto [pid, parent] : links)
      if (parent == inside[i]) inside.push_back(pid);
  inside.erase(inside.begin());  // the runtime's init holds no socket of the agent's
  return inside;
}

}  // namespace

// An executable replaced since it started reads as "... (deleted)" and passes for no path a
// rule names. A holder whose descriptors cannot be read (it made itself undumpable) leaves
// the program untold, and the connection refused.
std::vector<std::string> callerBinaries(pid_t sandbox, uint16_t clientPort, uint16_t proxyPort, std::string &error) {
  std::string inode = socketInode(sandbox, clientPort, proxyPort);
  std::string wanted = "socket:[" + inode + "]";
  std::vector<pid_t> holders;
  for (pid_t pid : inode.empty() ? std::vector<pid_t>() : sandboxProcesses(sandbox)) {
    std::string fds = "/proc/" + std::to_string(pid) + "/fd";
    DIR *dir = opendir(fds.c_str());
    while (dirent *f = dir ? readdir(dir) : nullptr)
      if (f->d_name[0] != '.' && linkOf(fds + "/" + f->d_name) == wanted) {
        holders.push_back(pid);
        break;
      }
    if (dir) closedir(dir);
  }
  std::vector<std::string> chain;
  for (pid_t pid : holders) {
    std::string exe = linkOf("/proc/" + std::to_string(pid) + "/exe");
    if (!chain.empty() && exe != chain.front())
      return error = "the connection's socket is held by different programs (" + chain.front() + ", " + exe + ")", std::vector<std::string>();
    if (chain.empty())
      for (pid_t p = pid; p > 1 && p != sandbox; p = parentOf(p)) chain.push_back(linkOf("/proc/" + std::to_string(p) + "/exe"));
  }
  if (chain.empty()) error = "the program that opened this connection cannot be told";
  return chain;
}

}  // namespace shellrt::egress
