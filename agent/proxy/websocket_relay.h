// A WebSocket connection after its upgrade (101 Switching Protocols): bytes
// relayed both ways as they come, untouched, while each direction's frames
// are read and every complete message is shown to a tap.
#pragma once

#include <cstdint>
#include <string>

#include "http/websocket_frames.h"
#include "proxy/http_types.h"
#include "proxy/stream.h"
#include "proxy/watchdog.h"

namespace warden::proxy {

class WebSocketTap {
 public:
  virtual ~WebSocketTap() = default;
  virtual void clientMessage(const warden::http::WebSocketMessage& message) = 0;
  virtual void serverMessage(const warden::http::WebSocketMessage& message) = 0;
};

struct WebSocketOutcome {
  uint64_t bytesFromClient = 0;
  uint64_t bytesToClient = 0;
  uint64_t messagesFromClient = 0;
  uint64_t messagesToClient = 0;
  // A direction that broke the protocol: still relayed, no longer read.
  std::string unreadable;
  std::string error;  // why the relay ended, when not by a clean close
};

// Starts with what each side's buffer already holds (frames that came with
// the handshake). Ends when either side closes or fails, or after `idle`
// fires (its expiry closes both sockets; the caller owns it).
asio::awaitable<WebSocketOutcome> relayWebSocket(Stream& client, beast::flat_buffer& clientBuffered, Stream& upstream,
                                                 beast::flat_buffer& upstreamBuffered, Watchdog& idle,
                                                 WebSocketTap* tap);

}  // namespace warden::proxy
