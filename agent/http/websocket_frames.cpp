#include "http/websocket_frames.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace warden::http {

namespace {

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kRsv1 = 0x40;
constexpr uint8_t kRsv2And3 = 0x30;
constexpr uint8_t kOpcodeBits = 0x0f;
constexpr uint8_t kMaskBit = 0x80;
constexpr uint8_t kLengthBits = 0x7f;
constexpr uint8_t kLength16 = 126;
constexpr uint8_t kLength64 = 127;
constexpr size_t kMaxControlPayload = 125;

// Once the relay has seen a large message, its buffer is released rather than
// kept for the life of the connection.
constexpr size_t kKeptCapacity = size_t{64} << 10;

bool isControl(uint8_t opcode) { return (opcode & 0x08) != 0; }

bool isKnownOpcode(uint8_t opcode) { return opcode <= 2 || (opcode >= 8 && opcode <= 10); }

// Header size, known from its second byte: length extension and mask key.
size_t headerLength(uint8_t second) {
  size_t length = 2;
  const uint8_t length7 = second & kLengthBits;
  if (length7 == kLength16) length += 2;
  if (length7 == kLength64) length += 8;
  if (second & kMaskBit) length += 4;
  return length;
}

uint64_t readBigEndian(const uint8_t* bytes, size_t count) {
  uint64_t value = 0;
  for (size_t i = 0; i < count; ++i) value = (value << 8) | bytes[i];
  return value;
}

// XORs `data` with the key, starting at key byte `phase`. Eight bytes at a
// time: relayed audio makes this the hot loop.
void unmask(char* data, size_t size, const uint8_t key[4], size_t phase) {
  uint8_t pattern[8];
  for (size_t i = 0; i < sizeof pattern; ++i) pattern[i] = key[(phase + i) & 3];
  uint64_t word;
  std::memcpy(&word, pattern, sizeof word);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, data + i, sizeof chunk);
    chunk ^= word;
    std::memcpy(data + i, &chunk, sizeof chunk);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ pattern[i & 7]);
}

}  // namespace

WebSocketReader::WebSocketReader(bool fromClient, size_t maxMessageBytes)
    : maxMessageBytes_(maxMessageBytes), fromClient_(fromClient) {}

bool WebSocketReader::feed(std::string_view bytes, const Sink& sink) {
  while (!failed() && !closed_) {
    if (!inFrame_ && !takeHeader(bytes)) break;
    if (remaining_ > 0) {
      if (bytes.empty()) break;
      const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size()));
      takePayload(bytes.substr(0, take));
      bytes.remove_prefix(take);
      remaining_ -= take;
      if (remaining_ > 0) break;
    }
    endFrame(sink);
  }
  return !failed();
}

// Parses a header straight from the input when it is all there (the usual
// case); only a header split across feeds is gathered in header_.
bool WebSocketReader::takeHeader(std::string_view& bytes) {
  const auto* input = reinterpret_cast<const uint8_t*>(bytes.data());
  if (headerSize_ == 0 && bytes.size() >= 2) {
    const size_t length = headerLength(input[1]);
    if (bytes.size() >= length) {
      bytes.remove_prefix(length);
      return startFrame(input);
    }
  }
  auto fill = [&](size_t upTo) {
    if (headerSize_ >= upTo) return true;
    if (bytes.empty()) return false;
    const size_t take = std::min(upTo - headerSize_, bytes.size());
    std::memcpy(header_ + headerSize_, bytes.data(), take);
    headerSize_ += take;
    bytes.remove_prefix(take);
    return headerSize_ == upTo;
  };
  if (!fill(2) || !fill(headerLength(header_[1]))) return false;
  headerSize_ = 0;
  return startFrame(header_);
}

bool WebSocketReader::startFrame(const uint8_t* header) {
  const bool fin = (header[0] & kFin) != 0;
  const bool rsv1 = (header[0] & kRsv1) != 0;
  const uint8_t opcode = header[0] & kOpcodeBits;
  const bool masked = (header[1] & kMaskBit) != 0;
  const uint8_t length7 = header[1] & kLengthBits;

  if (header[0] & kRsv2And3) return fail("frame has RSV2 or RSV3 set, which no negotiated extension uses");
  if (!isKnownOpcode(opcode)) return fail("frame has reserved opcode " + std::to_string(opcode));
  if (masked != fromClient_) {
    return fail(fromClient_ ? "client frame is not masked (RFC 6455 section 5.1)"
                            : "server frame is masked (RFC 6455 section 5.1)");
  }

  size_t at = 2;
  uint64_t length = length7;
  if (length7 == kLength16) {
    length = readBigEndian(header + at, 2);
    at += 2;
  } else if (length7 == kLength64) {
    length = readBigEndian(header + at, 8);
    at += 8;
    if (length >> 63) return fail("frame has a 64-bit payload length with the most significant bit set");
  }

  if (isControl(opcode)) {
    if (!fin) return fail("control frame is fragmented (FIN not set)");
    if (length > kMaxControlBytes) return fail("control frame payload is over 125 bytes");
    if (rsv1) return fail("control frame has RSV1 set; only data messages can be compressed");
    controlSize_ = 0;
  } else if (opcode == static_cast<uint8_t>(WebSocketOpcode::Continuation)) {
    if (!messageOpen_) return fail("continuation frame without a message to continue");
    if (rsv1) return fail("continuation frame has RSV1 set; only a message's first frame may");
  } else {
    if (messageOpen_) return fail("new data frame while a fragmented message is still open");
    messageOpen_ = true;
    messageOpcode_ = static_cast<WebSocketOpcode>(opcode);
    messageCompressed_ = rsv1;
    messageSize_ = 0;
    message_.clear();
  }

  if (masked) std::memcpy(mask_, header + at, sizeof mask_);
  maskPhase_ = 0;
  inFrame_ = true;
  frameFinal_ = fin;
  frameOpcode_ = opcode;
  frameLength_ = length;
  remaining_ = length;
  return true;
}

void WebSocketReader::takePayload(std::string_view chunk) {
  char* kept = nullptr;
  size_t keep = 0;
  if (isControl(frameOpcode_)) {
    const size_t bound = std::min(kMaxControlBytes, maxMessageBytes_);
    keep = std::min(bound - controlSize_, chunk.size());
    kept = control_ + controlSize_;
    std::memcpy(kept, chunk.data(), keep);
    controlSize_ += keep;
  } else {
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    messageSize_ = messageSize_ > kMax - chunk.size() ? kMax : messageSize_ + chunk.size();
    const size_t size = message_.size();
    keep = std::min(maxMessageBytes_ - size, chunk.size());
    if (keep > 0) {
      // Grow by doubling, but never past the bound: reserve() allocates
      // exactly what it is asked for, where insert() may overshoot.
      if (size + keep > message_.capacity()) {
        message_.reserve(std::min(maxMessageBytes_, std::max(size + keep, message_.capacity() * 2)));
      }
      message_.insert(message_.end(), chunk.data(), chunk.data() + keep);
      kept = message_.data() + size;
    }
  }
  if (fromClient_ && keep > 0) unmask(kept, keep, mask_, maskPhase_);
  maskPhase_ = (maskPhase_ + chunk.size()) & 3;
}

void WebSocketReader::endFrame(const Sink& sink) {
  inFrame_ = false;
  ++frames_;
  if (isControl(frameOpcode_)) {
    WebSocketMessage message;
    message.opcode = static_cast<WebSocketOpcode>(frameOpcode_);
    message.payload = std::string_view(control_, controlSize_);
    message.size = frameLength_;
    message.truncated = frameLength_ > controlSize_;
    // Nothing after a Close is protocol; what follows is not read.
    closed_ = message.opcode == WebSocketOpcode::Close;
    ++messages_;
    sink(message);
    controlSize_ = 0;
    return;
  }
  if (!frameFinal_) return;

  WebSocketMessage message;
  message.opcode = messageOpcode_;
  message.payload = std::string_view(message_.data(), message_.size());
  message.size = messageSize_;
  message.truncated = messageSize_ > message_.size();
  message.compressed = messageCompressed_;
  messageOpen_ = false;
  ++messages_;
  sink(message);
  message_.clear();
  if (message_.capacity() > kKeptCapacity) std::vector<char>().swap(message_);
}

bool WebSocketReader::fail(std::string why) {
  failure_ = "websocket: " + std::move(why) + "; the rest of this direction is relayed unread";
  std::vector<char>().swap(message_);
  return false;
}

void appendWebSocketFrame(std::string& out, WebSocketOpcode opcode, std::string_view payload,
                          const uint8_t (*maskKey)[4], bool compressed) {
  out.push_back(static_cast<char>(kFin | (compressed ? kRsv1 : 0) | static_cast<uint8_t>(opcode)));
  const uint8_t maskBit = maskKey ? kMaskBit : 0;
  const uint64_t size = payload.size();
  if (size < kLength16) {
    out.push_back(static_cast<char>(maskBit | size));
  } else if (size <= std::numeric_limits<uint16_t>::max()) {
    out.push_back(static_cast<char>(maskBit | kLength16));
    for (int shift = 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  } else {
    out.push_back(static_cast<char>(maskBit | kLength64));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  }
  const size_t payloadAt = out.size() + (maskKey ? 4 : 0);
  if (maskKey) out.append(reinterpret_cast<const char*>(*maskKey), 4);
  out.append(payload);
  // Masking is the same XOR as unmasking.
  if (maskKey) unmask(out.data() + payloadAt, payload.size(), *maskKey, 0);
}

std::string webSocketClosePayload(uint16_t code, std::string_view reason) {
  constexpr size_t kMaxReason = kMaxControlPayload - 2;
  if (reason.size() > kMaxReason) {
    size_t cut = kMaxReason;
    // Back to the first byte of a character: continuation bytes are 10xxxxxx.
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xff));
  payload.append(reason);
  return payload;
}

}  // namespace warden::http
