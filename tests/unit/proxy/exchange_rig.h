// Drives one exchange through forwardRequest() against a scripted upstream,
// with the rig playing the HTTP session's part: reading the request head,
// closing the client after. For tests of how a response is relayed.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <memory_resource>
#include <string>
#include <vector>

#include "proxy/http_exchange.h"
#include "proxy/http_io.h"
#include "proxy/proxy_shared.h"
#include "proxy/worker_context.h"
#include "proxy_test_support.h"
#include "scripted_upstream.h"

namespace warden::proxy::test {

using namespace std::chrono_literals;

struct Exchanged {
  std::string received;  // every byte the client read until its connection ended
  ExchangeOutcome outcome;
};

// One worker's context and a listener standing in for the agent's: each
// exchange() accepts one client connection, reads its request head and
// forwards it with forwardRequest(), then closes the client connection.
class ExchangeRig {
 public:
  ExchangeRig()
      : shared_(testOptions(), OriginLookup{}, nullptr, nullptr, nullptr, InterceptNames{}),
        pool_(4, std::chrono::minutes(1)),
        events_(io_.get_executor(), nullptr),
        worker_{shared_, pool_, events_},
        acceptor_(io_, Tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {}

  UpstreamPool& pool() { return pool_; }
  // Told before each exchange's last write to the client, as the session is.
  void commitTo(ResponseCommit* commit) { commit_ = commit; }

  // `onRead` sees all the client received so far, after each read.
  Exchanged exchange(const Endpoint& upstream, const std::string& raw, ResponseTap* tap,
                     const std::function<void(const std::string&)>& onRead = {}) {
    Exchanged result;
    std::exception_ptr failure;
    int finished = 0;
    const auto done = [&](std::exception_ptr e) {
      ++finished;
      if (e && !failure) failure = e;
    };
    io_.restart();
    asio::co_spawn(io_, serve(upstream, tap, result.outcome), done);
    asio::co_spawn(io_, client(raw, result.received, onRead), done);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (finished < 2 && std::chrono::steady_clock::now() < deadline) io_.run_one_for(100ms);
    if (failure) std::rethrow_exception(failure);
    EXPECT_EQ(finished, 2) << "the exchange did not finish in time";
    return result;
  }

 private:
  asio::awaitable<void> serve(Endpoint upstream, ResponseTap* tap, ExchangeOutcome& outcome) {
    Stream client(co_await acceptor_.async_accept(asio::use_awaitable));
    beast::flat_buffer buffer;
    std::pmr::monotonic_buffer_resource arena;
    RequestParser request(std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator(&arena)));
    request.body_limit(boost::none);
    auto [ec, n] = co_await readHeader(client, buffer, request);
    EXPECT_FALSE(ec) << ec.message();
    const ConnectionInfo info{Endpoint{}, originTo(upstream, true), "", "plain"};
    Stream* activeUpstream = nullptr;
    Watchdog idle(co_await asio::this_coro::executor, 5s, [&client] {
      boost::system::error_code ignored;
      client.socket().close(ignored);
    });
    std::array<char, kBodyPieceBytes> piece;
    beast::flat_buffer output;
    ClientSide side{client, buffer, info, idle, activeUpstream, piece, output, FieldAllocator(&arena)};
    side.tap = tap;
    side.commit = commit_;
    outcome = co_await forwardRequest(worker_, side, request);
    // The session ends here either way; the tests check keepClient, which
    // is what makes the real session close.
    boost::system::error_code ignored;
    client.socket().shutdown(Tcp::socket::shutdown_send, ignored);
    client.socket().close(ignored);
  }

  asio::awaitable<void> client(const std::string& raw, std::string& received,
                               const std::function<void(const std::string&)>& onRead) {
    Tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(acceptor_.local_endpoint(), asio::use_awaitable);
    co_await asio::async_write(socket, asio::buffer(raw), asio::use_awaitable);
    std::array<char, 4096> data;
    for (;;) {
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(data), kUseTuple);
      received.append(data.data(), n);
      if (ec) break;
      if (onRead) onRead(received);
    }
  }

  asio::io_context io_;
  ProxyShared shared_;
  UpstreamPool pool_;
  EventBatcher events_;
  WorkerContext worker_;
  Tcp::acceptor acceptor_;
  ResponseCommit* commit_ = nullptr;
};

inline std::string post(const std::string& target, const std::string& host, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: " + host +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

inline const std::string kChunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: ";

// The upstream's answer: a chunked head, then one chunk per event, each
// piece leaving only once the client has received the events before it.
inline std::vector<std::string> chunkedPieces(const std::string& contentType, const std::vector<std::string>& events) {
  std::vector<std::string> pieces;
  for (size_t i = 0; i < events.size(); ++i) pieces.push_back(ScriptedUpstream::chunk(events[i]));
  pieces.front() = kChunkedHead + contentType + "\r\n\r\n" + pieces.front();
  pieces.back() += "0\r\n\r\n";
  return pieces;
}

// Releases the upstream's next piece each time the client has the event of
// the one before: the proxy then reads every piece on its own.
inline std::function<void(const std::string&)> paceBy(ScriptedUpstream& upstream, const std::vector<std::string>& events) {
  auto released = std::make_shared<size_t>(0);
  return [&upstream, events, released](const std::string& received) {
    while (*released < events.size() && received.find(events[*released]) != std::string::npos) {
      ++*released;
      upstream.release();
    }
  };
}

struct ParsedResponse {
  bool complete = false;  // the whole message parsed, its end included
  unsigned status = 0;
  std::string body;
};

inline ParsedResponse parseResponse(const std::string& raw) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  boost::system::error_code ec;
  size_t used = 0;
  while (used < raw.size() && !parser.is_done()) {
    const size_t n = parser.put(asio::buffer(raw.data() + used, raw.size() - used), ec);
    used += n;
    if (ec || n == 0) break;
  }
  ParsedResponse parsed;
  parsed.complete = parser.is_done() && !ec && used == raw.size();
  if (parser.is_header_done()) {
    parsed.status = parser.get().result_int();
    parsed.body = parser.get().body();
  }
  return parsed;
}

}  // namespace warden::proxy::test
