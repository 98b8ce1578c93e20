#include "egress/own_addresses.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace shellrt::egress {

namespace {

constexpr int64_t kRereadMs = 5000;

std::vector<Address> interfaceAddresses() {
  std::vector<Address> out;
  ifaddrs *all = nullptr;
  if (getifaddrs(&all) != 0) return out;
  for (ifaddrs *i = all; i; i = i->ifa_next) {
    if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6)) continue;
    sockaddr_storage s{};
    std::memcpy(&s, i->ifa_addr, i->ifa_addr->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
    out.push_back(fromSocketAddress(s));
  }
  freeifaddrs(all);
  return out;
}

}  // namespace

bool OwnAddresses::contains(const Address &address) {
  std::lock_guard<std::mutex> lock(mutex_);
  using namespace std::chrono;
  int64_t now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  if (readAtMs_ < 0 || now - readAtMs_ > kRereadMs) {
    std::vector<Address> fresh = interfaceAddresses();
    // A read that failed keeps what was known: the check fails closed on the old addresses.
    if (!fresh.empty() || readAtMs_ < 0) addresses_ = std::move(fresh);
    readAtMs_ = now;
  }
  return std::find(addresses_.begin(), addresses_.end(), address) != addresses_.end();
}

}  // namespace shellrt::egress
