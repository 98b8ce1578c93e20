#include "frontend/source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace shellc {

// Policies are small; anything past this is a mistake or an attack, not a policy.
constexpr off_t kMaxSourceBytes = 64 << 20;

FileId SourceManager::load(const std::string &path, std::string &error) {
  if (auto overlay = overlays_.find(path); overlay != overlays_.end())
    return addBuffer(overlay->second.name, overlay->second.text);
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    error = std::strerror(errno);
    return kNoFile;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "is a directory";
    return kNoFile;
  }
  if (S_ISREG(st.st_mode) && st.st_size > kMaxSourceBytes) {
    error = "file is larger than 64 MiB";
    return kNoFile;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return kNoFile;
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return addBuffer(path, contents.str());
}

FileId SourceManager::addBuffer(std::string name, std::string contents) {
  // A UTF-8 byte-order mark is not part of the first line: columns count from after it.
  if (contents.compare(0, 3, "\xEF\xBB\xBF") == 0) contents.erase(0, 3);
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
