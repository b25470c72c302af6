// Forwards one parsed request header (and its body, streamed) to the original
// destination and streams the response back to the client.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "providers/conversation.h"
#include "proxy/connection_info.h"
#include "proxy/http_types.h"
#include "proxy/stream.h"
#include "proxy/watchdog.h"
#include "proxy/websocket_relay.h"
#include "proxy/worker_context.h"

namespace warden::proxy {

using RequestParser = http::request_parser<http::buffer_body, FieldAllocator>;

// A tap's refusal of the rest of a response.
struct ResponseRefusal {
  std::string reason;                                           // why, for the event and the client's message
  std::string eventId;                                          // named in the client's message
  providers::Provider provider = providers::Provider::Unknown;  // whose error format the client gets
  // The last bytes of a body already under way: the provider's error event
  // in the body's framing. Empty when the bytes relayed so far cannot be
  // ended cleanly (a single document, an encoded body, a stop inside an
  // event): the connection is closed instead.
  std::string ending;
};

// Sees the final response as it is relayed (for inspection). piece() gets
// each part of the body, dechunked, right after it was written to the client;
// the part that ends the body, just before. After head() and after each
// piece the relay asks refusal(): once it has one, nothing more is read from
// the upstream. Refused at head(), the client gets the provider's error
// instead of the response; refused during the body (its last part included),
// the body ends with refusal().ending. Either way both connections close.
class ResponseTap {
 public:
  virtual ~ResponseTap() = default;
  virtual void head(unsigned status, const http::response_header<Fields>& header) = 0;
  virtual void piece(std::string_view bytes) = 0;
  virtual void end(bool complete) = 0;  // complete: the whole body was relayed
  virtual std::optional<ResponseRefusal> refusal() const { return std::nullopt; }
};

struct ExchangeOutcome;

// Told once per exchange, just before the write that lets the client see the
// response whole (the end of its body, a header with no body, warden's own
// answer): the session writes the exchange's audit event to the spool there
// (returning when it is in the segment), so an agent killed after that write
// still has it. Not told when the response does not complete (a failure, a
// cut body, a refusal that closes the connection instead).
class ResponseCommit {
 public:
  // `soFar`: the outcome as it will be once that write went well. If the
  // write then fails, the event already recorded overstates bytesToClient
  // by what did not go (the outcome returned counts only what went).
  virtual void beforeLastWrite(const ExchangeOutcome& soFar) = 0;
  // Awaited right after beforeLastWrite(): the event it recorded is in the
  // spool when this returns (events recorded together are written together).
  virtual asio::awaitable<void> untilRecorded() { co_return; }
  // The upstream accepted a WebSocket upgrade and its 101 is about to go to
  // the client: the session's opening is recorded now (untilRecorded() is
  // awaited next), its end when it ends.
  virtual void beforeUpgrade(const ExchangeOutcome& /*soFar*/) {}

 protected:
  ~ResponseCommit() = default;
};

// The client side of an exchange, owned by the HTTP session.
struct ClientSide {
  Stream& stream;
  beast::flat_buffer& buffer;  // may hold the start of the next request
  const ConnectionInfo& info;
  Watchdog& idle;
  // The upstream leg in use, so the idle watchdog can close it too.
  Stream*& activeUpstream;
  // Room for one piece of body in transit, either way (kBodyPieceBytes).
  std::span<char> piece;
  // Where each write, either way, is assembled into one buffer.
  beast::flat_buffer& output;
  // The session's arena for the header fields of this exchange's messages.
  FieldAllocator fields;
  // The whole request body, when the session has read it already: it is
  // forwarded with a Content-Length (a chunked request is re-framed).
  // Null: the body (if any) is streamed as it arrives, framed as it came.
  std::string* body = nullptr;
  ResponseTap* tap = nullptr;  // may be null
  // The request asks to upgrade to WebSocket: it goes out on a connection
  // of its own with its Upgrade kept, and a 101 answer turns the exchange
  // into a WebSocket relay shown to `webSocketTap` (may be null).
  bool webSocketUpgrade = false;
  WebSocketTap* webSocketTap = nullptr;
  ResponseCommit* commit = nullptr;  // may be null
};

struct ExchangeOutcome {
  int status = 0;                // final status relayed to the client (0: none yet)
  bool responseStarted = false;  // something was written to the client
  bool keepClient = false;       // the client connection can carry another request
  uint64_t bytesFromClient = 0;  // body bytes (the header is counted by the caller)
  uint64_t bytesToClient = 0;
  std::string error;  // why the exchange failed, empty when it did not
  bool upstreamUnavailable = false;  // failed before any response: the caller answers 502
  std::optional<WebSocketOutcome> webSocket;  // the upgrade was accepted and relayed
  std::optional<ResponseRefusal> refusal;     // the tap refused the response (error says how it ended)
};

// `request` has its header parsed (and its body read, with client.body);
// hop-by-hop fields are removed here.
asio::awaitable<ExchangeOutcome> forwardRequest(WorkerContext& worker, ClientSide& client, RequestParser& request);

}  // namespace warden::proxy
