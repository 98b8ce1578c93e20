// The empty read-only directories that hold protected paths that did not exist when the
// sandbox started (mounts.cpp). They are on the host, in the user's directories, and go
// when the sandbox ends, where still empty: the supervisor removes them, and should it be
// killed, a process of its own does.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace shellrt {

class Placeholders {
public:
  void add(std::string hostPath) { paths_.push_back(std::move(hostPath)); }
  // Forks the process that removes them once the supervisor is gone, however it ends.
  void guard();
  // Removes them, and lets that process go.
  void remove();

private:
  void removeNow() const;

  std::vector<std::string> paths_;  // deepest first (mounts.cpp)
  int lifeline_ = -1;               // its end of file tells that process the supervisor is gone
  pid_t guardian_ = -1;
};

}  // namespace shellrt
