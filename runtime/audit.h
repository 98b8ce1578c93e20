// The audit log: one JSON object per line (docs/audit.md), written by the supervisor,
// outside the sandbox, so that the agent cannot rewrite it.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "bundle/json.h"  // jsonString

namespace shellrt {

class AuditLog {
public:
  using Field = std::pair<const char *, std::variant<std::string, int64_t, bool, std::vector<std::string>>>;
  // An empty path writes nothing; "-" writes to stderr.
  bool open(const std::string &path);
  void event(const char *name, std::initializer_list<Field> fields);
  int fd() const { return fd_; }  // kept open by the guardian (guardian.h)

  // `shellrt --summary`: the decisions the supervisor took (brokered sockets, seccomp's
  // refusals and `notify` rules, the kernel's denials, limits), counted by what and which rule, whether or not a log is
  // written; summary() lists them, most frequent first.
  void countDecisions() { counting_ = true; }
  // Counts a decision that the log leaves out (a refusal repeated past what it records).
  void tally(const char *name, std::initializer_list<Field> fields) {
    if (counting_) count(name, fields);
  }
  bool counting() const { return counting_; }
  std::string summary() const;
  // The counts as lines "N<TAB>what", and those of another process (the egress proxy's,
  // which decides in a process of its own) added to these.
  std::string counts() const;
  void addCounts(const std::string &lines);

private:
  void count(const char *name, std::initializer_list<Field> fields);

  int fd_ = -1;
  bool counting_ = false;
  mutable std::mutex mutex_;  // the responder's workers decide concurrently
  std::map<std::string, uint64_t> decisions_;
};

}  // namespace shellrt
