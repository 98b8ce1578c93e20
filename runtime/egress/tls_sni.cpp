#include "egress/tls_sni.h"

#include <cstdint>

namespace shellrt::egress {

namespace {

// A cursor over the record that refuses to read past its end.
struct Reader {
  const std::string &s;
  size_t at, end;
  bool ok = true;
  uint32_t number(int bytes) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      if (at >= end) return ok = false, 0;
      v = (v << 8) | static_cast<uint8_t>(s[at++]);
    }
    return v;
  }
  void skip(size_t n) { at + n <= end ? at += n : (ok = false, at = end); }
  Reader sub(size_t n) {
    Reader r{s, at, at + n <= end ? at + n : end, ok && at + n <= end};
    skip(n);
    return r;
  }
};

}  // namespace

Hello serverName(const std::string &bytes, std::string &name) {
  if (bytes.empty()) return Hello::Incomplete;
  if (static_cast<uint8_t>(bytes[0]) != 0x16) return Hello::NotTls;
  if (bytes.size() < 5) return Hello::Incomplete;
  size_t recordLength = (static_cast<uint8_t>(bytes[3]) << 8) | static_cast<uint8_t>(bytes[4]);
  if (static_cast<uint8_t>(bytes[1]) != 3 || recordLength > 16384 + 256) return Hello::Malformed;
  if (bytes.size() < 5 + recordLength) return Hello::Incomplete;
  Reader record{bytes, 5, 5 + recordLength};
  if (record.number(1) != 1) return Hello::Malformed;  // not a ClientHello
  Reader hello = record.sub(record.number(3));
  hello.skip(2 + 32);                // legacy_version, random
  hello.skip(hello.number(1));       // legacy_session_id
  hello.skip(hello.number(2));       // cipher_suites
  hello.skip(hello.number(1));       // legacy_compression_methods
  if (!hello.ok) return Hello::Malformed;  // a hello split over records is refused too
  if (hello.at == hello.end) return Hello::NoServerName;
  Reader extensions = hello.sub(hello.number(2));
  while (extensions.ok && extensions.at < extensions.end) {
    uint32_t type = extensions.number(2);
    Reader data = extensions.sub(extensions.number(2));
    if (type != 0) continue;
    Reader list = data.sub(data.number(2));
    while (list.ok && list.at < list.end) {
      uint32_t kind = list.number(1);
      Reader host = list.sub(list.number(2));
      if (kind != 0 || !host.ok) continue;
      name = bytes.substr(host.at, host.end - host.at);
      return Hello::ServerName;
    }
    return Hello::Malformed;
  }
  return extensions.ok ? Hello::NoServerName : Hello::Malformed;
}

}  // namespace shellrt::egress
