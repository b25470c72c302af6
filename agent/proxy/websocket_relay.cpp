#include "proxy/websocket_relay.h"

#include <openssl/rand.h>

#include <string>
#include <vector>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "proxy/http_io.h"

namespace warden::proxy {
namespace {

using ErrorCode = boost::system::error_code;
using warden::http::WebSocketMessage;
using warden::http::WebSocketOpcode;
using warden::http::WebSocketReader;

// RFC 6455 7.4.1: the endpoint received a message that violates its policy.
constexpr uint16_t kPolicyViolation = 1008;
// A judged client message is held whole: large enough for audio appends.
constexpr size_t kJudgedMessageBytes = size_t{16} << 20;

bool expectedEnd(const ErrorCode& ec) {
  return ec == asio::error::eof || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
         ec == asio::ssl::error::stream_truncated;
}

struct Direction {
  Stream& from;
  beast::flat_buffer& buffered;
  Stream& to;
  bool fromClient;
  const char* name;  // "client" or "upstream", for errors
};

// What both directions of one relay share.
struct Relay {
  Watchdog& idle;
  WebSocketTap* tap;
  WebSocketOutcome& outcome;
  std::string notice;  // for the client, after a refusal
  // Where the server's bytes relayed to the client ended: the notice and the
  // Close may follow only at the end of a message, and never after a Close.
  bool serverAtBoundary = true;
  bool serverClosed = false;
};

// Whichever direction ends first closes both: a WebSocket ends with a Close
// frame each way, then the connection. After a refusal the client is still
// owed the notice and the Close frame, and the server direction closes the
// upstream once the message it was relaying is through.
void closeAfter(const Direction& d, const Relay& relay) {
  ErrorCode ignored;
  if (relay.outcome.refused.empty()) {
    d.from.socket().close(ignored);
    d.to.socket().close(ignored);
  } else if (!d.fromClient) {
    d.from.socket().close(ignored);
  }
}

// Reads into d.buffered when it is empty; the read's error, if any.
asio::awaitable<ErrorCode> fill(const Direction& d, Relay& relay) {
  if (d.buffered.size() > 0) co_return ErrorCode{};
  auto [readError, n] = co_await readInto(d.from, d.buffered);
  if (readError) {
    if (!expectedEnd(readError) && relay.outcome.error.empty()) {
      relay.outcome.error = std::string(d.name) + " read: " + readError.message();
    }
    co_return readError;
  }
  relay.idle.touch();
  co_return ErrorCode{};
}

asio::awaitable<bool> writeAll(const Direction& d, Relay& relay, asio::const_buffer data, size_t& written) {
  auto [writeError, n] = co_await d.to.visit([&](auto& s) { return asio::async_write(s, data, kUseTuple); });
  written = n;
  if (writeError) {
    if (!expectedEnd(writeError) && relay.outcome.error.empty()) {
      relay.outcome.error = std::string(d.fromClient ? "upstream" : "client") + " write: " + writeError.message();
    }
    co_return false;
  }
  relay.idle.touch();
  co_return true;
}

// One direction relayed as it comes: whatever is buffered first, then every
// read, each written on before the next read; the tap sees each message
// after its bytes went out. After a refusal the server direction stops at
// the end of the message in flight (its read is cancelled to look), so what
// the client is told next is not spliced into a server frame.
asio::awaitable<void> relayWatched(Direction d, Relay& relay, uint64_t& bytes, uint64_t& messages) {
  WebSocketReader reader(d.fromClient);
  const auto sink = [&](const WebSocketMessage& message) {
    ++messages;
    if (relay.tap == nullptr) return;
    if (d.fromClient) {
      (void)relay.tap->clientMessage(message);
    } else {
      relay.tap->serverMessage(message);
    }
  };
  const auto atBoundary = [&] { return reader.atMessageBoundary() || reader.failed() || reader.closed(); };
  const auto refused = [&] { return !d.fromClient && !relay.outcome.refused.empty(); };
  for (;;) {
    if (refused() && atBoundary()) break;
    const ErrorCode readError = co_await fill(d, relay);
    if (readError == asio::error::operation_aborted && refused()) continue;  // woken to look; loop checks
    if (readError) break;
    const auto data = d.buffered.data();
    const std::string_view bytesIn(static_cast<const char*>(data.data()), data.size());
    if (!reader.failed() && !reader.feed(bytesIn, sink) && relay.outcome.unreadable.empty()) {
      relay.outcome.unreadable = std::string(d.name) + " frames: " + reader.failure();
    }
    size_t written = 0;
    const bool ok = co_await writeAll(d, relay, data, written);
    d.buffered.consume(written);
    bytes += written;
    if (!ok) break;
  }
  if (!d.fromClient) {
    relay.serverAtBoundary = reader.atMessageBoundary() && !reader.failed();
    relay.serverClosed = reader.closed();
  }
  closeAfter(d, relay);
}

// The client's messages when the tap judges them first: each is held until
// complete, judged, and forwarded as one frame with a fresh mask, so a
// refused message never reaches the upstream, not even in part.
asio::awaitable<void> relayJudged(Direction d, Relay& relay, uint64_t& bytes, uint64_t& messages) {
  WebSocketReader reader(true, kJudgedMessageBytes);
  // The reader's views last only through its callback; the tap may take
  // its time (off the loop), so each message is copied out first.
  struct Held {
    WebSocketMessage message;
    std::string payload;
  };
  std::vector<Held> held;
  std::string out;
  const auto refuse = [&](TapVerdict verdict) {
    relay.outcome.refused = verdict.reason.empty() ? "refused by warden" : std::move(verdict.reason);
    relay.notice = std::move(verdict.notice);
  };
  const auto sink = [&](const WebSocketMessage& message) {
    ++messages;
    held.push_back(Held{message, std::string(message.payload)});
  };
  // No co_await inside the loop condition: GCC 12 evaluated it past the
  // refusal check there, and the relay waited for the client's next bytes.
  for (;;) {
    if (!relay.outcome.refused.empty()) break;
    const ErrorCode readError = co_await fill(d, relay);
    if (readError) break;
    const auto data = d.buffered.data();
    const std::string_view bytesIn(static_cast<const char*>(data.data()), data.size());
    const bool framed = reader.feed(bytesIn, sink);
    bytes += bytesIn.size();
    d.buffered.consume(bytesIn.size());
    for (Held& h : held) {
      if (!relay.outcome.refused.empty()) break;  // nothing after a refusal goes out
      h.message.payload = h.payload;
      TapVerdict verdict = co_await relay.tap->judgeClientMessage(h.message);
      // Only the first bytes of an oversized message were kept: it cannot
      // be forwarded whole, whatever the tap said.
      if (h.message.truncated && verdict.action != TapVerdict::Action::Refuse) {
        verdict = TapVerdict{TapVerdict::Action::Refuse,
                             {},
                             {},
                             "a WebSocket message of " + std::to_string(h.message.size) +
                                 " bytes, more than warden reads, cannot be inspected"};
      }
      if (verdict.action == TapVerdict::Action::Refuse) {
        refuse(std::move(verdict));
        break;
      }
      uint8_t key[4];
      if (RAND_bytes(key, sizeof key) != 1) {
        refuse(TapVerdict{TapVerdict::Action::Refuse, {}, {}, "no random bytes for a frame mask"});
        break;
      }
      const bool rewrite = verdict.action == TapVerdict::Action::Rewrite;
      warden::http::appendWebSocketFrame(out, h.message.opcode,
                                         rewrite ? std::string_view(verdict.payload) : h.message.payload, &key,
                                         !rewrite && h.message.compressed);
    }
    held.clear();
    if (!framed && relay.outcome.refused.empty()) {
      refuse(TapVerdict{TapVerdict::Action::Refuse, {}, {}, "client frames: " + reader.failure()});
    }
    if (out.empty()) continue;
    size_t written = 0;
    const bool ok = co_await writeAll(d, relay, asio::buffer(out), written);
    out.clear();
    if (!ok) break;
  }
  if (!relay.outcome.refused.empty()) {
    // Wakes the server direction if it waits for the upstream: it checks
    // where its message stands and ends there.
    ErrorCode ignored;
    d.to.socket().cancel(ignored);
  }
  closeAfter(d, relay);
}

// After a refusal: the tap's notice (the API's own error event) and a Close
// frame saying why, then the end of the connection.
asio::awaitable<void> tellClient(Stream& client, Relay& relay) {
  ErrorCode ignored;
  if (relay.serverClosed || !relay.serverAtBoundary) {
    client.socket().close(ignored);  // nothing may follow; the connection's end says it
    co_return;
  }
  std::string frames;
  if (!relay.notice.empty()) warden::http::appendWebSocketFrame(frames, WebSocketOpcode::Text, relay.notice, nullptr);
  warden::http::appendWebSocketFrame(frames, WebSocketOpcode::Close,
                                     warden::http::webSocketClosePayload(kPolicyViolation, relay.outcome.refused),
                                     nullptr);
  auto [ec, n] = co_await client.visit([&](auto& s) { return asio::async_write(s, asio::buffer(frames), kUseTuple); });
  relay.outcome.bytesToClient += n;
  client.socket().close(ignored);
}

}  // namespace

asio::awaitable<WebSocketOutcome> relayWebSocket(Stream& client, beast::flat_buffer& clientBuffered, Stream& upstream,
                                                 beast::flat_buffer& upstreamBuffered, Watchdog& idle,
                                                 WebSocketTap* tap) {
  using namespace asio::experimental::awaitable_operators;
  WebSocketOutcome outcome;
  Relay relay{idle, tap, outcome, {}};
  const Direction fromClient{client, clientBuffered, upstream, true, "client"};
  const Direction fromUpstream{upstream, upstreamBuffered, client, false, "upstream"};
  const bool judged = tap != nullptr && tap->holdsClientMessages();
  // Named, not chosen inside the co_await expression: GCC 12 mishandles
  // temporaries there.
  asio::awaitable<void> clientSide =
      judged ? relayJudged(fromClient, relay, outcome.bytesFromClient, outcome.messagesFromClient)
             : relayWatched(fromClient, relay, outcome.bytesFromClient, outcome.messagesFromClient);
  co_await (std::move(clientSide) &&
            relayWatched(fromUpstream, relay, outcome.bytesToClient, outcome.messagesToClient));
  if (!outcome.refused.empty()) co_await tellClient(client, relay);
  if (idle.expired() && outcome.error.empty()) outcome.error = "idle timeout";
  co_return outcome;
}

}  // namespace warden::proxy
