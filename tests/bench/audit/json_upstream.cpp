#include "json_upstream.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <string>

namespace warden::bench {
namespace {

namespace http = boost::beast::http;
namespace asio = proxy::asio;
using proxy::kUseTuple;
using proxy::Tcp;

constexpr std::string_view kCompletion =
    R"({"id":"chatcmpl-bench","object":"chat.completion","created":1714979289,"model":"gpt-4o-mini-2024-07-18",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"The report lists three risks: supplier )"
    R"(delays, currency exposure and a pending audit."},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":58,"completion_tokens":17,"total_tokens":75}})";

}  // namespace

JsonUpstream::JsonUpstream() : acceptor_(io_, Tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
  asio::co_spawn(io_, acceptLoop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

JsonUpstream::~JsonUpstream() {
  io_.stop();
  thread_.join();
}

Endpoint JsonUpstream::endpoint() const {
  return *Endpoint::parseAddress("127.0.0.1", acceptor_.local_endpoint().port());
}

asio::awaitable<void> JsonUpstream::acceptLoop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(kUseTuple);
    if (ec) co_return;
    socket.set_option(Tcp::no_delay(true));
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> JsonUpstream::serve(Tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> request;
    auto [rec, rn] = co_await http::async_read(socket, buffer, request, kUseTuple);
    if (rec) co_return;
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "application/json");
    response.body() = kCompletion;
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    auto [wec, wn] = co_await http::async_write(socket, response, kUseTuple);
    if (wec || !request.keep_alive()) co_return;
  }
}

}  // namespace warden::bench
