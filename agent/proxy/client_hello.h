// Reads what a TLS client says first, without consuming it: the server name
// (SNI) and ALPN list of a ClientHello that may span several TLS records and
// TCP segments (post-quantum key shares make it larger than one segment).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace warden::proxy {

struct ClientHelloInfo {
  std::optional<std::string> serverName;  // host_name from SNI, lowercased
  std::vector<std::string> alpn;
  size_t bytesConsumed = 0;  // length of the records carrying the hello
};

enum class HelloStatus {
  Complete,   // info is filled
  NeedMore,   // a prefix of a valid hello; neededBytes says how many in total (at least)
  NotTls,     // the first bytes are not a TLS handshake record
  Malformed,  // TLS framing, but not a parseable ClientHello
};

struct HelloParse {
  HelloStatus status = HelloStatus::NeedMore;
  ClientHelloInfo info;
  size_t neededBytes = 0;
};

// Largest hello we are willing to buffer; larger ones are Malformed.
inline constexpr size_t kMaxClientHelloBytes = 64 * 1024;

HelloParse parseClientHello(std::span<const uint8_t> data);

}  // namespace warden::proxy
