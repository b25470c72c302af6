// Blind TCP tunnel for connections we do not intercept: bytes are copied
// both ways untouched (the client's ClientHello included, which is still in
// the socket because we only peeked at it).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "proxy/net_types.h"

namespace warden::proxy {

struct TunnelOutcome {
  uint64_t bytesFromClient = 0;
  uint64_t bytesToClient = 0;
  std::string error;  // empty when both sides finished cleanly
};

// Copies until both directions reached end of stream, propagating each
// half-close to the other side; closes both after `idleTimeout` of silence.
asio::awaitable<TunnelOutcome> runTunnel(Tcp::socket& client, Tcp::socket& upstream,
                                         std::chrono::milliseconds idleTimeout);

}  // namespace warden::proxy
