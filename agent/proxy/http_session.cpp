#include "proxy/http_session.h"

#include <array>
#include <chrono>

#include "core/log.h"
#include "proxy/error_responses.h"
#include "proxy/http_exchange.h"
#include "proxy/http_io.h"
#include "proxy/request_decision.h"

namespace warden::proxy {
namespace {

using ErrorCode = boost::system::error_code;
using Clock = std::chrono::steady_clock;

// How long we wait for a client to acknowledge our close (TLS close_notify,
// FIN) before dropping the connection.
constexpr auto kCloseGrace = std::chrono::seconds(1);
// Unread request bytes at close() make the kernel send RST, which can destroy
// the response we just wrote; read and discard up to this much first.
constexpr size_t kLingerDrainBytes = 64 * 1024;

bool isMalformedRequest(const ErrorCode& ec) {
  if (ec.category() != http::make_error_code(http::error::end_of_stream).category()) return false;
  return ec != http::error::end_of_stream && ec != http::error::partial_message && ec != http::error::need_more &&
         ec != http::error::need_buffer;
}

class HttpSession {
 public:
  HttpSession(WorkerContext& worker, Stream client, ConnectionInfo info, const asio::any_io_executor& executor)
      : worker_(worker),
        client_(std::move(client)),
        info_(std::move(info)),
        executor_(executor),
        idle_(executor, worker.shared.options.idleTimeout, [this] { closeAll(); }) {
    buffer_.reserve(kReadBufferBytes);
  }

  asio::awaitable<void> run() {
    // Not `while (co_await ...)`: GCC 12 miscompiles co_await in a condition.
    for (;;) {
      const bool keepGoing = co_await serveOne();
      if (!keepGoing) break;
    }
    co_await closeClient();
  }

 private:
  asio::awaitable<bool> serveOne();
  asio::awaitable<void> reject(ErrorResponse& response, audit::Event& event);
  void finish(audit::Event& event, Clock::time_point start, const std::string& error);
  asio::awaitable<void> closeClient();
  void closeAll();

  WorkerContext& worker_;
  Stream client_;
  ConnectionInfo info_;
  asio::any_io_executor executor_;
  beast::flat_buffer buffer_;
  Stream* activeUpstream_ = nullptr;
  Watchdog idle_;
  // Allocated with the session, not per request.
  std::array<char, kBodyPieceBytes> piece_;
  beast::flat_buffer output_;
};

asio::awaitable<bool> HttpSession::serveOne() {
  RequestParser request;
  request.header_limit(kHeaderLimitBytes);
  request.body_limit(boost::none);
  idle_.touch();
  auto [ec, headerBytes] = co_await readHeader(client_, buffer_, request);
  const auto start = Clock::now();
  auto event = makeEvent(audit::EventType::Request, info_);
  const auto& req = request.get();
  event.method = std::string(req.method_string());
  event.path = std::string(req.target());
  event.httpHost = std::string(req[http::field::host]);
  event.bytesFromClient = headerBytes;

  if (ec) {
    // Nothing but a closed or idle connection: not a request at all.
    if (!isMalformedRequest(ec)) co_return false;
    auto response = badRequest(ec.message());
    co_await reject(response, event);
    finish(event, start, "malformed request: " + ec.message());
    co_return false;
  }
  if (req.count(http::field::transfer_encoding) > 0 && !request.chunked()) {
    // Without chunked last the body length is undefined for a request; a
    // request smuggling vector we refuse rather than guess.
    auto response = badRequest("Transfer-Encoding without chunked as the final coding");
    co_await reject(response, event);
    finish(event, start, "malformed request: unsupported Transfer-Encoding");
    co_return false;
  }

  const RequestDecision decision = decide(info_, req.base());
  event.decision = decision.decision;
  if (!decision.allow) {
    auto response = forbidden(decision.reason);
    co_await reject(response, event);
    finish(event, start, "");
    co_return false;
  }

  ClientSide side{client_, buffer_, info_, idle_, activeUpstream_, piece_, output_};
  ExchangeOutcome outcome = co_await forwardRequest(worker_, side, request);
  event.bytesFromClient += outcome.bytesFromClient;
  event.bytesToClient += outcome.bytesToClient;
  event.status = outcome.status;
  if (outcome.upstreamUnavailable) {
    logger("proxy")->warn("{} {} from {}: {}", event.method, event.path,
                          info_.origin.identity.comm.empty() ? info_.client.toString() : info_.origin.identity.comm,
                          outcome.error);
    auto response = upstreamUnavailable(outcome.error);
    co_await reject(response, event);
  }
  finish(event, start, outcome.error);
  co_return outcome.keepClient;
}

// Answers the client ourselves; the connection ends after this response.
asio::awaitable<void> HttpSession::reject(ErrorResponse& response, audit::Event& event) {
  event.status = static_cast<int>(response.result_int());
  auto [ec, n] = co_await writeMessage(client_, response);
  event.bytesToClient += n;
}

void HttpSession::finish(audit::Event& event, Clock::time_point start, const std::string& error) {
  auto& stats = worker_.shared.stats;
  ProxyStats::bump(stats.requests);
  if (!error.empty()) {
    ProxyStats::bump(stats.errors);
    event.error = error;
  }
  event.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  worker_.events.submit(std::move(event));
}

asio::awaitable<void> HttpSession::closeClient() {
  auto& socket = client_.socket();
  if (!socket.is_open()) co_return;
  Watchdog grace(executor_, kCloseGrace, [&socket] {
    boost::system::error_code ignored;
    socket.close(ignored);
  });
  if (auto* tls = client_.tls()) {
    co_await tls->async_shutdown(kUseTuple);
  }
  ErrorCode ec;
  socket.shutdown(Tcp::socket::shutdown_send, ec);
  std::array<char, 4096> sink;
  size_t drained = 0;
  while (!ec && socket.is_open() && drained < kLingerDrainBytes) {
    auto [readError, n] = co_await socket.async_read_some(asio::buffer(sink), kUseTuple);
    ec = readError;
    drained += n;
  }
  socket.close(ec);
}

void HttpSession::closeAll() {
  boost::system::error_code ignored;
  client_.socket().close(ignored);
  if (activeUpstream_ != nullptr) activeUpstream_->socket().close(ignored);
}

}  // namespace

asio::awaitable<void> serveHttp(WorkerContext& worker, Stream client, ConnectionInfo info) {
  auto executor = co_await asio::this_coro::executor;
  HttpSession session(worker, std::move(client), std::move(info), executor);
  co_await session.run();
}

}  // namespace warden::proxy
