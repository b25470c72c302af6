// libFuzzer target: one direction of a relayed WebSocket, read whole, in two
// pieces split where the input chooses, and a byte at a time. How the relay's
// reads happen to fall must never change the messages, the failure or where
// reading stopped; nothing kept may exceed the bound.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/websocket_frames.h"

namespace {

using warden::http::WebSocketMessage;
using warden::http::WebSocketOpcode;
using warden::http::WebSocketReader;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Message {
  WebSocketOpcode opcode;
  std::string payload;
  bool truncated;
  uint64_t size;
  bool compressed;

  friend bool operator==(const Message&, const Message&) = default;
};

struct Reading {
  std::vector<Message> messages;
  bool ok = true;
  std::string failure;
  bool closed = false;
  uint64_t frames = 0;
  uint64_t messageCount = 0;

  friend bool operator==(const Reading&, const Reading&) = default;
};

Reading read(bool fromClient, size_t bound, const std::vector<std::string_view>& pieces) {
  Reading reading;
  WebSocketReader reader(fromClient, bound);
  auto sink = [&](const WebSocketMessage& m) {
    check(m.payload.size() <= bound);
    check(m.truncated == (m.size > m.payload.size()));
    check(m.truncated || m.size == m.payload.size());
    const bool control =
        m.opcode == WebSocketOpcode::Close || m.opcode == WebSocketOpcode::Ping || m.opcode == WebSocketOpcode::Pong;
    check(control || m.opcode == WebSocketOpcode::Text || m.opcode == WebSocketOpcode::Binary);
    check(!control || (m.size <= 125 && !m.compressed));
    check(!reading.closed);
    reading.closed = m.opcode == WebSocketOpcode::Close;
    reading.messages.push_back({m.opcode, std::string(m.payload), m.truncated, m.size, m.compressed});
  };
  for (auto piece : pieces) {
    const bool wasFailed = reader.failed();
    reading.ok = reader.feed(piece, sink);
    check(reading.ok == !reader.failed());
    check(!wasFailed || !reading.ok);
  }
  check(reading.closed == reader.closed());
  check(!(reader.closed() && reader.failed()));
  reading.failure = reader.failure();
  reading.frames = reader.frames();
  reading.messageCount = reader.messages();
  check(reading.messageCount == reading.messages.size() && reading.messageCount <= reading.frames);
  return reading;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0 picks the split; byte 1 the direction (bit 0) and a bound small
  // enough to be reached, or the default one.
  const bool fromClient = (data[1] & 1) != 0;
  const size_t bound = (data[1] >> 1) == 127 ? size_t{8} << 20 : (data[1] >> 1) * 4;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t split = stream.size() * data[0] / 255;

  const Reading whole = read(fromClient, bound, {stream});
  check(read(fromClient, bound, {stream.substr(0, split), stream.substr(split)}) == whole);
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
  check(read(fromClient, bound, bytes) == whole);
  return 0;
}
