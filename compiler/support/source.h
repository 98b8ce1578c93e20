// The source files of one compilation and the mapping from byte offsets to line:col.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shellc {

using FileId = uint32_t;           // 0 means "no file" (command line, -D values)
constexpr FileId kNoFile = 0;

// A half-open byte range in one file. Every AST node and every diagnostic carries one.
struct Span {
  FileId file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct LineCol {
  uint32_t line = 0;  // 1-based
  uint32_t column = 0;  // 1-based, in bytes
};

// Why a file was not read, and what to do about it when the reason does not say.
struct ReadError {
  std::string reason;
  std::string hint;
};

// Opens `path` for reading if it is a regular file of at most 64 MiB: -1 and why otherwise.
// Nothing else is opened (opening a device may act on it) and opening never blocks (a FIFO).
int openSourceFile(const std::string &path, ReadError &error);

class SourceManager {
public:
  // Reads a file (see openSourceFile); returns kNoFile and sets `error` when it cannot.
  FileId load(const std::string &path, ReadError &error);
  FileId addBuffer(std::string name, std::string contents);
  // Later load(path) calls return `contents`, named `name`, instead of reading the file: for
  // a policy that exists only in memory, such as one imported from another format.
  void addOverlay(std::string path, std::string name, std::string contents);

  const std::string &name(FileId file) const { return files_[file - 1].name; }
  std::string_view text(FileId file) const { return files_[file - 1].text; }
  LineCol lineCol(FileId file, uint32_t offset) const;
  // The text of the line that holds `offset`, without its line break.
  std::string_view lineText(FileId file, uint32_t offset) const;
  size_t fileCount() const { return files_.size(); }

private:
  struct File {
    std::string name;
    std::string text;
    mutable std::vector<uint32_t> lineStarts;  // built on first use
  };
  const std::vector<uint32_t> &lineStarts(const File &file) const;
  std::vector<File> files_;
  std::map<std::string, File> overlays_;  // by the path they stand for
};

// The offset of the first byte of `text` that is not valid UTF-8, or npos.
size_t firstInvalidUtf8(std::string_view text);

}  // namespace shellc
