#include "kernel_audit.h"

#include "files.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <vector>

namespace shellrt {
namespace {

// Newer than Debian 12's uapi header.
constexpr int kLandlockAccess = 1423;
constexpr int kLandlockDomain = 1424;
constexpr int kEndOfEvent = 1320;  // AUDIT_EOE

struct Record {
  int type;
  std::string text;                          // "audit(TIME:SERIAL): key=value ..."
  std::map<std::string, std::string> field;  // its key=value pairs, quotes removed
};

Record parse(int type, std::string text) {
  Record r{type, std::move(text), {}};
  size_t colon = r.text.find("): ");
  for (size_t i = colon == std::string::npos ? 0 : colon + 3; i < r.text.size();) {
    size_t eq = r.text.find('=', i), space = r.text.find(' ', i);
    if (eq == std::string::npos) break;
    if (space != std::string::npos && space < eq) {
      i = space + 1;
      continue;
    }
    std::string key = r.text.substr(i, eq - i), value;
    size_t end;
    if (eq + 1 < r.text.size() && r.text[eq + 1] == '"') {
      end = r.text.find('"', eq + 2);
      if (end == std::string::npos) end = r.text.size();
      value = r.text.substr(eq + 2, end - eq - 2);
      ++end;
    } else {
      end = std::min(r.text.find(' ', eq), r.text.size());
      value = r.text.substr(eq + 1, end - eq - 1);
    }
    r.field[key] = value;
    i = end + 1;
  }
  return r;
}

// "audit(1795774677.580:96): ..." -> "96": the records of one event share it.
std::string serialOf(const std::string &text) {
  size_t colon = text.find(':'), close = text.find(')');
  return colon < close && close != std::string::npos ? text.substr(colon + 1, close - colon - 1) : std::string();
}

// The session of a process (/proc/PID/stat is readable by anyone; its namespace links are
// not, once the sandbox changed its ids). The sandbox's first process starts the session;
// -1 when the process is gone.
long sessionOf(const std::string &pid) {
  std::string stat;
  if (!readFile("/proc/" + pid + "/stat", stat)) return -1;
  size_t close = stat.rfind(')');  // the command name may hold blanks and parentheses
  long ppid = 0, group = 0, session = -1;
  char mode;
  if (close == std::string::npos ||
      std::sscanf(stat.c_str() + close + 1, " %c %ld %ld %ld", &mode, &ppid, &group, &session) != 4)
    return -1;
  return session;
}

std::string get(const Record &r, const char *key) {
  auto found = r.field.find(key);
  return found == r.field.end() ? std::string() : found->second;
}

}  // namespace

bool KernelAuditForwarder::open() {
  socket_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = AUDIT_NLGRP_READLOG;
  if (socket_ >= 0 && bind(socket_, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0) return true;
  if (socket_ >= 0) close(socket_);
  socket_ = -1;
  return false;
}

void KernelAuditForwarder::start(pid_t sandbox, AuditLog &audit) {
  if (socket_ < 0) return;
  sandbox_ = sandbox;
  thread_ = std::thread([this, &audit] {
    std::string event, serial;
    std::vector<char> buffer(1 << 16);
    for (;;) {
      // Until stopped and nothing is left to read: the last records come after the exit.
      pollfd p{socket_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) {
        if (stopping_) break;
        continue;
      }
      ssize_t n = recv(socket_, buffer.data(), buffer.size(), 0);
      if (n < static_cast<ssize_t>(sizeof(nlmsghdr))) continue;
      auto *header = reinterpret_cast<nlmsghdr *>(buffer.data());
      std::string text(buffer.data() + NLMSG_HDRLEN, std::min<size_t>(n, header->nlmsg_len) - NLMSG_HDRLEN);
      while (!text.empty() && text.back() == '\0') text.pop_back();
      std::string record = std::to_string(header->nlmsg_type) + " " + text + "\n";
      // At once, while the process that made the call is most likely still there to ask.
      if (header->nlmsg_type == AUDIT_SECCOMP) {
        forward(record, audit);
        continue;
      }
      // The records of one event arrive together; the Landlock domain that says whose
      // denial it is comes after the denial itself.
      std::string s = serialOf(text);
      if (s != serial && !event.empty()) {
        forward(event, audit);
        event.clear();
      }
      serial = s;
      if (header->nlmsg_type == kEndOfEvent) {
        forward(event, audit);
        event.clear();
        continue;
      }
      event += record;
    }
    if (!event.empty()) forward(event, audit);
  });
}

void KernelAuditForwarder::forward(const std::string &records, AuditLog &audit) {
  std::vector<Record> event;
  for (size_t begin = 0, end; begin < records.size(); begin = end + 1) {
    end = records.find('\n', begin);
    std::string line = records.substr(begin, end - begin);
    size_t space = line.find(' ');
    event.push_back(parse(std::stoi(line.substr(0, space)), line.substr(space + 1)));
  }
  for (const Record &r : event)
    if (r.type == kLandlockDomain && get(r, "status") == "allocated" && get(r, "pid") == std::to_string(sandbox_))
      domains_.insert(get(r, "domain"));
  for (const Record &r : event) {
    if (r.type == kLandlockAccess && domains_.count(get(r, "domain"))) {
      audit.event("kernel_audit", {{"mechanism", std::string("landlock")},
                                   {"denied", get(r, "blockers")},
                                   {"path", get(r, "path")},
                                   {"record", r.text}});
    } else if (r.type == AUDIT_SECCOMP) {
      // A process of the sandbox's session. One gone by now (a killing rule, a short
      // command) or in a session of its own cannot be told apart: its record stays in the
      // kernel's log only.
      std::string pid = get(r, "pid"), nr = get(r, "syscall");
      if (pid.empty() || nr.empty() || sessionOf(pid) != sandbox_) continue;
      audit.event("kernel_audit", {{"mechanism", std::string("seccomp")},
                                   {"syscall_nr", int64_t(std::stoll(nr))},
                                   {"exe", get(r, "exe")},
                                   {"record", r.text}});
    }
  }
}

void KernelAuditForwarder::stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    thread_.join();
  }
  if (socket_ >= 0) close(socket_);
  socket_ = -1;
}

}  // namespace shellrt
