#include "cli/metrics_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace warden::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Tcp = asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// A page of a few thousand series is a few hundred KiB.
constexpr uint64_t kMaxPageBytes = 64ull << 20;

std::string urlOf(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port) + "/metrics"; }

std::string durationText(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 == 0) return std::to_string(timeout.count() / 1000) + " s";
  return std::to_string(timeout.count()) + " ms";
}

Error networkError(uint16_t port, const std::string& what, const boost::system::error_code& ec,
                   std::chrono::milliseconds timeout) {
  const std::string url = urlOf(port);
  if (ec == beast::error::timeout) {
    return Error{"wardend's metrics endpoint " + url + " did not answer within " + durationText(timeout) +
                 " (is it stuck? check its log)"};
  }
  if (ec == asio::error::connection_refused) {
    return Error{"nothing answers at " + url + ": is wardend running, with metrics enabled on port " +
                 std::to_string(port) + "? (its log says where it serves metrics)"};
  }
  return Error{what + " " + url + ": " + ec.message()};
}

asio::awaitable<void> fetch(uint16_t port, std::chrono::milliseconds timeout, std::optional<Result<std::string>>& out) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  // One deadline for the whole exchange.
  stream.expires_after(timeout);
  auto [connectError] = co_await stream.async_connect(Tcp::endpoint(asio::ip::address_v4::loopback(), port), kUseTuple);
  if (connectError) {
    out = networkError(port, "connect to", connectError, timeout);
    co_return;
  }
  http::request<http::empty_body> request(http::verb::get, "/metrics", 11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.set(http::field::user_agent, "wardenctl/" WARDEN_VERSION);
  request.set(http::field::accept, "text/plain");
  request.keep_alive(false);
  auto [writeError, written] = co_await http::async_write(stream, request, kUseTuple);
  if (writeError) {
    out = networkError(port, "send the request to", writeError, timeout);
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxPageBytes);
  auto [readError, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  if (readError) {
    out = networkError(port, "read the answer from", readError, timeout);
    co_return;
  }
  auto& response = parser.get();
  if (response.result() != http::status::ok) {
    out = Error{urlOf(port) + " answered " + std::to_string(response.result_int()) + " " +
                std::string(response.reason()) + " (is another program on port " + std::to_string(port) +
                " instead of wardend?)"};
    co_return;
  }
  out = std::move(response.body());
}

}  // namespace

Result<std::string> fetchMetrics(uint16_t port, std::chrono::milliseconds timeout) {
  asio::io_context io;
  std::optional<Result<std::string>> result;
  asio::co_spawn(io, fetch(port, timeout, result), asio::detached);
  io.run();
  if (!result) return Error{"reading " + urlOf(port) + " failed unexpectedly"};
  return std::move(*result);
}

}  // namespace warden::cli
