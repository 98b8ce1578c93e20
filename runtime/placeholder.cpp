#include "placeholder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

namespace shellrt {

std::string Placeholder::line() const { return std::to_string(device) + " " + std::to_string(inode) + " " + path; }

std::optional<Placeholder> Placeholder::parse(const std::string &line) {
  std::istringstream in(line);
  Placeholder p;
  unsigned long long device = 0, inode = 0;
  if (!(in >> device >> inode) || in.get() != ' ' || !std::getline(in, p.path) || p.path.empty() || p.path[0] != '/')
    return std::nullopt;
  p.device = static_cast<dev_t>(device);
  p.inode = static_cast<ino_t>(inode);
  return p;
}

std::optional<Placeholder> placeholderAt(const std::string &made, const std::string &hostPath) {
  struct stat st;
  if (lstat(made.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return Placeholder{hostPath, st.st_dev, st.st_ino};
}

// The entry is looked at in the directory its parent's path leads to now, without following
// a link at its own name, and removed only if it is the directory that was made: a link
// planted on the way leads to another directory, whose entry of that name is another inode.
bool removePlaceholder(const Placeholder &placeholder) {
  size_t slash = placeholder.path.rfind('/');
  std::string parent = slash == 0 ? "/" : placeholder.path.substr(0, slash), name = placeholder.path.substr(slash + 1);
  int at = open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (at < 0) return false;
  struct stat st;
  bool same = fstatat(at, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
              st.st_dev == placeholder.device && st.st_ino == placeholder.inode;
  bool removed = same && unlinkat(at, name.c_str(), AT_REMOVEDIR) == 0;  // only if still empty
  close(at);
  return removed;
}

}  // namespace shellrt
