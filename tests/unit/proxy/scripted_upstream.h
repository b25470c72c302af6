// A plain-HTTP upstream on 127.0.0.1:0 whose answer the test scripts as raw
// bytes on the wire, cut into pieces. The first piece leaves at once; with
// holdAfterFirstPiece() the rest waits until the test calls release(), so a
// test can see whether the proxy delivered the first piece on its own; with
// holdBeforeEachPiece() each later piece waits for a release() of its own.
// Every request is recorded as it arrived, body bytes exactly as received.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/endpoint.h"
#include "proxy/net_types.h"

namespace warden::proxy::test {

namespace beast = boost::beast;
namespace http = boost::beast::http;

struct ScriptedRequest {
  std::string method;
  std::string target;
  std::string body;  // as received, after the transfer coding (dechunked)
  std::map<std::string, std::string> headers;  // lowercased names
  bool has(const std::string& name) const { return headers.count(name) > 0; }
};

class ScriptedUpstream {
 public:
  ScriptedUpstream() : acceptor_(io_, Tcp::endpoint(asio::ip::address_v4::loopback(), 0)), gate_(io_) {
    gate_.expires_at(asio::steady_timer::time_point::max());
    asio::co_spawn(io_, acceptLoop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedUpstream() {
    io_.stop();
    thread_.join();
  }

  Endpoint endpoint() const { return *Endpoint::parseAddress("127.0.0.1", acceptor_.local_endpoint().port()); }

  // The raw response to every request, in pieces; call before any request.
  void respond(std::vector<std::string> pieces) { pieces_ = std::move(pieces); }
  void holdAfterFirstPiece() { hold_ = true; }
  void holdBeforeEachPiece() {
    hold_ = true;
    each_ = true;
  }
  // Releases are counted over all requests: piece i (from 1) of a request
  // leaves once there were i of them (one, with holdAfterFirstPiece()).
  void release() {
    asio::post(io_, [this] {
      ++releases_;
      gate_.cancel();
    });
  }

  std::vector<ScriptedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  // Connections that ended (the proxy closed them) rather than carrying another request.
  int endedConnections() const {
    std::lock_guard lock(mutex_);
    return ended_;
  }

  // A whole response with a Content-Length.
  static std::string jsonResponse(const std::string& body, const std::string& extraFields = "") {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extraFields +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  static std::string chunk(const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    return size + data + "\r\n";
  }

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
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      auto [ec, n] = co_await http::async_read(socket, buffer, parser, kUseTuple);
      if (ec) {
        std::lock_guard lock(mutex_);
        ++ended_;
        co_return;
      }
      record(parser.get());
      for (size_t i = 0; i < pieces_.size(); ++i) {
        const int needed = i == 0 || !hold_ ? 0 : (each_ ? static_cast<int>(i) : 1);
        while (releases_ < needed) co_await gate_.async_wait(kUseTuple);
        auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(pieces_[i]), kUseTuple);
        if (wec) {
          std::lock_guard lock(mutex_);
          ++ended_;
          co_return;
        }
      }
    }
  }

  void record(const http::request<http::string_body>& req) {
    ScriptedRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = req.body();
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(field.value());
    }
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(r));
  }

  asio::io_context io_;  // first: destroyed last
  Tcp::acceptor acceptor_;
  asio::steady_timer gate_;
  std::vector<std::string> pieces_;  // set before the first request, then read-only
  bool hold_ = false;
  bool each_ = false;
  int releases_ = 0;  // io_ thread only
  mutable std::mutex mutex_;
  std::vector<ScriptedRequest> requests_;
  int connections_ = 0;
  int ended_ = 0;
  std::thread thread_;
};

}  // namespace warden::proxy::test
