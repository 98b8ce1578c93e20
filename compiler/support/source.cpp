#include "support/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace shellc {

namespace {
// Policies are small; anything past this is a mistake or an attack, not a policy.
constexpr off_t kMaxSourceBytes = 64 << 20;
const ReadError kTooLarge{"file is larger than 64 MiB", ""};

ReadError systemError(int err) {
  if (err == ELOOP) return {std::strerror(err), "the symbolic links on the way form a loop (or a chain of more than 40)"};
  return {std::strerror(err), ""};
}

// Whether `st` is what a policy is read from: a regular file within the bound.
bool readable(const struct stat &st, ReadError &error) {
  if (S_ISREG(st.st_mode)) {
    if (st.st_size <= kMaxSourceBytes) return true;
    error = kTooLarge;
  } else if (S_ISDIR(st.st_mode)) {
    error = {"is a directory", ""};
  } else {
    const char *kind = S_ISFIFO(st.st_mode)  ? "a FIFO"
                       : S_ISCHR(st.st_mode) ? "a character device"
                       : S_ISBLK(st.st_mode) ? "a block device"
                                             : "a socket";
    error = {std::string("not a regular file (") + kind + ")",
             "policies are read from regular files only, never from a pipe or a device"};
  }
  return false;
}
}  // namespace

int openSourceFile(const std::string &path, ReadError &error) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    error = systemError(errno);
    return -1;
  }
  if (!readable(st, error)) return -1;
  // Should a FIFO take the file's place after the stat, opening it must not wait for a
  // writer; fstat then sees what was opened.
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    error = systemError(errno);
    return -1;
  }
  if (fstat(fd, &st) != 0) error = systemError(errno);
  else if (readable(st, error)) return fd;
  close(fd);
  return -1;
}

FileId SourceManager::load(const std::string &path, ReadError &error) {
  if (auto overlay = overlays_.find(path); overlay != overlays_.end())
    return addBuffer(overlay->second.name, overlay->second.text);
  int fd = openSourceFile(path, error);
  if (fd < 0) return kNoFile;
  // Read up to one byte past the bound: a file that grows after the check is still refused.
  std::string contents;
  char buffer[1 << 16];
  int failed = 0;
  while (contents.size() <= static_cast<size_t>(kMaxSourceBytes)) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) failed = errno;
    if (n <= 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  if (failed) error = systemError(failed);
  else if (contents.size() > static_cast<size_t>(kMaxSourceBytes)) error = kTooLarge;
  else return addBuffer(path, std::move(contents));
  return kNoFile;
}

FileId SourceManager::addBuffer(std::string name, std::string contents) {
  // A UTF-8 byte-order mark is not part of the first line: columns count from after it. All
  // of them: ANTLR's input stream drops one more at its start, which would shift every token
  // against this text (a fuzzed file with two made fmt write garbage).
  while (contents.compare(0, 3, "\xEF\xBB\xBF") == 0) contents.erase(0, 3);
  files_.push_back(File{std::move(name), std::move(contents), {}});
  return static_cast<FileId>(files_.size());
}

void SourceManager::addOverlay(std::string path, std::string name, std::string contents) {
  overlays_[std::move(path)] = File{std::move(name), std::move(contents), {}};
}

const std::vector<uint32_t> &SourceManager::lineStarts(const File &file) const {
  if (file.lineStarts.empty()) {
    file.lineStarts.push_back(0);
    for (uint32_t i = 0; i < file.text.size(); ++i)
      if (file.text[i] == '\n') file.lineStarts.push_back(i + 1);
  }
  return file.lineStarts;
}

LineCol SourceManager::lineCol(FileId id, uint32_t offset) const {
  const File &file = files_[id - 1];
  const auto &starts = lineStarts(file);
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - starts.begin());
  return {line, offset - starts[line - 1] + 1};
}

std::string_view SourceManager::lineText(FileId id, uint32_t offset) const {
  const File &file = files_[id - 1];
  const auto &starts = lineStarts(file);
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  uint32_t begin = *(it - 1);
  uint32_t end = it == starts.end() ? static_cast<uint32_t>(file.text.size()) : *it - 1;
  std::string_view line(file.text.data() + begin, end - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

size_t firstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t extra;
    uint32_t min;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { extra = 1; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; min = 0x10000; }
    else return i;
    uint32_t cp = c & (0x3F >> extra);
    for (size_t k = 1; k <= extra; ++k) {
      if (i + k >= s.size()) return i;
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += extra + 1;
  }
  return std::string_view::npos;
}

}  // namespace shellc
