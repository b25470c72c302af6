#include "proxy/websocket_relay.h"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "proxy/http_io.h"

namespace warden::proxy {
namespace {

using ErrorCode = boost::system::error_code;
using warden::http::WebSocketMessage;
using warden::http::WebSocketReader;

void closeBoth(Stream& a, Stream& b) {
  ErrorCode ignored;
  a.socket().close(ignored);
  b.socket().close(ignored);
}

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

// One direction: whatever is buffered first, then every read, each written
// on before the next read. Whichever direction ends first closes both: a
// WebSocket ends with a Close frame each way, then the connection.
asio::awaitable<void> relayOneWay(Direction d, Watchdog& idle, WebSocketTap* tap, uint64_t& bytes,
                                  uint64_t& messages, WebSocketOutcome& outcome) {
  WebSocketReader reader(d.fromClient);
  const auto sink = [&](const WebSocketMessage& message) {
    ++messages;
    if (tap == nullptr) return;
    if (d.fromClient) {
      tap->clientMessage(message);
    } else {
      tap->serverMessage(message);
    }
  };
  for (;;) {
    if (d.buffered.size() == 0) {
      auto [readError, n] = co_await readInto(d.from, d.buffered);
      if (readError) {
        if (!expectedEnd(readError) && outcome.error.empty()) {
          outcome.error = std::string(d.name) + " read: " + readError.message();
        }
        break;
      }
    }
    idle.touch();
    const auto data = d.buffered.data();
    const std::string_view bytesIn(static_cast<const char*>(data.data()), data.size());
    if (!reader.failed() && !reader.feed(bytesIn, sink) && outcome.unreadable.empty()) {
      outcome.unreadable = std::string(d.name) + " frames: " + reader.failure();
    }
    auto [writeError, written] = co_await d.to.visit([&](auto& s) { return asio::async_write(s, data, kUseTuple); });
    d.buffered.consume(written);
    bytes += written;
    if (writeError) {
      if (!expectedEnd(writeError) && outcome.error.empty()) {
        outcome.error = std::string(d.fromClient ? "upstream" : "client") + " write: " + writeError.message();
      }
      break;
    }
    idle.touch();
  }
  closeBoth(d.from, d.to);
}

}  // namespace

asio::awaitable<WebSocketOutcome> relayWebSocket(Stream& client, beast::flat_buffer& clientBuffered, Stream& upstream,
                                                 beast::flat_buffer& upstreamBuffered, Watchdog& idle,
                                                 WebSocketTap* tap) {
  using namespace asio::experimental::awaitable_operators;
  WebSocketOutcome outcome;
  co_await (relayOneWay({client, clientBuffered, upstream, true, "client"}, idle, tap, outcome.bytesFromClient,
                        outcome.messagesFromClient, outcome) &&
            relayOneWay({upstream, upstreamBuffered, client, false, "upstream"}, idle, tap, outcome.bytesToClient,
                        outcome.messagesToClient, outcome));
  if (idle.expired() && outcome.error.empty()) outcome.error = "idle timeout";
  co_return outcome;
}

}  // namespace warden::proxy
