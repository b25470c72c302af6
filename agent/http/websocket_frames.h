// Reads a WebSocket byte stream (RFC 6455) as it is relayed, one direction at
// a time: frames are delimited, client payloads unmasked, fragmented messages
// joined, and every complete message handed over. The relay forwards the
// bytes themselves untouched; this only watches them.
//
// Written here rather than taken from Beast: Beast's websocket stream ends
// the protocol on each side (its own masks, fragmentation and handshake), so
// the client would no longer talk to the upstream, only to us. A transparent
// relay needs only to read frame headers, which is what this does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::http {

enum class WebSocketOpcode : uint8_t { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

struct WebSocketMessage {
  WebSocketOpcode opcode = WebSocketOpcode::Text;  // Text, Binary, Close, Ping or Pong
  std::string_view payload;                        // unmasked; for Text/Binary the whole message, fragments joined
  // A message larger than the bound: `payload` holds its first bytes only
  // and `size` the full size; the rest is relayed unread.
  bool truncated = false;
  uint64_t size = 0;
  bool compressed = false;  // RSV1 set (permessage-deflate): payload is not text
};

// One whole message as a single frame (FIN set), appended to `out`.
// `maskKey`: frames a client sends are masked with a key the sender picks
// at random (RFC 6455 5.3); null for frames a server sends. `compressed`
// sets RSV1, for a payload deflated under permessage-deflate.
void appendWebSocketFrame(std::string& out, WebSocketOpcode opcode, std::string_view payload,
                          const uint8_t (*maskKey)[4], bool compressed = false);

// The payload of a Close frame: the status code, then the reason cut to
// the 123 bytes a control frame leaves it, at a UTF-8 character boundary.
std::string webSocketClosePayload(uint16_t code, std::string_view reason);

class WebSocketReader {
 public:
  using Sink = std::function<void(const WebSocketMessage&)>;

  // `fromClient`: frames must be masked (RFC 6455 5.1) and are unmasked;
  // from a server they must not be. `maxMessageBytes` bounds what is kept of
  // one message; a longer one is handed over truncated.
  WebSocketReader(bool fromClient, size_t maxMessageBytes = size_t{8} << 20);

  // Reads `bytes`, calling `sink` for each complete message (control frames
  // too, even between fragments). Returns false once the stream broke the
  // protocol (bad opcode, unmasked client frame, fragmented control frame,
  // continuation without a start, data frame inside an open message,
  // 64-bit length with the top bit set, control payload over 125 bytes,
  // RSV2/RSV3 set, RSV1 not on a message's first frame); later feeds are
  // ignored then, and failure() says why. Bytes after a Close frame are
  // ignored.
  bool feed(std::string_view bytes, const Sink& sink);

  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  uint64_t frames() const { return frames_; }
  uint64_t messages() const { return messages_; }
  bool closed() const { return closed_; }
  // Everything fed so far ends where a message ends: no frame header or
  // payload in progress, no fragmented message open. Only there may another
  // sender's message be put into the stream.
  bool atMessageBoundary() const { return headerSize_ == 0 && !inFrame_ && !messageOpen_; }

 private:
  static constexpr size_t kMaxHeaderBytes = 14;  // 2 + 8 (64-bit length) + 4 (mask key)
  static constexpr size_t kMaxControlBytes = 125;

  bool takeHeader(std::string_view& bytes);
  bool startFrame(const uint8_t* header);
  void takePayload(std::string_view chunk);
  void endFrame(const Sink& sink);
  bool fail(std::string why);

  size_t maxMessageBytes_;
  bool fromClient_;
  // The current frame header, gathered here only when it is split across feeds.
  uint8_t header_[kMaxHeaderBytes] = {};
  size_t headerSize_ = 0;
  // The frame whose payload is in progress.
  bool inFrame_ = false;
  bool frameFinal_ = false;
  uint8_t frameOpcode_ = 0;
  uint64_t frameLength_ = 0;
  uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  uint8_t mask_[4] = {0, 0, 0, 0};
  size_t maskPhase_ = 0;  // key byte the next payload byte is XORed with
  // A data message being assembled across frames; its capacity never grows
  // past maxMessageBytes_.
  std::vector<char> message_;
  uint64_t messageSize_ = 0;  // the whole message, kept or not
  bool messageOpen_ = false;
  WebSocketOpcode messageOpcode_ = WebSocketOpcode::Text;
  bool messageCompressed_ = false;
  // A control frame's payload: fixed size, so a ping costs no allocation.
  char control_[kMaxControlBytes] = {};
  size_t controlSize_ = 0;
  uint64_t frames_ = 0;
  uint64_t messages_ = 0;
  bool closed_ = false;
  std::string failure_;
};

}  // namespace warden::http
