#include "proxy/http_exchange.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "core/log.h"
#include "proxy/error_responses.h"
#include "proxy/hop_by_hop.h"
#include "proxy/http_io.h"
#include "proxy/upstream_connector.h"

namespace warden::proxy {
namespace {

using ResponseParser = http::response_parser<http::buffer_body, FieldAllocator>;
using ResponseWriter = http::response_serializer<http::buffer_body, Fields>;
using ErrorCode = boost::system::error_code;

bool responseHasNoBody(unsigned status, bool isHead) {
  return isHead || status == 204 || status == 304 || (status >= 100 && status < 200);
}

class Exchange final : public LastWriteHook {
 public:
  Exchange(WorkerContext& worker, ClientSide& client, RequestParser& request)
      : worker_(worker), client_(client), request_(request) {
    const bool tls = client.stream.isTls();
    key_ = UpstreamKey{client.info.origin.originalDst, tls ? client.info.sni : std::string(), tls};
  }
  ~Exchange() { client_.activeUpstream = nullptr; }

  asio::awaitable<ExchangeOutcome> run();
  void beforeLastWrite(size_t bytes) override;
  asio::awaitable<void> untilRecorded() override;

 private:
  asio::awaitable<Status> attachUpstream(bool fresh);
  asio::awaitable<ErrorCode> writeWholeBody();
  asio::awaitable<ErrorCode> readResponseHead(bool stopAtContinue);
  asio::awaitable<ErrorCode> relayInterim();
  asio::awaitable<void> relayResponse();
  asio::awaitable<void> answerRefusal(ResponseRefusal refusal);
  asio::awaitable<void> endRefusedBody(ResponseRefusal refusal, ResponseWriter& writer);
  asio::awaitable<void> relayWebSocket();
  ExchangeOutcome failBeforeResponse(std::string error);
  void releaseUpstream(bool reusable);
  std::string upstreamName() const;

  WorkerContext& worker_;
  ClientSide& client_;
  RequestParser& request_;
  UpstreamKey key_;
  std::unique_ptr<UpstreamConnection> upstream_;
  bool reused_ = false;
  std::optional<http::request_serializer<http::buffer_body, Fields>> requestWriter_;
  std::optional<ResponseParser> response_;
  bool requestComplete_ = false;
  bool clientKeepAlive_ = false;
  bool isHead_ = false;
  // The upstream answered an Expect: 100-continue request without asking for
  // the body; the client may still send it, so neither side can be reused.
  bool bodySkipped_ = false;
  bool clientFailed_ = false;
  unsigned clientVersion_ = 11;
  ExchangeOutcome out_;
};

std::string Exchange::upstreamName() const {
  return key_.tls ? key_.serverName + " (" + key_.dst.toString() + ")" : key_.dst.toString();
}

asio::awaitable<ExchangeOutcome> Exchange::run() {
  auto& req = request_.get();
  clientKeepAlive_ = request_.keep_alive();
  isHead_ = req.method() == http::verb::head;
  clientVersion_ = req.version();
  // A body the session has read is at hand whole: it goes out with a length
  // (re-framing a chunked one), and any Expect was answered by the session.
  const bool buffered = client_.body != nullptr;
  const bool expectContinue = !buffered && beast::iequals(req[http::field::expect], "100-continue");
  removeHopByHopFields(req);
  if (client_.webSocketUpgrade) {
    // The one hop-by-hop request the next hop must see. Compression is not
    // offered on our behalf: deflated frames could not be read.
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.erase(http::field::sec_websocket_extensions);
  }
  if (buffered) {
    req.erase(http::field::expect);
    req.erase(http::field::transfer_encoding);
    req.content_length(client_.body->size());
  }
  const bool bodyless = !buffered && request_.is_done();
  const bool waitForContinue = expectContinue && !bodyless;

  // The start of the body, when it came with the header, leaves with it in
  // one write; a body still on its way is not waited for. The piece stays in
  // client_.piece until an upstream took it, so a retry can send it again.
  PieceRead first;
  if (!buffered && !bodyless && !waitForContinue) {
    first = co_await readPiece(client_.stream, client_.buffer, request_, client_.piece, false);
    out_.bytesFromClient += first.consumed;
    if (first.error) {
      out_.error = "client stopped sending the request body: " + first.error.message();
      co_return out_;
    }
  }

  // A pooled connection the server closed meanwhile fails at the first write
  // or read; retry once on a fresh one while no body byte has been consumed
  // beyond the first piece, which is still at hand.
  for (int attempt = 0;; ++attempt) {
    // An upgraded connection is never given back: it starts on a new one.
    const Status attached = co_await attachUpstream(attempt > 0 || client_.webSocketUpgrade);
    if (!attached) co_return failBeforeResponse(attached.error().message);
    requestWriter_.emplace(req);
    ErrorCode ec;
    if (buffered) {
      ec = co_await writeWholeBody();
    } else if (bodyless || waitForContinue) {
      auto [headerError, n] = co_await writeHeader(upstream_->stream, *requestWriter_, client_.output);
      ec = headerError;
    } else {
      auto [pieceError, n] = co_await writePiece(upstream_->stream, *requestWriter_, req.body(), client_.piece.data(),
                                                 first.size, request_.is_done(), client_.output);
      ec = pieceError;
    }
    // A whole body is still at hand: even a pooled connection that fails
    // only at the read can be retried.
    if (!ec && (bodyless || waitForContinue || buffered)) {
      ec = co_await readResponseHead(waitForContinue);
    }
    if (clientFailed_) {
      releaseUpstream(false);
      co_return out_;
    }
    if (!ec) break;
    if (reused_ && attempt == 0 && !out_.responseStarted) {
      logger("proxy")->debug("idle connection to {} was closed by the server ({}); retrying on a new one",
                             upstreamName(), ec.message());
      releaseUpstream(false);
      continue;
    }
    co_return failBeforeResponse("upstream " + upstreamName() + " failed before responding: " + ec.message());
  }
  requestComplete_ = bodyless || buffered;

  if (!bodyless && !buffered) {
    if (waitForContinue && response_->get().result() != http::status::continue_) {
      bodySkipped_ = true;
    } else {
      if (waitForContinue) {
        const ErrorCode relayError = co_await relayInterim();
        if (relayError) {
          releaseUpstream(false);
          co_return out_;
        }
      }
      auto pumped = co_await pumpBody(client_.stream, client_.buffer, request_, upstream_->stream, *requestWriter_,
                                      client_.idle, client_.piece, client_.output);
      out_.bytesFromClient += pumped.bytesRead;
      if (pumped.readError) {
        out_.error = "client stopped sending the request body: " + pumped.readError.message();
        releaseUpstream(false);
        co_return out_;
      }
      if (pumped.writeError) {
        co_return failBeforeResponse("send the request body to upstream " + upstreamName() + ": " +
                                     pumped.writeError.message());
      }
      requestComplete_ = true;
      const ErrorCode headError = co_await readResponseHead(false);
      if (headError) {
        if (clientFailed_) {
          releaseUpstream(false);
          co_return out_;
        }
        co_return failBeforeResponse("upstream " + upstreamName() + " failed before responding: " +
                                     headError.message());
      }
    }
  }
  co_await relayResponse();
  co_return out_;
}

// Header and body in pieces of kBodyPieceBytes, the header with the first.
asio::awaitable<ErrorCode> Exchange::writeWholeBody() {
  std::string& body = *client_.body;
  size_t offset = 0;
  do {
    const size_t size = std::min(kBodyPieceBytes, body.size() - offset);
    const bool last = offset + size == body.size();
    auto [ec, n] = co_await writePiece(upstream_->stream, *requestWriter_, request_.get().body(), body.data() + offset,
                                       size, last, client_.output);
    if (ec) co_return ec;
    offset += size;
  } while (offset < body.size());
  co_return ErrorCode{};
}

asio::awaitable<Status> Exchange::attachUpstream(bool fresh) {
  upstream_.reset();
  reused_ = false;
  if (!fresh) {
    upstream_ = worker_.pool.take(key_);
    reused_ = upstream_ != nullptr;
  }
  if (!upstream_) {
    const auto& options = worker_.shared.options;
    UpstreamDialOptions dial{options.upstreamMark, options.upstreamConnectTimeout,
                             key_.tls ? worker_.shared.upstreamTls.get() : nullptr};
    auto dialed = co_await connectUpstream(key_, dial);
    if (!dialed) co_return dialed.error();
    upstream_ = std::move(dialed.value());
  }
  client_.activeUpstream = &upstream_->stream;
  co_return Status{};
}

// Reads response headers, relaying interim (1xx) responses to the client,
// until the final one, or the 100 Continue the caller waits for.
asio::awaitable<ErrorCode> Exchange::readResponseHead(bool stopAtContinue) {
  for (;;) {
    response_.emplace(std::piecewise_construct, std::make_tuple(), std::make_tuple(client_.fields));
    response_->header_limit(kHeaderLimitBytes);
    response_->body_limit(boost::none);
    if (isHead_) response_->skip(true);
    auto [ec, n] = co_await readHeader(upstream_->stream, upstream_->buffer, *response_);
    if (ec) co_return ec;
    client_.idle.touch();
    const unsigned status = response_->get().result_int();
    if (status < 100 || status >= 200 || status == 101) co_return ErrorCode{};
    if (status == 100 && stopAtContinue) co_return ErrorCode{};
    const ErrorCode relayError = co_await relayInterim();
    if (relayError) co_return relayError;
  }
}

asio::awaitable<ErrorCode> Exchange::relayInterim() {
  http::response<http::empty_body, Fields> interim{response_->get().base()};
  removeHopByHopFields(interim);
  auto [ec, n] = co_await writeMessage(client_.stream, interim);
  out_.bytesToClient += n;
  out_.responseStarted = true;
  if (ec) {
    clientFailed_ = true;
    out_.error = "write an interim response to the client: " + ec.message();
  }
  co_return ec;
}

asio::awaitable<void> Exchange::relayResponse() {
  auto& res = response_->get();
  const unsigned status = res.result_int();
  if (status == 101 && client_.webSocketUpgrade) {
    co_await relayWebSocket();
    co_return;
  }
  const bool upstreamKeepAlive = response_->keep_alive();
  const bool endsAtClose = response_->need_eof();
  removeHopByHopFields(res);
  bool keepClient = clientKeepAlive_ && !endsAtClose && !bodySkipped_;
  if (clientVersion_ < 11 && res.chunked()) {
    // An HTTP/1.0 client cannot decode chunks: send the raw body, end it by closing.
    res.chunked(false);
    keepClient = false;
  }
  res.keep_alive(keepClient);
  out_.status = static_cast<int>(status);
  ResponseTap* tap = client_.tap;
  if (tap != nullptr) {
    tap->head(status, res);
    if (auto refusal = tap->refusal()) {
      tap->end(false);
      co_await answerRefusal(std::move(*refusal));
      co_return;
    }
  }

  ResponseWriter writer{res};
  bool complete = true;
  if (responseHasNoBody(status, isHead_)) {
    auto [ec, n] = co_await writeHeader(client_.stream, writer, client_.output, this);
    out_.bytesToClient += n;
    out_.responseStarted = true;
    if (tap != nullptr) tap->end(!ec);
    if (ec) {
      out_.error = "write the response header to the client: " + ec.message();
      releaseUpstream(false);
      co_return;
    }
  } else {
    // The header goes out with the start of the body when that came with it.
    auto pumped = co_await pumpBody(upstream_->stream, upstream_->buffer, *response_, client_.stream, writer,
                                    client_.idle, client_.piece, client_.output,
                                    [tap](std::string_view bytes) {
                                      if (tap == nullptr) return true;
                                      tap->piece(bytes);
                                      return !tap->refusal();
                                    },
                                    this);
    out_.bytesToClient += pumped.bytesWritten;
    if (pumped.stopped) {
      auto refusal = tap->refusal();
      tap->end(false);
      // Refused at the first piece (a body that came whole): the header has
      // not gone either, so the client gets the provider's error instead.
      if (!writer.is_header_done()) {
        co_await answerRefusal(std::move(*refusal));
      } else {
        co_await endRefusedBody(std::move(*refusal), writer);
      }
      co_return;
    }
    if (tap != nullptr) tap->end(pumped.ok());
    const bool headerSent = writer.is_header_done();
    out_.responseStarted = headerSent || pumped.writeError;
    if (pumped.writeError && !headerSent) {
      out_.error = "write the response header to the client: " + pumped.writeError.message();
      releaseUpstream(false);
      co_return;
    }
    if (pumped.readError && !headerSent) {
      // Nothing reached the client yet: it gets a 502 rather than a header
      // promising a body that will not come.
      failBeforeResponse("upstream " + upstreamName() +
                         " failed before sending the response body: " + pumped.readError.message());
      co_return;
    }
    if (pumped.readError) {
      out_.error = "upstream " + upstreamName() + " failed in the middle of the response body: " +
                   pumped.readError.message();
      complete = false;
    } else if (pumped.writeError) {
      out_.error = "client stopped reading the response: " + pumped.writeError.message();
      complete = false;
    }
  }
  out_.keepClient = keepClient && complete;
  releaseUpstream(complete && upstreamKeepAlive && !endsAtClose && !bodySkipped_ && requestComplete_ &&
                  response_->is_done() && upstream_->buffer.size() == 0);
}

// Refused at the head: the client gets the provider's own error instead of
// the response, whose body is left unread on a connection that is closed.
asio::awaitable<void> Exchange::answerRefusal(ResponseRefusal refusal) {
  releaseUpstream(false);
  auto response = refusalResponse(refusal.provider, providers::Refusal::Forbidden, refusal.reason, refusal.eventId);
  out_.status = static_cast<int>(response.result_int());
  out_.keepClient = false;
  out_.error = "response refused: " + refusal.reason;
  out_.refusal = std::move(refusal);
  auto [ec, n] = co_await writeMessage(client_.stream, response, client_.output, *this);
  out_.bytesToClient += n;
  out_.responseStarted = true;
  if (ec) out_.error += "; the refusal could not be written to the client: " + ec.message();
}

// Refused after a piece of the body: nothing more is read from the upstream,
// whose connection is closed with the rest of its response unread, and the
// client's body ends with the provider's error event when its framing allows.
asio::awaitable<void> Exchange::endRefusedBody(ResponseRefusal refusal, ResponseWriter& writer) {
  releaseUpstream(false);
  out_.responseStarted = true;  // a piece went out before the refusal
  out_.keepClient = false;
  out_.error = "response refused: " + refusal.reason;
  out_.refusal = refusal;
  auto& res = response_->get();
  if (refusal.ending.empty()) {
    out_.error += "; the body could not be ended cleanly there, so the connection was closed";
  } else if (res.has_content_length()) {
    // The client counts the body against its Content-Length, so no other
    // bytes can end it cleanly: only the connection closing before the
    // count is reached tells the client the response was cut short. So it
    // is too for a refusal of the final piece (judged before it goes): the
    // commit point is never reached, and the session records the event
    // after the cut, as refused.
    out_.error += "; the body has a Content-Length, so the connection was closed";
  } else {
    // Chunked: the event is the next chunk, followed by the last chunk. A
    // body that ends where the connection ends simply takes it as its end.
    auto [ec, n] = co_await writePiece(client_.stream, writer, res.body(), refusal.ending.data(), refusal.ending.size(),
                                       true, client_.output, this);
    out_.bytesToClient += n;
    out_.responseStarted = true;
    if (ec) out_.error += "; the refusal could not be written to the client: " + ec.message();
  }
}

void Exchange::beforeLastWrite(size_t bytes) {
  if (client_.commit == nullptr) return;
  // The inspection of the body is whole now: its record goes in the event.
  if (client_.tap != nullptr) client_.tap->end(true);
  ExchangeOutcome soFar = out_;
  soFar.bytesToClient += bytes;
  soFar.responseStarted = true;
  client_.commit->beforeLastWrite(soFar);
}

asio::awaitable<void> Exchange::untilRecorded() {
  if (client_.commit != nullptr) co_await client_.commit->untilRecorded();
}

// The upstream accepted the upgrade: its 101 goes to the client with the
// Upgrade it names, then frames flow both ways until either side closes.
asio::awaitable<void> Exchange::relayWebSocket() {
  auto& res = response_->get();
  const std::string upgrade(res[http::field::upgrade]);
  removeHopByHopFields(res);
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, upgrade.empty() ? "websocket" : upgrade);
  out_.status = 101;
  if (client_.commit != nullptr) {
    client_.commit->beforeUpgrade(out_);
    co_await client_.commit->untilRecorded();
  }
  http::response<http::empty_body, Fields> switching{res.base()};
  auto [ec, n] = co_await writeMessage(client_.stream, switching);
  out_.bytesToClient += n;
  out_.responseStarted = true;
  if (ec) {
    out_.error = "write the 101 response to the client: " + ec.message();
    releaseUpstream(false);
    co_return;
  }
  WebSocketOutcome relayed = co_await proxy::relayWebSocket(client_.stream, client_.buffer, upstream_->stream,
                                                            upstream_->buffer, client_.idle, client_.webSocketTap);
  out_.bytesFromClient += relayed.bytesFromClient;
  out_.bytesToClient += relayed.bytesToClient;
  out_.error = relayed.error;
  out_.webSocket = std::move(relayed);
  out_.keepClient = false;
  releaseUpstream(false);
}

ExchangeOutcome Exchange::failBeforeResponse(std::string error) {
  releaseUpstream(false);
  out_.upstreamUnavailable = true;
  out_.error = std::move(error);
  out_.keepClient = false;
  return out_;
}

void Exchange::releaseUpstream(bool reusable) {
  client_.activeUpstream = nullptr;
  if (!upstream_) return;
  if (reusable) {
    worker_.pool.put(key_, std::move(upstream_));
  } else {
    boost::system::error_code ignored;
    upstream_->stream.socket().close(ignored);
    upstream_.reset();
  }
}

}  // namespace

asio::awaitable<ExchangeOutcome> forwardRequest(WorkerContext& worker, ClientSide& client, RequestParser& request) {
  Exchange exchange(worker, client, request);
  co_return co_await exchange.run();
}

}  // namespace warden::proxy
