// The audit log: one JSON object per line (docs/audit.md), written by the supervisor,
// outside the sandbox, so that the agent cannot rewrite it.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace shellrt {

class AuditLog {
public:
  using Field = std::pair<const char *, std::variant<std::string, int64_t, bool, std::vector<std::string>>>;
  // An empty path writes nothing; "-" writes to stderr.
  bool open(const std::string &path);
  void event(const char *name, std::initializer_list<Field> fields);
  int fd() const { return fd_; }  // kept open by the guardian (guardian.h)

private:
  int fd_ = -1;
};

}  // namespace shellrt
