// The metrics endpoint over real loopback sockets.
#include "metrics/metrics_server.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "text_format_reader.h"

namespace warden::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Tcp = asio::ip::tcp;
using Response = http::response<http::string_body>;
using namespace std::chrono_literals;

// Runs a client coroutine on its own loop; fails the test if it does not finish.
void runClient(std::function<asio::awaitable<void>()> body) {
  asio::io_context io;
  bool done = false;
  std::exception_ptr failure;
  asio::co_spawn(io, body(), [&](std::exception_ptr e) {
    done = true;
    failure = e;
  });
  io.run_for(5s);
  if (failure) std::rethrow_exception(failure);
  EXPECT_TRUE(done) << "the exchange did not finish in time";
}

asio::awaitable<Tcp::socket> dial(const asio::ip::address& address, uint16_t port) {
  Tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(Tcp::endpoint(address, port), asio::use_awaitable);
  co_return socket;
}

asio::awaitable<Response> exchange(Tcp::socket& socket, beast::flat_buffer& buffer, http::verb method,
                                   const std::string& target) {
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.prepare_payload();
  co_await http::async_write(socket, request, asio::use_awaitable);
  Response response;
  co_await http::async_read(socket, buffer, response, asio::use_awaitable);
  co_return response;
}

// True when the server closed the connection (read returns EOF or reset).
asio::awaitable<bool> closedByPeer(Tcp::socket& socket, beast::flat_buffer& buffer) {
  char byte;
  if (buffer.size() > 0) co_return false;
  auto [ec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
  co_return ec == asio::error::eof || ec == asio::error::connection_reset;
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto counter = registry_.addCounter({"test_scrapes_total", "Counted by the test", {"kind"}});
    ASSERT_TRUE(counter) << counter.error().message;
    counter_ = *counter;
    counter_->add({"seen"}, 3);
    auto server = MetricsServer::start(registry_, 0);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    ASSERT_NE(server_->port(), 0);
  }

  Registry registry_;
  CounterFamily* counter_ = nullptr;
  std::unique_ptr<MetricsServer> server_;
};

TEST_F(MetricsServerTest, AnswersGetMetricsWithTheTextFormatOnBothLoopbackAddresses) {
  std::vector<asio::ip::address> addresses = {asio::ip::address_v4::loopback()};
  if (server_->listensOnIpv6()) addresses.push_back(asio::ip::address_v6::loopback());
  for (const auto& address : addresses) {
    runClient([&]() -> asio::awaitable<void> {
      auto socket = co_await dial(address, server_->port());
      beast::flat_buffer buffer;
      auto response = co_await exchange(socket, buffer, http::verb::get, "/metrics");
      EXPECT_EQ(response.result(), http::status::ok) << address.to_string();
      EXPECT_EQ(response[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
      const auto page = test::parsePage(response.body());
      EXPECT_EQ(page.error, "");
      EXPECT_EQ(page.value("test_scrapes_total", {{"kind", "seen"}}), 3.0);
    });
  }
}

TEST_F(MetricsServerTest, KeepsTheConnectionForTheNextScrapeAndShowsNewValues) {
  runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dial(asio::ip::address_v4::loopback(), server_->port());
    beast::flat_buffer buffer;
    auto first = co_await exchange(socket, buffer, http::verb::get, "/metrics");
    EXPECT_EQ(test::parsePage(first.body()).value("test_scrapes_total", {{"kind", "seen"}}), 3.0);
    EXPECT_TRUE(first.keep_alive());
    counter_->add({"seen"});
    auto second = co_await exchange(socket, buffer, http::verb::get, "/metrics?name[]=x");
    EXPECT_EQ(second.result(), http::status::ok);
    EXPECT_EQ(test::parsePage(second.body()).value("test_scrapes_total", {{"kind", "seen"}}), 4.0);
  });
}

TEST_F(MetricsServerTest, OtherPathsAreNotFoundAndOtherMethodsNotAllowed) {
  runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dial(asio::ip::address_v4::loopback(), server_->port());
    beast::flat_buffer buffer;
    auto other = co_await exchange(socket, buffer, http::verb::get, "/");
    EXPECT_EQ(other.result(), http::status::not_found);
    auto prefixed = co_await exchange(socket, buffer, http::verb::get, "/metrics/extra");
    EXPECT_EQ(prefixed.result(), http::status::not_found);
    auto post = co_await exchange(socket, buffer, http::verb::post, "/metrics");
    EXPECT_EQ(post.result(), http::status::method_not_allowed);
    EXPECT_EQ(post[http::field::allow], "GET");
    EXPECT_EQ(post.body().find("test_scrapes_total"), std::string::npos);
    auto deleted = co_await exchange(socket, buffer, http::verb::delete_, "/metrics");
    EXPECT_EQ(deleted.result(), http::status::method_not_allowed);
    // The connection still serves a good request after the refusals.
    auto good = co_await exchange(socket, buffer, http::verb::get, "/metrics");
    EXPECT_EQ(good.result(), http::status::ok);
  });
}

TEST_F(MetricsServerTest, AnOversizedRequestIsRefusedAndTheConnectionClosed) {
  runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dial(asio::ip::address_v4::loopback(), server_->port());
    const std::string request =
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(16 * 1024, 'a') + "\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    beast::flat_buffer buffer;
    Response response;
    co_await http::async_read(socket, buffer, response, asio::use_awaitable);
    EXPECT_EQ(response.result(), http::status::request_header_fields_too_large);
    EXPECT_TRUE(co_await closedByPeer(socket, buffer));
  });
  runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dial(asio::ip::address_v4::loopback(), server_->port());
    const std::string request = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    beast::flat_buffer buffer;
    Response response;
    co_await http::async_read(socket, buffer, response, asio::use_awaitable);
    EXPECT_EQ(response.result(), http::status::payload_too_large);
  });
  runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dial(asio::ip::address_v4::loopback(), server_->port());
    const std::string request = "NOT HTTP AT ALL\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    beast::flat_buffer buffer;
    Response response;
    co_await http::async_read(socket, buffer, response, asio::use_awaitable);
    EXPECT_EQ(response.result(), http::status::bad_request);
  });
}

TEST_F(MetricsServerTest, ASecondServerOnTheSamePortFailsAndSaysWhere) {
  auto second = MetricsServer::start(registry_, server_->port());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos)
      << second.error().message;
}

TEST_F(MetricsServerTest, StopClosesTheListenersAndIsIdempotent) {
  const uint16_t port = server_->port();
  server_->stop();
  server_->stop();
  asio::io_context io;
  Tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(Tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

TEST_F(MetricsServerTest, StopsWithAClientStillConnected) {
  asio::io_context io;
  Tcp::socket socket(io);
  socket.connect(Tcp::endpoint(asio::ip::address_v4::loopback(), server_->port()));
  std::this_thread::sleep_for(50ms);  // accepted and waiting for a request
  server_->stop();
  char byte;
  std::optional<boost::system::error_code> result;
  socket.async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, size_t) { result = ec; });
  io.run_for(5s);
  ASSERT_TRUE(result) << "the connection was not closed";
  EXPECT_TRUE(*result == asio::error::eof || *result == asio::error::connection_reset) << result->message();
}

}  // namespace
}  // namespace warden::metrics
