// A scripted HTTP/1.1 server on 127.0.0.1:0 (plain or TLS) that plays the
// original destination in proxy tests. It records every request it receives.
//   /sse    chunked text/event-stream: "data: one", then waits until the test
//           calls releaseSecondEvent(), then "data: two"
//   /echo   echoes the request body
//   /gather answered only once gatherRequests(n) requests to it wait at once
//   /until-close  a body without length that ends where the connection ends
//           (dropped without TLS close_notify, as many servers do)
//   other   "hello <target> #<n>"
// It honours Expect: 100-continue and answers HEAD without a body.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/endpoint.h"
#include "proxy/net_types.h"

namespace warden::proxy::test {

namespace beast = boost::beast;
namespace http = boost::beast::http;

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string body;
  std::string sni;  // what the TLS client (warden) asked for
  std::map<std::string, std::string> headers;  // lowercased names
  bool has(const std::string& name) const { return headers.count(name) > 0; }
};

// Counts the application-data records `ssl` receives into *counter (which
// must outlive it). TLS 1.3 hides the real type inside the record (every
// header says application data); OpenSSL reports it as
// SSL3_RT_INNER_CONTENT_TYPE.
inline void countApplicationRecords(SSL* ssl, std::atomic<int>* counter) {
  SSL_set_msg_callback_arg(ssl, counter);
  SSL_set_msg_callback(ssl, [](int writing, int, int contentType, const void* data, size_t length, SSL* s, void* arg) {
    if (writing != 0 || length < 1) return;
    const bool tls13 = SSL_version(s) == TLS1_3_VERSION;
    if (contentType != (tls13 ? SSL3_RT_INNER_CONTENT_TYPE : SSL3_RT_HEADER)) return;
    if (*static_cast<const unsigned char*>(data) == SSL3_RT_APPLICATION_DATA) ++*static_cast<std::atomic<int>*>(arg);
  });
}

inline const std::string kUntilCloseBody = "a body whose end is the end of the connection";

class TestUpstream {
 public:
  explicit TestUpstream(std::shared_ptr<asio::ssl::context> tls = nullptr)
      : tls_(std::move(tls)),
        acceptor_(io_, Tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        gate_(io_),
        gatherGate_(io_) {
    gate_.expires_at(asio::steady_timer::time_point::max());
    gatherGate_.expires_at(asio::steady_timer::time_point::max());
    asio::co_spawn(io_, acceptLoop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestUpstream() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  Endpoint endpoint() const { return *Endpoint::parseAddress("127.0.0.1", port()); }

  // From now on /gather requests are held until `count` of them wait
  // together, then all are answered: they were all in flight at once.
  void gatherRequests(int count) { gatherTarget_ = count; }

  void releaseSecondEvent() {
    asio::post(io_, [this] {
      released_ = true;
      gate_.cancel();
    });
  }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  // TLS records of application data received so far, over all connections:
  // how many pieces warden cut the requests into.
  int applicationRecordsReceived() const { return applicationRecords_.load(); }

 private:
  asio::awaitable<void> acceptLoop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kUseTuple);
      if (ec) co_return;
      {
        std::lock_guard lock(mutex_);
        ++connections_;
      }
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(Tcp::socket socket) {
    if (!tls_) {
      co_await serveHttp(socket, "");
      co_return;
    }
    TlsStream stream(std::move(socket), *tls_);
    countApplicationRecords(stream.native_handle(), &applicationRecords_);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (ec) co_return;
    const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    const std::string serverName = sni != nullptr ? sni : "";
    co_await serveHttp(stream, serverName);
  }

  template <class S>
  asio::awaitable<void> serveHttp(S& stream, const std::string& sni) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(16 * 1024 * 1024);
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
      if (ec) co_return;
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> proceed{http::status::continue_, 11};
        auto [wec, wn] = co_await http::async_write(stream, proceed, kUseTuple);
        if (wec) co_return;
      }
      if (!parser.is_done()) {
        auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kUseTuple);
        if (bec) co_return;
      }
      auto& req = parser.get();
      const int number = record(req, sni);
      if (req.target() == "/gather") co_await gather();
      if (req.target() == "/until-close") {
        const std::string raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + kUntilCloseBody;
        co_await asio::async_write(stream, asio::buffer(raw), kUseTuple);
        co_return;
      }
      if (req.target() == "/sse") {
        const bool sent = co_await sendEvents(stream);  // not in the condition: GCC 12
        if (!sent) co_return;
        continue;
      }
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::server, "test-upstream");
      // A hop-by-hop field of the upstream's own, which must not reach the client.
      res.set(http::field::connection, "X-Upstream-Hop");
      res.set("X-Upstream-Hop", "secret");
      res.set("X-Upstream-End", "kept");
      if (req.target() == "/echo") {
        res.body() = req.body();
      } else {
        res.body() = "hello " + std::string(req.target()) + " #" + std::to_string(number);
      }
      res.prepare_payload();
      if (req.method() == http::verb::head) res.body().clear();
      const bool keepAlive = req.keep_alive() && req.target() != "/close";
      res.keep_alive(keepAlive);
      auto [wec, wn] = co_await http::async_write(stream, res, kUseTuple);
      if (wec || !keepAlive) co_return;
    }
  }

  // A chunked event stream whose second event waits for the test.
  template <class S>
  asio::awaitable<bool> sendEvents(S& stream) {
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "text/event-stream");
    res.chunked(true);
    http::response_serializer<http::empty_body> writer{res};
    auto [hec, hn] = co_await http::async_write_header(stream, writer, kUseTuple);
    if (hec) co_return false;
    const std::string one = "data: one\n\n";
    auto [ec1, n1] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(one)), kUseTuple);
    if (ec1) co_return false;
    if (!released_) {
      co_await gate_.async_wait(kUseTuple);
    }
    const std::string two = "data: two\n\n";
    auto [ec2, n2] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(two)), kUseTuple);
    if (ec2) co_return false;
    auto [ec3, n3] = co_await asio::async_write(stream, http::make_chunk_last(), kUseTuple);
    co_return !ec3;
  }

  asio::awaitable<void> gather() {
    if (++gatherWaiting_ >= gatherTarget_.load()) {
      gatherWaiting_ = 0;
      gatherGate_.cancel();  // wakes the others; the gate stays closed for the next round
      co_return;
    }
    co_await gatherGate_.async_wait(kUseTuple);
  }

  int record(const http::request<http::string_body>& req, const std::string& sni) {
    RecordedRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = req.body();
    r.sni = sni;
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(field.value());
    }
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(r));
    return static_cast<int>(requests_.size());
  }

  asio::io_context io_;  // first: destroyed last, after everything bound to it
  std::shared_ptr<asio::ssl::context> tls_;
  Tcp::acceptor acceptor_;
  asio::steady_timer gate_;
  bool released_ = false;  // io_ thread only
  asio::steady_timer gatherGate_;
  std::atomic<int> gatherTarget_{0};
  int gatherWaiting_ = 0;  // io_ thread only
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  int connections_ = 0;
  std::atomic<int> applicationRecords_{0};
  std::thread thread_;
};

}  // namespace warden::proxy::test
