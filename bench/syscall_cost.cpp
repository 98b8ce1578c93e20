// Nanoseconds per system call without and with a seccomp filter (a raw sock_filter file, as
// `shellc build --emit seccomp-bpf` writes it): a getpid loop and an open/read/close loop.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

template <class F> double nsPerCall(F body, int calls) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) body();
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / calls;
}

void measure(const char *label) {
  constexpr int kCalls = 2000000;
  double getpid = nsPerCall([] { syscall(SYS_getpid); }, kCalls);
  double file = nsPerCall(
      [] {
        char buf[64];
        int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        ssize_t ignored = read(fd, buf, sizeof buf);
        (void)ignored;
        close(fd);
      },
      kCalls / 10);
  std::printf("  %-16s getpid %7.1f ns   open/read/close %8.1f ns\n", label, getpid, file);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: syscall_cost FILTER.bpf\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty() || bytes.size() % sizeof(sock_filter)) {
    std::fprintf(stderr, "syscall_cost: %s is not a BPF program\n", argv[1]);
    return 1;
  }
  measure("no filter");
  sock_fprog prog{static_cast<unsigned short>(bytes.size() / sizeof(sock_filter)),
                  reinterpret_cast<sock_filter *>(bytes.data())};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    std::perror("seccomp");
    return 1;
  }
  measure("shellc filter");
  return 0;
}
