// Reads and writes of kernel files (/proc, /sys): their contents are small, they are never
// created, and a write is one write(2), since the kernel takes each write as one command.
#pragma once
#include <string>

namespace shellrt {

// False, with errno set, when the file is not there or refuses the text.
bool writeFile(const std::string &path, const std::string &text);
// False, with errno set, when the file cannot be read.
bool readFile(const std::string &path, std::string &text);
// Where a symbolic link (a /proc link: fd, exe) points; empty when it cannot be read.
std::string linkTarget(const std::string &path);

}  // namespace shellrt
