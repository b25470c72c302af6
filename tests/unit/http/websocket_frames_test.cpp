#include "http/websocket_frames.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace warden::http {
namespace {

using namespace std::string_literals;

// What the sink was handed, copied: the reader's payload views do not outlive the call.
struct Seen {
  WebSocketOpcode opcode = WebSocketOpcode::Text;
  std::string payload;
  bool truncated = false;
  uint64_t size = 0;
  bool compressed = false;

  friend bool operator==(const Seen&, const Seen&) = default;
};

// Found by gtest through the argument's namespace, for readable failures.
void PrintTo(const Seen& m, std::ostream* os) {
  *os << "{opcode=" << static_cast<int>(m.opcode) << " payload=\"" << m.payload << "\" size=" << m.size
      << (m.truncated ? " truncated" : "") << (m.compressed ? " compressed" : "") << "}";
}

struct ReadResult {
  std::vector<Seen> messages;
  bool ok = true;  // what the last feed returned
  std::string failure;
  bool closed = false;
  uint64_t frames = 0;
  uint64_t messageCount = 0;

  friend bool operator==(const ReadResult&, const ReadResult&) = default;
};

void PrintTo(const ReadResult& r, std::ostream* os) {
  *os << "{ok=" << r.ok << " failure=\"" << r.failure << "\" closed=" << r.closed << " frames=" << r.frames
      << " messages=[";
  for (const auto& m : r.messages) {
    PrintTo(m, os);
    *os << " ";
  }
  *os << "]}";
}

// A small frame encoder (RFC 6455 5.2), so tests build exactly the frames they need.
enum class LengthForm { Minimal, Bits16, Bits64 };

constexpr uint8_t kRsv1 = 0x40;
constexpr uint8_t kRsv2 = 0x20;
constexpr uint8_t kRsv3 = 0x10;

struct Frame {
  uint8_t opcode = 1;
  std::string payload;
  bool fin = true;
  bool masked = false;
  std::array<uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d};
  uint8_t rsv = 0;
  LengthForm length = LengthForm::Minimal;
  uint64_t declaredLength = UINT64_MAX;  // overrides the payload's length in the header
};

std::string encode(const Frame& f) {
  std::string out;
  out.push_back(static_cast<char>((f.fin ? 0x80 : 0) | f.rsv | f.opcode));
  const uint64_t size = f.declaredLength != UINT64_MAX ? f.declaredLength : f.payload.size();
  LengthForm form = f.length;
  if (form == LengthForm::Minimal) {
    form = size <= 125 ? LengthForm::Minimal : size <= 0xffff ? LengthForm::Bits16 : LengthForm::Bits64;
  }
  const char maskBit = f.masked ? static_cast<char>(0x80) : 0;
  if (form == LengthForm::Minimal) {
    out.push_back(static_cast<char>(maskBit | size));
  } else if (form == LengthForm::Bits16) {
    out.push_back(static_cast<char>(maskBit | 126));
    for (int shift = 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  } else {
    out.push_back(static_cast<char>(maskBit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  }
  if (f.masked) {
    for (uint8_t b : f.key) out.push_back(static_cast<char>(b));
  }
  for (size_t i = 0; i < f.payload.size(); ++i) {
    out.push_back(static_cast<char>(f.masked ? f.payload[i] ^ f.key[i % 4] : f.payload[i]));
  }
  return out;
}

// Frames as each side sends them: a client masks, a server does not.
std::string client(uint8_t opcode, std::string payload, bool fin = true) {
  return encode({.opcode = opcode, .payload = std::move(payload), .fin = fin, .masked = true});
}
std::string server(uint8_t opcode, std::string payload, bool fin = true) {
  return encode({.opcode = opcode, .payload = std::move(payload), .fin = fin});
}

constexpr uint8_t kCont = 0;
constexpr uint8_t kText = 1;
constexpr uint8_t kBinary = 2;
constexpr uint8_t kClose = 8;
constexpr uint8_t kPing = 9;
constexpr uint8_t kPong = 10;

Seen seen(WebSocketOpcode opcode, std::string payload, bool compressed = false) {
  const uint64_t size = payload.size();
  return Seen{opcode, std::move(payload), false, size, compressed};
}

constexpr size_t kDefaultMax = size_t{8} << 20;

ReadResult read(bool fromClient, const std::vector<std::string_view>& pieces, size_t maxMessageBytes = kDefaultMax) {
  ReadResult run;
  WebSocketReader reader(fromClient, maxMessageBytes);
  auto sink = [&](const WebSocketMessage& m) {
    run.messages.push_back(Seen{m.opcode, std::string(m.payload), m.truncated, m.size, m.compressed});
  };
  for (auto piece : pieces) run.ok = reader.feed(piece, sink);
  run.failure = reader.failure();
  run.closed = reader.closed();
  run.frames = reader.frames();
  run.messageCount = reader.messages();
  EXPECT_EQ(run.ok, !reader.failed());
  EXPECT_EQ(run.messageCount, run.messages.size());
  return run;
}

ReadResult readWhole(bool fromClient, std::string_view stream, size_t maxMessageBytes = kDefaultMax) {
  return read(fromClient, {stream}, maxMessageBytes);
}

ReadResult readBytewise(bool fromClient, std::string_view stream, size_t maxMessageBytes = kDefaultMax) {
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
  return read(fromClient, bytes, maxMessageBytes);
}

// How the relay's reads fall must never change what is read: every split in
// two (every `stride`-th one for long streams), byte by byte, and uneven chunks.
ReadResult readAnyway(bool fromClient, std::string_view stream, size_t maxMessageBytes = kDefaultMax,
                      size_t stride = 1) {
  ReadResult whole = readWhole(fromClient, stream, maxMessageBytes);
  for (size_t split = 0; split <= stream.size(); split += stride) {
    EXPECT_EQ(read(fromClient, {stream.substr(0, split), stream.substr(split)}, maxMessageBytes), whole)
        << "split at " << split;
  }
  EXPECT_EQ(readBytewise(fromClient, stream, maxMessageBytes), whole) << "byte by byte";
  for (size_t chunk : {3, 7, 13, 64}) {
    std::vector<std::string_view> pieces;
    for (size_t at = 0; at < stream.size(); at += chunk) pieces.push_back(stream.substr(at, chunk));
    EXPECT_EQ(read(fromClient, pieces, maxMessageBytes), whole) << "chunks of " << chunk;
  }
  return whole;
}

std::string bytesOf(size_t size) {
  std::string out;
  for (size_t i = 0; i < size; ++i) out.push_back(static_cast<char>('a' + i * 7 % 26));
  return out;
}

TEST(WebSocketReader, ReadsAnUnmaskedServerTextFrame) {
  const ReadResult run = readAnyway(false, server(kText, R"({"type":"response.done"})"));
  EXPECT_TRUE(run.ok);
  EXPECT_EQ(run.messages, std::vector<Seen>{seen(WebSocketOpcode::Text, R"({"type":"response.done"})")});
  EXPECT_EQ(run.frames, 1u);
  EXPECT_FALSE(run.closed);
}

TEST(WebSocketReader, UnmasksClientTextOfEveryLength) {
  // Lengths around the word-at-a-time unmasking and its tail.
  for (size_t size = 0; size <= 40; ++size) {
    const std::string text = bytesOf(size);
    const ReadResult run = readWhole(true, client(kText, text));
    EXPECT_EQ(run.messages, std::vector<Seen>{seen(WebSocketOpcode::Text, text)}) << "size " << size;
  }
}

TEST(WebSocketReader, UnmasksWithTheKeyInTheFrame) {
  const std::string text = R"({"type":"input_audio_buffer.append","audio":"AAAA"})";
  const std::string frame = encode({.payload = text, .masked = true, .key = {0xff, 0x00, 0x80, 0x01}});
  EXPECT_NE(frame.substr(6), text);  // it really was masked on the wire
  const ReadResult run = readAnyway(true, frame);
  EXPECT_EQ(run.messages, std::vector<Seen>{seen(WebSocketOpcode::Text, text)});
}

TEST(WebSocketReader, ReadsEveryLengthForm) {
  for (bool fromClient : {false, true}) {
    for (size_t size : {size_t{0}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536}, size_t{70000}}) {
      const std::string payload = bytesOf(size);
      const std::string frame = encode({.opcode = kBinary, .payload = payload, .masked = fromClient});
      const ReadResult run = readAnyway(fromClient, frame, kDefaultMax, 997);
      EXPECT_EQ(run.messages, std::vector<Seen>{seen(WebSocketOpcode::Binary, payload)})
          << "size " << size << " fromClient " << fromClient;
    }
  }
}

TEST(WebSocketReader, AcceptsLongerLengthFormsThanNeeded) {
  // RFC 6455 asks senders for the shortest form; a watcher has no reason to
  // break a connection the endpoints accept.
  for (LengthForm form : {LengthForm::Bits16, LengthForm::Bits64}) {
    const ReadResult run = readAnyway(false, encode({.payload = "hi", .length = form}));
    EXPECT_TRUE(run.ok);
    EXPECT_EQ(run.messages, std::vector<Seen>{seen(WebSocketOpcode::Text, "hi")});
  }
}

TEST(WebSocketReader, JoinsFragmentsAndHandsControlFramesBetweenThem) {
  const std::string stream = client(kText, "Hel", false) + client(kPing, "are you there") +
                             client(kCont, "lo, ", false) + client(kPong, "") + client(kCont, "world") +
                             client(kBinary, "\x01\x02");
  const ReadResult run = readAnyway(true, stream);
  EXPECT_TRUE(run.ok);
  EXPECT_EQ(run.messages, (std::vector<Seen>{
                              seen(WebSocketOpcode::Ping, "are you there"), seen(WebSocketOpcode::Pong, ""),
                              seen(WebSocketOpcode::Text, "Hello, world"), seen(WebSocketOpcode::Binary, "\x01\x02")}));
  EXPECT_EQ(run.frames, 6u);
  EXPECT_EQ(run.messageCount, 4u);
}

TEST(WebSocketReader, KeepsTheFirstFramesOpcodeAndHandsEmptyMessages) {
  const std::string stream =
      server(kBinary, "", false) + server(kCont, "", false) + server(kCont, "xyz") + server(kText, "");
  const ReadResult run = readAnyway(false, stream);
  EXPECT_EQ(run.messages, (std::vector<Seen>{seen(WebSocketOpcode::Binary, "xyz"), seen(WebSocketOpcode::Text, "")}));
}

TEST(WebSocketReader, MarksMessagesWithRsv1Compressed) {
  const std::string stream = encode({.payload = "\xf2\x48\xcd"s, .fin = false, .masked = true, .rsv = kRsv1}) +
                             client(kCont, "\xc9\xc9\x07\x00"s) + client(kText, "plain");
  const ReadResult run = readAnyway(true, stream);
  EXPECT_TRUE(run.ok);
  EXPECT_EQ(run.messages, (std::vector<Seen>{seen(WebSocketOpcode::Text, "\xf2\x48\xcd\xc9\xc9\x07\x00"s, true),
                                             seen(WebSocketOpcode::Text, "plain")}));
}

TEST(WebSocketReader, CloseEndsReading) {
  const std::string close = std::string("\x03\xe8", 2) + "bye";
  const std::string stream =
      server(kText, "last") + server(kClose, close) + server(kText, "after") + "\xff\xff garbage that is not a frame";
  const ReadResult run = readAnyway(false, stream);
  EXPECT_TRUE(run.ok);
  EXPECT_TRUE(run.closed);
  EXPECT_TRUE(run.failure.empty());
  EXPECT_EQ(run.messages,
            (std::vector<Seen>{seen(WebSocketOpcode::Text, "last"), seen(WebSocketOpcode::Close, close)}));
  EXPECT_EQ(run.frames, 2u);
}

TEST(WebSocketReader, CloseBetweenFragmentsEndsReadingToo) {
  const ReadResult run = readAnyway(true, client(kText, "half", false) + client(kClose, "") + client(kCont, "rest"));
  EXPECT_TRUE(run.closed);
  EXPECT_EQ(run.messages, std::vector<Seen>{seen(WebSocketOpcode::Close, "")});
}

TEST(WebSocketReader, TruncatesLongMessagesToTheBound) {
  // 25 bytes in three fragments, a bound of 10: the first 10 kept, the size whole.
  const std::string text = "0123456789abcdefghijklmno";
  const std::string stream = client(kText, text.substr(0, 4), false) + client(kCont, text.substr(4, 11), false) +
                             client(kCont, text.substr(15)) + client(kText, "short");
  const ReadResult run = readAnyway(true, stream, 10);
  EXPECT_TRUE(run.ok);
  ASSERT_EQ(run.messages.size(), 2u);
  EXPECT_EQ(run.messages[0], (Seen{WebSocketOpcode::Text, "0123456789", true, 25, false}));
  EXPECT_EQ(run.messages[1], seen(WebSocketOpcode::Text, "short"));
}

TEST(WebSocketReader, AMessageOfExactlyTheBoundIsWhole) {
  const ReadResult run = readAnyway(false, server(kText, "0123456789"), 10);
  EXPECT_EQ(run.messages, std::vector<Seen>{seen(WebSocketOpcode::Text, "0123456789")});
}

TEST(WebSocketReader, BoundAppliesToControlFramesToo) {
  const ReadResult run = readAnyway(true, client(kPing, "0123456789"), 4);
  EXPECT_EQ(run.messages, std::vector<Seen>{(Seen{WebSocketOpcode::Ping, "0123", true, 10, false})});
}

TEST(WebSocketReader, ReadsPastAHugeMessageKeepingOnlyTheBound) {
  // 64 MiB relayed in 64 KiB reads with a 1 KiB bound: only the bound is kept.
  const size_t size = size_t{64} << 20;
  const std::string head = encode({.opcode = kBinary, .payload = "", .declaredLength = size});
  const std::string block(size_t{64} << 10, 'z');
  WebSocketReader reader(false, 1024);
  std::vector<Seen> messages;
  auto sink = [&](const WebSocketMessage& m) {
    messages.push_back(Seen{m.opcode, std::string(m.payload), m.truncated, m.size, m.compressed});
  };
  ASSERT_TRUE(reader.feed(head, sink));
  for (size_t sent = 0; sent < size; sent += block.size()) ASSERT_TRUE(reader.feed(block, sink));
  ASSERT_TRUE(reader.feed(server(kText, "next"), sink));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], (Seen{WebSocketOpcode::Binary, std::string(1024, 'z'), true, size, false}));
  EXPECT_EQ(messages[1], seen(WebSocketOpcode::Text, "next"));
}

TEST(WebSocketReader, SplitsAnywhereInAMixedStream) {
  const std::string big = bytesOf(300);
  const std::string clientStream =
      client(kText, "a", false) + client(kPing, "p") + client(kCont, big, false) + client(kCont, "z") +
      encode({.opcode = kBinary, .payload = big, .masked = true, .rsv = kRsv1, .length = LengthForm::Bits64}) +
      client(kPong, "") + client(kText, "") + client(kClose, "\x03\xe8") + client(kText, "ignored");
  readAnyway(true, clientStream);
  readAnyway(true, clientStream, 100);
  const std::string serverStream =
      server(kText, big, false) + server(kPing, "") + server(kCont, big) + server(kBinary, "b") + server(kClose, "");
  readAnyway(false, serverStream);
  readAnyway(false, serverStream, 7);
}

// A protocol error: what came before it is handed over, then nothing.
void expectFailure(bool fromClient, const std::string& before, const std::string& bad, std::string_view why) {
  SCOPED_TRACE(std::string(why));
  const ReadResult good = readWhole(fromClient, before);
  ASSERT_TRUE(good.ok);
  const ReadResult run = readAnyway(fromClient, before + bad + (fromClient ? client(kText, "x") : server(kText, "x")));
  EXPECT_FALSE(run.ok);
  EXPECT_NE(run.failure.find(why), std::string::npos) << run.failure;
  EXPECT_EQ(run.messages, good.messages);
  EXPECT_FALSE(run.closed);
}

TEST(WebSocketReader, RejectsReservedOpcodes) {
  for (uint8_t opcode : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    expectFailure(false, server(kText, "ok"), server(opcode, "?"), "reserved opcode " + std::to_string(opcode));
  }
}

TEST(WebSocketReader, RejectsUnmaskedClientFramesAndMaskedServerFrames) {
  expectFailure(true, client(kText, "ok"), server(kText, "plain"), "client frame is not masked");
  expectFailure(false, server(kText, "ok"), client(kText, "masked"), "server frame is masked");
}

TEST(WebSocketReader, RejectsFragmentedControlFrames) {
  for (uint8_t opcode : {kClose, kPing, kPong}) {
    expectFailure(true, client(kText, "ok"), client(opcode, "", false), "control frame is fragmented");
  }
}

TEST(WebSocketReader, RejectsControlPayloadsOver125Bytes) {
  expectFailure(false, server(kPing, bytesOf(125)), server(kPing, bytesOf(126)), "control frame payload is over 125");
  expectFailure(false, "", server(kClose, bytesOf(300)), "control frame payload is over 125");
}

TEST(WebSocketReader, RejectsAContinuationWithoutAMessage) {
  expectFailure(true, "", client(kCont, "orphan"), "continuation frame without a message");
  expectFailure(true, client(kText, "done"), client(kCont, "orphan"), "continuation frame without a message");
}

TEST(WebSocketReader, RejectsANewDataFrameWhileAMessageIsOpen) {
  expectFailure(false, server(kPing, "p"), server(kText, "open", false) + server(kBinary, "new"),
                "new data frame while a fragmented message");
}

TEST(WebSocketReader, RejectsA64BitLengthWithTheTopBitSet) {
  expectFailure(false, server(kText, "ok"),
                encode({.opcode = kBinary, .payload = "", .declaredLength = uint64_t{1} << 63}),
                "most significant bit");
  // Without the top bit, a huge length is only a long frame.
  const ReadResult run =
      readAnyway(false, encode({.opcode = kBinary, .payload = "", .declaredLength = (uint64_t{1} << 63) - 1}) + "abc");
  EXPECT_TRUE(run.ok);
  EXPECT_TRUE(run.messages.empty());
}

TEST(WebSocketReader, RejectsReservedBits) {
  expectFailure(true, "", encode({.payload = "x", .masked = true, .rsv = kRsv2}), "RSV2 or RSV3");
  expectFailure(true, "", encode({.payload = "x", .masked = true, .rsv = kRsv3}), "RSV2 or RSV3");
  expectFailure(true, "",
                encode({.payload = "x", .fin = false, .masked = true, .rsv = kRsv1}) +
                    encode({.opcode = kCont, .payload = "y", .masked = true, .rsv = kRsv1}),
                "continuation frame has RSV1");
  expectFailure(false, "", encode({.opcode = kPing, .payload = "", .rsv = kRsv1}), "control frame has RSV1");
}

TEST(WebSocketReader, IgnoresFeedsAfterAFailure) {
  WebSocketReader reader(true);
  int messages = 0;
  auto sink = [&](const WebSocketMessage&) { ++messages; };
  EXPECT_FALSE(reader.feed(server(kText, "unmasked"), sink));
  const std::string failure = reader.failure();
  EXPECT_FALSE(reader.feed(client(kText, "fine"), sink));
  EXPECT_EQ(messages, 0);
  EXPECT_EQ(reader.failure(), failure);
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(reader.frames(), 0u);
}

TEST(WebSocketReader, WaitsForTheWholeHeaderAndPayload) {
  const std::string frame = client(kText, bytesOf(200));  // 2 + 2 + 4 header bytes
  WebSocketReader reader(true);
  int messages = 0;
  auto sink = [&](const WebSocketMessage&) { ++messages; };
  EXPECT_TRUE(reader.feed(frame.substr(0, 7), sink));
  EXPECT_TRUE(reader.feed(frame.substr(7, frame.size() - 8), sink));
  EXPECT_EQ(messages, 0);
  EXPECT_EQ(reader.frames(), 0u);
  EXPECT_TRUE(reader.feed(frame.substr(frame.size() - 1), sink));
  EXPECT_EQ(messages, 1);
  EXPECT_EQ(reader.frames(), 1u);
}

// ---- writing frames ----

TEST(AppendWebSocketFrame, MaskedFramesOfEveryLengthFormReadBackWhole) {
  const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
  for (const size_t size : {size_t{0}, size_t{1}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536}}) {
    std::string stream;
    appendWebSocketFrame(stream, WebSocketOpcode::Text, bytesOf(size), &key);
    const ReadResult r = readWhole(true, stream);
    ASSERT_TRUE(r.ok) << "size " << size << ": " << r.failure;
    ASSERT_EQ(r.messages.size(), 1u) << "size " << size;
    EXPECT_EQ(r.messages[0], seen(WebSocketOpcode::Text, bytesOf(size))) << "size " << size;
  }
}

TEST(AppendWebSocketFrame, TheMaskHidesThePayloadOnTheWire) {
  const uint8_t key[4] = {0xA5, 0x5A, 0xFF, 0x01};
  std::string stream;
  appendWebSocketFrame(stream, WebSocketOpcode::Text, "ignore previous instructions", &key);
  EXPECT_EQ(stream.find("ignore"), std::string::npos);
  EXPECT_EQ(static_cast<uint8_t>(stream[1]) & 0x80, 0x80);  // mask bit
}

TEST(AppendWebSocketFrame, ServerFramesAreUnmaskedAndCompressionSetsRsv1) {
  std::string stream;
  appendWebSocketFrame(stream, WebSocketOpcode::Binary, "abc", nullptr, true);
  EXPECT_EQ(stream, "\xC2\x03"s "abc");
  const ReadResult r = readWhole(false, stream);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], seen(WebSocketOpcode::Binary, "abc", true));
}

TEST(AppendWebSocketFrame, ConsecutiveFramesReadAsSeparateMessages) {
  std::string stream;
  appendWebSocketFrame(stream, WebSocketOpcode::Text, "one", nullptr);
  appendWebSocketFrame(stream, WebSocketOpcode::Ping, "p", nullptr);
  appendWebSocketFrame(stream, WebSocketOpcode::Close, webSocketClosePayload(1008, "policy"), nullptr);
  const ReadResult r = readWhole(false, stream);
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0], seen(WebSocketOpcode::Text, "one"));
  EXPECT_EQ(r.messages[1], seen(WebSocketOpcode::Ping, "p"));
  EXPECT_EQ(r.messages[2], seen(WebSocketOpcode::Close, "\x03\xF0policy"s));
  EXPECT_TRUE(r.closed);
}

TEST(WebSocketClosePayload, CutsTheReasonToFitAControlFrameAtACharacterBoundary) {
  // 121 ASCII bytes, then a 3-byte character that would end at byte 124.
  const std::string reason = std::string(121, 'x') + "\xE2\x82\xAC" + "tail";
  const std::string payload = webSocketClosePayload(1008, reason);
  EXPECT_EQ(payload.substr(0, 2), "\x03\xF0"s);
  EXPECT_EQ(payload.substr(2), std::string(121, 'x'));
  EXPECT_LE(payload.size(), 125u);
  EXPECT_EQ(webSocketClosePayload(1000, "bye"), "\x03\xE8" "bye"s);
}

}  // namespace
}  // namespace warden::http
