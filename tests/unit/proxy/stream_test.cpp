// Stream::hasPendingInput(): the relay sends a header together with the body
// only when the body has already arrived, so it must see input wherever it
// waits: in the socket, or already inside the TLS layer.
#include <openssl/ssl.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <functional>
#include <string>

#include "proxy/stream.h"
#include "proxy_test_support.h"

namespace warden::proxy::test {
namespace {

using namespace asio::experimental::awaitable_operators;

constexpr const char* kHost = "stream.test.local";

asio::awaitable<void> waitUntil(const std::function<bool()>& condition) {
  asio::steady_timer poll(co_await asio::this_coro::executor);
  for (int i = 0; i < 200 && !condition(); ++i) {
    poll.expires_after(5ms);
    co_await poll.async_wait(asio::use_awaitable);
  }
}

TEST(Stream, PendingInputFollowsTheSocket) {
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    Tcp::acceptor acceptor(executor, Tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    Tcp::socket peer(executor);
    co_await peer.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    Stream stream(co_await acceptor.async_accept(asio::use_awaitable));
    EXPECT_FALSE(stream.hasPendingInput());

    co_await asio::async_write(peer, asio::buffer(std::string("hello")), asio::use_awaitable);
    co_await waitUntil([&] { return stream.hasPendingInput(); });
    EXPECT_TRUE(stream.hasPendingInput());

    std::array<char, 5> got{};
    co_await asio::async_read(stream.socket(), asio::buffer(got), asio::use_awaitable);
    EXPECT_FALSE(stream.hasPendingInput());
  }));
}

TEST(Stream, PendingInputSeesWhatTheTlsLayerHolds) {
  TempDir dir;
  auto ca = makeCa(dir);
  ASSERT_NE(ca, nullptr);
  auto serverContext = serverContextFor(*ca, kHost);
  // No session tickets: they would be input of their own after the handshake.
  SSL_CTX_set_num_tickets(serverContext->native_handle(), 0);
  auto clientTls = clientContext(ca->certificate());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    Tcp::acceptor acceptor(executor, Tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    Tcp::socket clientSocket(executor);
    co_await clientSocket.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    TlsStream peer(co_await acceptor.async_accept(asio::use_awaitable), *serverContext);

    Stream stream(TlsStream(std::move(clientSocket), *clientTls));
    SSL_set_tlsext_host_name(stream.tls()->native_handle(), kHost);
    co_await (stream.tls()->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable) &&
              peer.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable));
    asio::steady_timer settle(executor, 20ms);  // anything sent after the handshake arrives
    co_await settle.async_wait(asio::use_awaitable);
    EXPECT_FALSE(stream.hasPendingInput());

    // One record of 11 bytes; reading 5 leaves 6 decrypted inside OpenSSL
    // while the socket itself is empty.
    co_await asio::async_write(peer, asio::buffer(std::string("hello world")), asio::use_awaitable);
    co_await waitUntil([&] { return stream.hasPendingInput(); });
    std::array<char, 5> first{};
    co_await asio::async_read(*stream.tls(), asio::buffer(first), asio::use_awaitable);
    EXPECT_EQ(std::string(first.data(), first.size()), "hello");
    boost::system::error_code ec;
    EXPECT_EQ(stream.socket().available(ec), 0u);
    EXPECT_TRUE(stream.hasPendingInput()) << "bytes held by the TLS layer were not seen";

    std::array<char, 6> rest{};
    co_await asio::async_read(*stream.tls(), asio::buffer(rest), asio::use_awaitable);
    EXPECT_EQ(std::string(rest.data(), rest.size()), " world");
    EXPECT_FALSE(stream.hasPendingInput());
  }));
}

}  // namespace
}  // namespace warden::proxy::test
