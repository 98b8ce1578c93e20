// A placeholder: an empty directory made on the host for a protected path that did not exist
// yet (or one of its missing parents), held in the sandbox by a read-only mount (mounts.cpp)
// and removed by the guardian when the session ends (guardian.h). It is known by its device
// and inode, taken when it was made: by the end its path may lead elsewhere (a parent renamed
// away in the sandbox and a link to one of the user's directories put in its place).
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>

namespace shellrt {

struct Placeholder {
  std::string path;  // on the host
  dev_t device = 0;
  ino_t inode = 0;

  // As the supervisor passes it on to the guardian: "DEVICE INODE PATH".
  std::string line() const;
  static std::optional<Placeholder> parse(const std::string &line);
};

// The directory `made` names (which must still be a directory) as a placeholder; nullopt
// when it cannot be told.
std::optional<Placeholder> placeholderAt(const std::string &made, const std::string &hostPath);

// Removes it where its path still leads to it and it is empty; true once removed. The
// sandbox is gone by then: nothing changes between the look and the removal.
bool removePlaceholder(const Placeholder &placeholder);

}  // namespace shellrt
