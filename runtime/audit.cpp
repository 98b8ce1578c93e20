#include "audit.h"

#include <cstdlib>

#include <fcntl.h>

#include <algorithm>
#include <time.h>
#include <unistd.h>

namespace shellrt {

namespace {
std::string array(const std::vector<std::string> &items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += jsonString(items[i]);
  }
  return out + "]";
}
}  // namespace

bool AuditLog::open(const std::string &path) {
  if (path.empty()) return true;
  fd_ = path == "-" ? dup(STDERR_FILENO) : ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  return fd_ >= 0;
}

void AuditLog::count(const char *name, std::initializer_list<Field> fields) {
  static const std::vector<std::string> decisions = {"unix_socket", "network_refused", "seccomp_denied", "seccomp_notify", "kernel_audit", "limit", "egress",
                                                     "inference", "dns"};
  if (std::find(decisions.begin(), decisions.end(), name) == decisions.end()) return;
  std::string key = name;
  for (const char *part : {"decision", "syscall", "mechanism", "denied", "host", "path", "to", "model", "rule", "limit"})
    for (const Field &f : fields)
      if (std::string(f.first) == part)
        if (auto *s = std::get_if<std::string>(&f.second); s && !s->empty()) key += " " + *s;
  std::lock_guard<std::mutex> lock(mutex_);
  ++decisions_[key];
}

std::string AuditLog::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (auto &[key, n] : decisions_) out += std::to_string(n) + "\t" + key + "\n";
  return out;
}

void AuditLog::addCounts(const std::string &lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t at = 0; at < lines.size();) {
    size_t end = std::min(lines.find('\n', at), lines.size()), tab = lines.find('\t', at);
    if (tab < end) decisions_[lines.substr(tab + 1, end - tab - 1)] += std::strtoull(lines.c_str() + at, nullptr, 10);
    at = end + 1;
  }
}

std::string AuditLog::summary() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<uint64_t, std::string>> rows;
  for (auto &[key, n] : decisions_) rows.emplace_back(n, key);
  std::stable_sort(rows.begin(), rows.end(), [](auto &a, auto &b) { return a.first > b.first; });
  std::string out = rows.empty() ? "shellrt: summary: no call was refused or brokered\n"
                                 : "shellrt: summary of the decisions, most frequent first:\n";
  for (auto &[n, key] : rows) out += "  " + std::to_string(n) + " x " + key + "\n";
  return out;
}

void AuditLog::event(const char *name, std::initializer_list<Field> fields) {
  if (counting_) count(name, fields);
  if (fd_ < 0) return;
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  std::string line = "{\"time_ms\":" + std::to_string(now.tv_sec * 1000LL + now.tv_nsec / 1000000) +
                     ",\"event\":" + jsonString(name) + ",\"pid\":" + std::to_string(getpid());
  for (const Field &f : fields) {
    line += ",";
    line += jsonString(f.first);
    line += ":";
    if (auto *s = std::get_if<std::string>(&f.second)) line += jsonString(*s);
    else if (auto *i = std::get_if<int64_t>(&f.second)) line += std::to_string(*i);
    else if (auto *b = std::get_if<bool>(&f.second)) line += *b ? "true" : "false";
    else line += array(std::get<std::vector<std::string>>(f.second));
  }
  line += "}\n";
  // One write per event: concurrent writers (several sandboxes) never interleave a line.
  ssize_t ignored = write(fd_, line.data(), line.size());
  (void)ignored;
}

}  // namespace shellrt
