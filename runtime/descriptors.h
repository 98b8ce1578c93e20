// Descriptors the runtime's processes hand over or shed: what is left open across a fork or
// an exec, and the line-by-line pipes by which one process tells another what it did.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace shellrt {

// Closes every descriptor from 3 up but `keep`, whatever the limit on their number.
bool closeAllBut(std::vector<int> keep);

// Writes all of `data`, whatever the kernel takes at a time; false when the other end is gone.
// (A process that writes to sockets this way ignores SIGPIPE, as the egress proxy does.)
bool writeAll(int fd, const char *data, size_t size);
inline bool writeAll(int fd, const std::string &s) { return writeAll(fd, s.data(), s.size()); }

// One line on stderr in one write: a line of the guardian's, said while the sandbox runs,
// must not interleave with what the sandbox's programs write there.
void sayLine(const std::string &line);

// Reads exactly `size` bytes; false at an end of file or an error before them.
bool readExactly(int fd, void *data, size_t size);

// Reads `fd` to its end of file, handing each complete line (without its newline) to `line`.
void readLines(int fd, const std::function<void(const std::string &)> &line);

// One read of `fd`, each line it completes handed to `line`, the rest kept in `pending` for
// the next; false at the end of file (or an error).
bool readSomeLines(int fd, std::string &pending, const std::function<void(const std::string &)> &line);

}  // namespace shellrt
