// libFuzzer target for parseClientHello: the bytes come straight from any
// process that connects through the agent, so besides never crashing the
// parser must keep the promises the proxy relies on.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I agent \
//     tests/fuzz/client_hello_fuzz.cpp agent/proxy/client_hello.cpp -o client_hello_fuzz
//   ./client_hello_fuzz -max_len=70000 corpus/ tests/fixtures/tls/
#include <cstdlib>

#include "proxy/client_hello.h"

namespace {

using warden::proxy::HelloParse;
using warden::proxy::HelloStatus;
using warden::proxy::kMaxClientHelloBytes;
using warden::proxy::parseClientHello;

void check(bool ok) {
  if (!ok) std::abort();
}

bool validHostName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name.find("..") == std::string::npos;
}

bool sameInfo(const HelloParse& a, const HelloParse& b) {
  return a.status == b.status && a.info.serverName == b.info.serverName && a.info.alpn == b.info.alpn &&
         a.info.bytesConsumed == b.info.bytesConsumed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  HelloParse p = parseClientHello(input);
  switch (p.status) {
    case HelloStatus::NeedMore:
      // The caller sets SO_RCVLOWAT from this: it must promise progress and
      // never ask to buffer more than the limit.
      check(p.neededBytes > size);
      check(p.neededBytes <= kMaxClientHelloBytes);
      break;
    case HelloStatus::NotTls:
      check(size >= 1);
      check(data[0] != 0x16 || (size >= 2 && data[1] != 0x03));
      break;
    case HelloStatus::Malformed:
      check(size >= 1 && data[0] == 0x16);
      break;
    case HelloStatus::Complete: {
      size_t consumed = p.info.bytesConsumed;
      check(consumed > 5 && consumed <= size && consumed <= kMaxClientHelloBytes);
      if (p.info.serverName) check(validHostName(*p.info.serverName));
      for (const auto& protocol : p.info.alpn) check(!protocol.empty() && protocol.size() <= 255);
      // What follows the hello records does not change the answer...
      check(sameInfo(parseClientHello(input.first(consumed)), p));
      // ...and one byte less is still waiting, not complete or broken.
      HelloParse shorter = parseClientHello(input.first(consumed - 1));
      check(shorter.status == HelloStatus::NeedMore && shorter.neededBytes == consumed);
      break;
    }
    default:
      std::abort();
  }
  // Deterministic: the proxy re-parses the same bytes after every read.
  check(sameInfo(parseClientHello(input), p) && parseClientHello(input).neededBytes == p.neededBytes);
  return 0;
}
