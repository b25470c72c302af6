// The HTTP relay for plain-HTTP targets, end to end over loopback: a client,
// the proxy (no BPF: a fake origin table) and a scripted upstream.
#include <nlohmann/json.hpp>

#include <boost/asio/steady_timer.hpp>

#include <fstream>
#include <map>

#include "../audit/spool_test_support.h"
#include "layers/audit/event_log.h"
#include "proxy/proxy.h"
#include "proxy_test_support.h"
#include "scripted_upstream.h"
#include "test_upstream.h"

namespace warden::proxy::test {
namespace {

class PlainProxyTest : public ::testing::Test {
 protected:
  void startProxy(ProxyOptions options = testOptions(), audit::EventLog* events = nullptr) {
    ca_ = makeCa(dir_);
    ASSERT_NE(ca_, nullptr);
    auto started = Proxy::start(options, origins_.lookup(), ca_, events, {"api.test.local"});
    ASSERT_TRUE(started.ok()) << started.error().message;
    proxy_ = std::move(started.value());
    ASSERT_NE(proxy_->listenPort(), 0);
  }

  asio::awaitable<Tcp::socket> dialPlain(const Endpoint& dst) {
    const std::optional<ConnectionOrigin> origin = originTo(dst, true);
    auto socket = co_await dialProxy(proxy_->listenPort(), &origins_, origin);
    co_return socket;
  }

  TempDir dir_;
  FakeOrigins origins_;
  std::shared_ptr<CertAuthority> ca_;
  TestUpstream upstream_;
  std::unique_ptr<Proxy> proxy_;
};

// Finds `key` == `value` anywhere in a JSON document, so the test does not
// depend on where the event schema nests a field.
bool hasValue(const nlohmann::json& json, const std::string& key, const nlohmann::json& value) {
  if (json.is_object()) {
    for (const auto& [k, v] : json.items()) {
      if (k == key && v == value) return true;
      if (hasValue(v, key, value)) return true;
    }
  } else if (json.is_array()) {
    for (const auto& v : json) {
      if (hasValue(v, key, value)) return true;
    }
  }
  return false;
}

TEST_F(PlainProxyTest, RelaysTwoRequestsOnOneKeepAliveConnectionAndLogsEach) {
  TempDir logDir;
  auto events = audit::EventLog::open(audit::testing::spoolIn(logDir.path()));
  ASSERT_TRUE(events.ok()) << events.error().message;
  startProxy(testOptions(), events.value().get());

  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    beast::flat_buffer buffer;
    auto first = makeRequest(http::verb::get, "/v1/models", "models.test.local");
    first.set(http::field::connection, "keep-alive, X-Client-Hop");
    first.set("X-Client-Hop", "secret");
    first.set(http::field::keep_alive, "timeout=5");
    first.set("X-Client-End", "kept");
    auto r1 = co_await roundTrip(socket, buffer, first);
    EXPECT_EQ(r1.result_int(), 200);
    EXPECT_EQ(r1.body(), "hello /v1/models #1");
    EXPECT_TRUE(r1.keep_alive());
    EXPECT_EQ(r1["X-Upstream-End"], "kept");
    EXPECT_EQ(r1.count("X-Upstream-Hop"), 0u) << "hop-by-hop field of the upstream leaked to the client";

    auto r2 = co_await roundTrip(socket, buffer,
                                 makeRequest(http::verb::post, "/echo", "models.test.local", R"({"model":"m"})"));
    EXPECT_EQ(r2.result_int(), 200);
    EXPECT_EQ(r2.body(), R"({"model":"m"})");
  }));

  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].target, "/v1/models");
  EXPECT_EQ(seen[0].headers.at("host"), "models.test.local");
  EXPECT_EQ(seen[0].headers.at("x-client-end"), "kept");
  EXPECT_FALSE(seen[0].has("x-client-hop"));
  EXPECT_FALSE(seen[0].has("keep-alive"));
  EXPECT_FALSE(seen[0].has("connection"));
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].body, R"({"model":"m"})");
  EXPECT_EQ(upstream_.connections(), 1) << "the upstream connection should be reused from the pool";

  ASSERT_TRUE(eventually([&] { return proxy_->counters().requests == 2; }));
  const auto counters = proxy_->counters();
  EXPECT_EQ(counters.connections, 1u);
  EXPECT_EQ(counters.plainHttp, 1u);
  EXPECT_EQ(counters.errors, 0u);

  proxy_->stop();
  const std::string path = audit::segmentPath(events.value()->dir(), 1);
  events.value().reset();  // drains the queue
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(hasValue(lines[0], "mode", "plain"));
  EXPECT_TRUE(hasValue(lines[0], "method", "GET"));
  EXPECT_TRUE(hasValue(lines[0], "path", "/v1/models"));
  EXPECT_TRUE(hasValue(lines[0], "status", 200));
  EXPECT_TRUE(hasValue(lines[0], "decision", "allow"));
  EXPECT_TRUE(hasValue(lines[0], "comm", "testclient"));
  EXPECT_TRUE(hasValue(lines[1], "method", "POST"));
}

// An agent killed right after a response went out must still have its
// event: it is in the spool (written, if not yet synced) before the
// response's last byte leaves, so the client never sees it missing.
TEST_F(PlainProxyTest, EachEventIsInTheSpoolBeforeItsClientHasTheWholeResponse) {
  TempDir logDir;
  auto events = audit::EventLog::open(audit::testing::spoolIn(logDir.path()));
  ASSERT_TRUE(events.ok()) << events.error().message;
  startProxy(testOptions(), events.value().get());
  const auto spooled = [&](const std::string& path) {
    for (const auto& line : audit::testing::spoolLines(logDir.path())) {
      const auto json = nlohmann::json::parse(line, nullptr, false);
      if (!json.is_discarded() && hasValue(json, "path", path)) return true;
    }
    return false;
  };

  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    beast::flat_buffer buffer;
    for (int i = 0; i < 20; ++i) {
      const std::string path = "/v1/models?n=" + std::to_string(i);
      auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::get, path, "x"));
      EXPECT_EQ(response.result_int(), 200);
      EXPECT_TRUE(spooled(path)) << path << ": answered, yet not in the spool";
    }
    auto head = co_await roundTrip(socket, buffer, makeRequest(http::verb::head, "/head", "x"));
    EXPECT_EQ(head.result_int(), 200);
    EXPECT_TRUE(spooled("/head")) << "a response without a body";
  }));
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    // A WebSocket upgrade the upstream answers with an ordinary response.
    auto socket = co_await dialPlain(upstream_.endpoint());
    beast::flat_buffer buffer;
    auto upgrade = makeWebSocketUpgrade("/ws", "x");
    auto response = co_await roundTrip(socket, buffer, std::move(upgrade));
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_TRUE(spooled("/ws")) << "an upgrade answered without 101";
  }));
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(closedPort());
    beast::flat_buffer buffer;
    auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::post, "/down", "x", "{}"));
    EXPECT_EQ(response.result_int(), 502);
    EXPECT_TRUE(spooled("/down")) << "warden's own answer";
  }));
  proxy_.reset();  // before the log it writes to
}

// A WebSocket session may last hours: it is on record before the client has
// its 101 (an agent killed during the session still has its opening), and
// the session's own event, written when it ends, names that opening.
TEST_F(PlainProxyTest, AWebSocketSessionIsOnRecordBeforeTheClientHasThe101) {
  TempDir logDir;
  auto events = audit::EventLog::open(audit::testing::spoolIn(logDir.path()));
  ASSERT_TRUE(events.ok()) << events.error().message;
  startProxy(testOptions(), events.value().get());
  ScriptedUpstream upstream;
  upstream.respond({"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"});
  const auto spooledOfType = [&](const std::string& type) {
    std::vector<nlohmann::json> found;
    for (const auto& line : audit::testing::spoolLines(logDir.path())) {
      const auto json = nlohmann::json::parse(line, nullptr, false);
      if (!json.is_discarded() && json.value("type", "") == type) found.push_back(json);
    }
    return found;
  };
  std::vector<nlohmann::json> openedAt101;
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream.endpoint());
    auto upgrade = makeWebSocketUpgrade("/ws", "x");
    upgrade.prepare_payload();
    co_await http::async_write(socket, upgrade, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    co_await http::async_read_header(socket, buffer, parser, asio::use_awaitable);
    EXPECT_EQ(parser.get().result_int(), 101);
    openedAt101 = spooledOfType("websocket_open");
    EXPECT_TRUE(spooledOfType("websocket").empty()) << "the session has not ended";
    socket.close();
  }));
  ASSERT_TRUE(eventually([&] { return proxy_->counters().requests == 1; }));
  proxy_.reset();
  events.value().reset();

  ASSERT_EQ(openedAt101.size(), 1u);
  const auto& opened = openedAt101[0];
  EXPECT_TRUE(hasValue(opened, "path", "/ws"));
  EXPECT_TRUE(hasValue(opened, "status", 101));
  EXPECT_TRUE(hasValue(opened, "decision", "allow"));
  const auto ended = spooledOfType("websocket");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0]["websocket"]["open_event"], opened["id"]);
  EXPECT_NE(ended[0]["id"], opened["id"]);
  EXPECT_EQ(spooledOfType("websocket_open").size(), 1u) << "opened once";
}

// A refusal is recorded once, whether the session answers it after the
// upstream failed (and then finishes the exchange), or the client is gone
// by the time the refusal is written.
TEST_F(PlainProxyTest, EachRefusalIsRecordedOnce) {
  TempDir logDir;
  auto events = audit::EventLog::open(audit::testing::spoolIn(logDir.path()));
  ASSERT_TRUE(events.ok()) << events.error().message;
  startProxy(testOptions(), events.value().get());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(closedPort());
    beast::flat_buffer buffer;
    auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::post, "/down", "x", "{}"));
    EXPECT_EQ(response.result_int(), 502);
  }));
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    const std::string smuggle =
        "POST /gone HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(smuggle), asio::use_awaitable);
    socket.close();  // without reading the answer
  }));
  ASSERT_TRUE(eventually([&] { return proxy_->counters().requests == 2; }));
  proxy_.reset();
  events.value().reset();
  std::map<std::string, int> recorded;
  for (const auto& line : audit::testing::spoolLines(logDir.path())) {
    const auto json = nlohmann::json::parse(line);
    for (const char* path : {"/down", "/gone"}) recorded[path] += hasValue(json, "path", path) ? 1 : 0;
  }
  EXPECT_EQ(recorded["/down"], 1);
  EXPECT_EQ(recorded["/gone"], 1);
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(PlainProxyTest, StreamsServerSentEventsPieceByPiece) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    auto request = makeRequest(http::verb::get, "/sse", "models.test.local");
    request.prepare_payload();
    co_await http::async_write(socket, request, asio::use_awaitable);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    co_await http::async_read_header(socket, buffer, parser, asio::use_awaitable);
    EXPECT_EQ(parser.get().result_int(), 200);
    EXPECT_TRUE(parser.get().chunked()) << "chunked must stay chunked toward the client";
    EXPECT_EQ(parser.get()[http::field::content_type], "text/event-stream");

    // The upstream holds the second event back until we saw the first one:
    // a proxy that buffers the body would never deliver it.
    while (parser.get().body().find("data: one\n\n") == std::string::npos && !parser.is_done()) {
      co_await http::async_read_some(socket, buffer, parser, asio::use_awaitable);
    }
    EXPECT_EQ(parser.get().body(), "data: one\n\n");
    EXPECT_FALSE(parser.is_done());
    upstream_.releaseSecondEvent();

    co_await http::async_read(socket, buffer, parser, asio::use_awaitable);
    EXPECT_EQ(parser.get().body(), "data: one\n\ndata: two\n\n");
  }));
}

TEST_F(PlainProxyTest, AnswersBadGatewayWhenTheUpstreamIsDown) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(closedPort());
    beast::flat_buffer buffer;
    auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::post, "/v1/chat", "x", "{}"));
    EXPECT_EQ(response.result_int(), 502);
    EXPECT_EQ(response[http::field::content_type], "application/json");
    EXPECT_FALSE(response.keep_alive());
    const auto body = nlohmann::json::parse(response.body());
    // The OpenAI error shape: the host is no known provider's.
    EXPECT_EQ(body["error"]["type"], "server_error");
    EXPECT_EQ(body["error"]["code"], "warden_upstream_failure");
    EXPECT_EQ(body["error"]["message"].get<std::string>().rfind("Request could not be completed by warden", 0), 0u)
        << body["error"]["message"];
  }));
  EXPECT_TRUE(eventually([&] { return proxy_->counters().errors == 1; }));
}

TEST_F(PlainProxyTest, RejectsAmbiguousFramingWithBadRequestAndForwardsNothing) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    const std::string smuggle =
        "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(smuggle), asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(socket, buffer, response, asio::use_awaitable);
    EXPECT_EQ(response.result_int(), 400);
    EXPECT_NE(response.body().find("warden_bad_request"), std::string::npos);
    // ...and the connection ends there.
    char byte;
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1), kUseTuple);
    EXPECT_EQ(ec, asio::error::eof);
  }));
  EXPECT_TRUE(upstream_.requests().empty());
  EXPECT_EQ(upstream_.connections(), 0);
}

TEST_F(PlainProxyTest, RelaysExpectContinueAndTheInterimResponse) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    const std::string body = "a body sent only after 100 Continue";
    auto request = makeRequest(http::verb::post, "/echo", "x", body);
    request.set(http::field::expect, "100-continue");
    request.prepare_payload();
    http::request_serializer<http::string_body> writer{request};
    co_await http::async_write_header(socket, writer, asio::use_awaitable);

    beast::flat_buffer buffer;
    http::response<http::empty_body> interim;
    co_await http::async_read(socket, buffer, interim, asio::use_awaitable);
    EXPECT_EQ(interim.result_int(), 100);

    co_await http::async_write(socket, writer, asio::use_awaitable);
    http::response<http::string_body> response;
    co_await http::async_read(socket, buffer, response, asio::use_awaitable);
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), body);
  }));
}

TEST_F(PlainProxyTest, HeadResponseHasNoBodyAndKeepsTheConnectionUsable) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    beast::flat_buffer buffer;
    auto head = co_await roundTrip(socket, buffer, makeRequest(http::verb::head, "/v1/models", "x"));
    EXPECT_EQ(head.result_int(), 200);
    EXPECT_EQ(head[http::field::content_length], std::to_string(std::string("hello /v1/models #1").size()));
    auto next = co_await roundTrip(socket, buffer, makeRequest(http::verb::get, "/next", "x"));
    EXPECT_EQ(next.body(), "hello /next #2");
  }));
}

TEST_F(PlainProxyTest, StreamsAChunkedRequestBody) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    const std::string upload =
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(upload), asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(socket, buffer, response, asio::use_awaitable);
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), "hello world");
  }));
  ASSERT_EQ(upstream_.requests().size(), 1u);
  EXPECT_EQ(upstream_.requests()[0].headers.at("transfer-encoding"), "chunked");
}

TEST_F(PlainProxyTest, ServesManyConcurrentKeepAliveClients) {
  auto options = testOptions();
  options.workers = 2;
  // With the event log: responses wait on it together.
  TempDir logDir;
  auto events = audit::EventLog::open(audit::testing::spoolIn(logDir.path()));
  ASSERT_TRUE(events.ok()) << events.error().message;
  startProxy(options, events.value().get());
  constexpr int kClients = 24;
  constexpr int kRequestsEach = 3;
  int succeeded = 0;
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto oneClient = [&](int id) -> asio::awaitable<void> {
      auto socket = co_await dialPlain(upstream_.endpoint());
      beast::flat_buffer buffer;
      for (int i = 0; i < kRequestsEach; ++i) {
        const std::string body = "client " + std::to_string(id) + " request " + std::to_string(i);
        auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::post, "/echo", "x", body));
        if (response.body() == body) ++succeeded;
      }
    };
    asio::steady_timer allDone(executor, asio::steady_timer::time_point::max());
    int finished = 0;
    for (int id = 0; id < kClients; ++id) {
      asio::co_spawn(executor, oneClient(id), [&](std::exception_ptr) {
        if (++finished == kClients) allDone.cancel();
      });
    }
    co_await allDone.async_wait(kUseTuple);
  }, 10000ms));
  EXPECT_EQ(succeeded, kClients * kRequestsEach);
  EXPECT_TRUE(eventually([&] { return proxy_->counters().requests == kClients * kRequestsEach; }));
  EXPECT_LE(upstream_.connections(), kClients) << "upstream connections are pooled per worker";
  proxy_.reset();  // before the log it writes to
}

// A burst of more concurrent requests than the old pool size (16) opens as
// many upstream connections; when they come back the pool keeps them, so
// the next burst opens none.
TEST_F(PlainProxyTest, KeepsABurstsUpstreamConnectionsForTheNextBurst) {
  startProxy();  // one worker, the default pool size
  constexpr int kClients = 40;
  upstream_.gatherRequests(kClients);
  int afterFirst = 0;
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    std::vector<Tcp::socket> sockets;
    for (int id = 0; id < kClients; ++id) sockets.push_back(co_await dialPlain(upstream_.endpoint()));
    auto burst = [&](int round) -> asio::awaitable<void> {
      // The upstream answers only when all of them wait together, so each
      // needs an upstream connection of its own.
      for (auto& socket : sockets) {
        auto request = makeRequest(http::verb::get, "/gather", "x");
        request.prepare_payload();
        co_await http::async_write(socket, request, asio::use_awaitable);
      }
      for (auto& socket : sockets) {
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        co_await http::async_read(socket, buffer, response, asio::use_awaitable);
        EXPECT_EQ(response.result_int(), 200);
      }
      // Each exchange hands its connection back before it counts the request.
      asio::steady_timer poll(executor);
      for (int i = 0; i < 200 && proxy_->counters().requests < static_cast<uint64_t>(round * kClients); ++i) {
        poll.expires_after(10ms);
        co_await poll.async_wait(asio::use_awaitable);
      }
      EXPECT_EQ(proxy_->counters().requests, static_cast<uint64_t>(round * kClients));
    };
    co_await burst(1);
    afterFirst = upstream_.connections();
    co_await burst(2);
  }, 10000ms));
  EXPECT_EQ(afterFirst, kClients);
  EXPECT_EQ(upstream_.connections(), afterFirst) << "connections of the first burst were closed instead of pooled";
}

TEST_F(PlainProxyTest, AnswersPipelinedRequestsInOrder) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    // Two requests in one write: the second one waits in warden's buffer
    // while the first is relayed.
    const std::string both =
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
        "GET /second HTTP/1.1\r\nHost: x\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(both), asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> first;
    co_await http::async_read(socket, buffer, first, asio::use_awaitable);
    EXPECT_EQ(first.body(), "first");
    http::response<http::string_body> second;
    co_await http::async_read(socket, buffer, second, asio::use_awaitable);
    EXPECT_EQ(second.body(), "hello /second #2");
  }));
  EXPECT_EQ(upstream_.connections(), 1);
}

TEST_F(PlainProxyTest, RelaysABodyThatEndsWhereTheUpstreamConnectionEnds) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialPlain(upstream_.endpoint());
    beast::flat_buffer buffer;
    auto request = makeRequest(http::verb::get, "/until-close", "x");
    request.prepare_payload();
    co_await http::async_write(socket, request, asio::use_awaitable);
    http::response<http::string_body> response;
    auto [ec, n] = co_await http::async_read(socket, buffer, response, kUseTuple);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), kUntilCloseBody);
  }));
  ASSERT_TRUE(eventually([&] { return proxy_->counters().requests == 1; }));
  EXPECT_EQ(proxy_->counters().errors, 0u);
}

TEST_F(PlainProxyTest, ClosesConnectionsWithoutAKernelRecord) {
  startProxy();
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialProxy(proxy_->listenPort(), nullptr, std::nullopt);
    char byte;
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1), kUseTuple);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  }));
  // The ClientHello deadline closes the socket before the worker counts the
  // connection: the client can see the close first (it did under ASan).
  EXPECT_TRUE(eventually([&] { return proxy_->counters().noOrigin == 1; }))
      << "noOrigin " << proxy_->counters().noOrigin;
  EXPECT_EQ(upstream_.connections(), 0);
}

TEST_F(PlainProxyTest, SeveralWorkersShareOnePort) {
  auto options = testOptions();
  options.workers = 3;
  startProxy(options);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
      auto socket = co_await dialPlain(upstream_.endpoint());
      beast::flat_buffer buffer;
      auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::get, "/w", "x"));
      EXPECT_EQ(response.result_int(), 200);
    }));
  }
  EXPECT_TRUE(eventually([&] { return proxy_->counters().requests == 6; }));
}

}  // namespace
}  // namespace warden::proxy::test
