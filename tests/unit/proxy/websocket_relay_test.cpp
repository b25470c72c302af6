#include "proxy/websocket_relay.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace warden::proxy {
namespace {

using warden::http::WebSocketMessage;
using warden::http::WebSocketOpcode;
using warden::http::WebSocketReader;

// Refuses any client message containing "evil"; forwards the rest.
class RefusingTap final : public WebSocketTap {
 public:
  TapVerdict clientMessage(const WebSocketMessage& message) override {
    if (message.payload.find("evil") == std::string_view::npos) return {};
    return TapVerdict{TapVerdict::Action::Refuse, {}, "NOTICE", "no evil"};
  }
  void serverMessage(const WebSocketMessage&) override {}
  bool holdsClientMessages() const override { return true; }
};

struct Pair {
  Tcp::socket a;
  Tcp::socket b;
};

Pair connectedPair(asio::io_context& ctx) {
  Tcp::acceptor acceptor(ctx, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Tcp::socket a(ctx);
  a.connect(acceptor.local_endpoint());
  Tcp::socket b = acceptor.accept();
  return {std::move(a), std::move(b)};
}

std::string clientFrame(WebSocketOpcode opcode, std::string_view payload) {
  const uint8_t key[4] = {1, 2, 3, 4};
  std::string out;
  warden::http::appendWebSocketFrame(out, opcode, payload, &key);
  return out;
}

std::string serverFrame(WebSocketOpcode opcode, std::string_view payload) {
  std::string out;
  warden::http::appendWebSocketFrame(out, opcode, payload, nullptr);
  return out;
}

std::string readToEnd(Tcp::socket& socket) {
  std::string out;
  char buf[4096];
  boost::system::error_code ec;
  for (;;) {
    const size_t n = socket.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) return out;
  }
}

struct Seen {
  WebSocketOpcode opcode;
  std::string payload;
};

std::vector<Seen> messagesIn(std::string_view stream, bool fromClient, bool* ok) {
  std::vector<Seen> out;
  WebSocketReader reader(fromClient, size_t{1} << 20);
  *ok = reader.feed(stream, [&](const WebSocketMessage& m) { out.push_back({m.opcode, std::string(m.payload)}); });
  return out;
}

// The client sends a message the tap refuses while the server is halfway
// through a frame: the frame still reaches the client whole, then the
// notice and a Close 1008; the upstream never sees the refused message.
TEST(WebSocketRelayTest, ARefusalWaitsForTheServerFrameInFlightAndNeverForwardsTheMessage) {
  asio::io_context ctx;
  Pair client = connectedPair(ctx);    // a: the application, b: warden's client side
  Pair upstream = connectedPair(ctx);  // a: warden's upstream side, b: the server
  Stream clientSide(std::move(client.b));
  Stream upstreamSide(std::move(upstream.a));
  beast::flat_buffer clientBuffered, upstreamBuffered;
  RefusingTap tap;
  Watchdog idle(ctx.get_executor(), std::chrono::seconds(10), [] {});
  std::optional<WebSocketOutcome> outcome;
  asio::co_spawn(
      ctx,
      [&]() -> asio::awaitable<void> {
        outcome = co_await relayWebSocket(clientSide, clientBuffered, upstreamSide, upstreamBuffered, idle, &tap);
        ctx.stop();  // the idle watchdog's timer would keep the loop for its period
      },
      asio::detached);
  std::thread loop([&] { ctx.run(); });

  const std::string big(3000, 'x');
  const std::string bigFrame = serverFrame(WebSocketOpcode::Text, big);
  asio::write(upstream.b, asio::buffer(bigFrame.substr(0, 1000)));
  asio::write(client.a, asio::buffer(clientFrame(WebSocketOpcode::Text, "hello")));
  const std::string hello = clientFrame(WebSocketOpcode::Text, "hello");
  std::string forwarded(hello.size(), '\0');
  asio::read(upstream.b, asio::buffer(forwarded));
  asio::write(client.a, asio::buffer(clientFrame(WebSocketOpcode::Text, "an evil plan")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  asio::write(upstream.b, asio::buffer(bigFrame.substr(1000)));

  const std::string toClient = readToEnd(client.a);
  const std::string restToUpstream = readToEnd(upstream.b);
  loop.join();

  bool ok = false;
  const auto atUpstream = messagesIn(forwarded + restToUpstream, true, &ok);
  EXPECT_TRUE(ok);
  ASSERT_EQ(atUpstream.size(), 1u);
  EXPECT_EQ(atUpstream[0].payload, "hello");

  const auto atClient = messagesIn(toClient, false, &ok);
  EXPECT_TRUE(ok) << "the client's stream broke the protocol";
  ASSERT_EQ(atClient.size(), 3u);
  EXPECT_EQ(atClient[0].payload, big);
  EXPECT_EQ(atClient[1].opcode, WebSocketOpcode::Text);
  EXPECT_EQ(atClient[1].payload, "NOTICE");
  EXPECT_EQ(atClient[2].opcode, WebSocketOpcode::Close);
  EXPECT_EQ(atClient[2].payload, warden::http::webSocketClosePayload(1008, "no evil"));
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->refused, "no evil");
}

// Without a holding tap, bytes are relayed as they come, untouched.
TEST(WebSocketRelayTest, WithoutAJudgeBytesPassUntouchedBothWays) {
  asio::io_context ctx;
  Pair client = connectedPair(ctx);
  Pair upstream = connectedPair(ctx);
  Stream clientSide(std::move(client.b));
  Stream upstreamSide(std::move(upstream.a));
  beast::flat_buffer clientBuffered, upstreamBuffered;
  Watchdog idle(ctx.get_executor(), std::chrono::seconds(10), [] {});
  std::optional<WebSocketOutcome> outcome;
  asio::co_spawn(
      ctx,
      [&]() -> asio::awaitable<void> {
        outcome =
            co_await relayWebSocket(clientSide, clientBuffered, upstreamSide, upstreamBuffered, idle, nullptr);
        ctx.stop();
      },
      asio::detached);
  std::thread loop([&] { ctx.run(); });
  const std::string evil = clientFrame(WebSocketOpcode::Text, "an evil plan");
  asio::write(client.a, asio::buffer(evil));
  std::string atUpstream(evil.size(), '\0');
  asio::read(upstream.b, asio::buffer(atUpstream));
  EXPECT_EQ(atUpstream, evil);
  const std::string reply = serverFrame(WebSocketOpcode::Text, "ok");
  asio::write(upstream.b, asio::buffer(reply));
  std::string atClient(reply.size(), '\0');
  asio::read(client.a, asio::buffer(atClient));
  EXPECT_EQ(atClient, reply);
  upstream.b.close();
  loop.join();
  ASSERT_TRUE(outcome);
  EXPECT_TRUE(outcome->refused.empty());
}

}  // namespace
}  // namespace warden::proxy
