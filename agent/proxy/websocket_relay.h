// A WebSocket connection after its upgrade (101 Switching Protocols): bytes
// relayed both ways as they come, untouched, while each direction's frames
// are read and every complete message is shown to a tap. A tap that judges
// what the client sends (holdsClientMessages) gets each client message
// before the upstream does: the relay then holds a message until it is
// complete, forwards it as one frame (as sent, or as the tap rewrote it) or
// refuses it, in which case the upstream connection is closed and the client
// gets the tap's notice and a Close frame (1008, policy violation).
#pragma once

#include <cstdint>
#include <string>

#include "http/websocket_frames.h"
#include "proxy/http_types.h"
#include "proxy/stream.h"
#include "proxy/watchdog.h"

namespace warden::proxy {

// What becomes of a client message a holding tap has judged.
struct TapVerdict {
  enum class Action { Forward, Rewrite, Refuse };
  Action action = Action::Forward;
  std::string payload;  // Rewrite: the message to forward instead
  std::string notice;   // Refuse: a text message for the client (the API's error event); may be empty
  std::string reason;   // Refuse: why, for the Close frame and the record
};

class WebSocketTap {
 public:
  virtual ~WebSocketTap() = default;
  // Without holdsClientMessages(): called after the message was forwarded;
  // the verdict is ignored.
  virtual TapVerdict clientMessage(const warden::http::WebSocketMessage& message) = 0;
  // With holdsClientMessages(): called before the message is forwarded, and
  // may do its work off the event loop. The message's payload stays valid
  // until the verdict is returned.
  virtual asio::awaitable<TapVerdict> judgeClientMessage(const warden::http::WebSocketMessage& message) {
    co_return clientMessage(message);
  }
  virtual void serverMessage(const warden::http::WebSocketMessage& message) = 0;
  virtual bool holdsClientMessages() const { return false; }
};

struct WebSocketOutcome {
  uint64_t bytesFromClient = 0;
  uint64_t bytesToClient = 0;
  uint64_t messagesFromClient = 0;
  uint64_t messagesToClient = 0;
  // A direction that broke the protocol: still relayed, no longer read.
  std::string unreadable;
  std::string error;  // why the relay ended, when not by a clean close
  std::string refused;  // set when the tap refused a client message: its reason
};

// Starts with what each side's buffer already holds (frames that came with
// the handshake). Ends when either side closes or fails, or after `idle`
// fires (its expiry closes both sockets; the caller owns it).
asio::awaitable<WebSocketOutcome> relayWebSocket(Stream& client, beast::flat_buffer& clientBuffered, Stream& upstream,
                                                 beast::flat_buffer& upstreamBuffered, Watchdog& idle,
                                                 WebSocketTap* tap);

}  // namespace warden::proxy
