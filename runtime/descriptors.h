// Descriptors the runtime's processes hand over or shed: what is left open across a fork or
// an exec, and the line-by-line pipes by which one process tells another what it did.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace shellrt {

// Closes every descriptor from 3 up but `keep`, whatever the limit on their number.
bool closeAllBut(std::vector<int> keep);

// Reads `fd` to its end of file, handing each complete line (without its newline) to `line`.
void readLines(int fd, const std::function<void(const std::string &)> &line);

}  // namespace shellrt
