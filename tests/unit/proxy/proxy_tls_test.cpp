// TLS paths of the proxy over loopback: interception with warden's CA toward
// a verified upstream (signed by a second test CA), the blind tunnel for
// other names, and clients that refuse warden's certificate.
#include <nlohmann/json.hpp>
#include <openssl/x509.h>

#include <atomic>
#include <string>

#include "proxy/proxy.h"
#include "proxy_test_support.h"
#include "test_upstream.h"

namespace warden::proxy::test {
namespace {

constexpr const char* kLlmHost = "api.test.local";

class TlsProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wardenCa_ = makeCa(wardenDir_);
    upstreamCa_ = makeCa(upstreamDir_);
    ASSERT_TRUE(wardenCa_ && upstreamCa_);
    upstream_ = std::make_unique<TestUpstream>(serverContextFor(*upstreamCa_, kLlmHost));
    upstreamCaFile_ = writeFile(upstreamDir_.path() + "/upstream-ca.pem", upstreamCa_->certificatePem());
  }

  void startProxy(ProxyOptions options = testOptions()) {
    options.upstreamExtraCaFile = upstreamCaFile_;
    auto started = Proxy::start(options, origins_.lookup(), wardenCa_, nullptr, {kLlmHost});
    ASSERT_TRUE(started.ok()) << started.error().message;
    proxy_ = std::move(started.value());
  }

  asio::awaitable<Tcp::socket> dialTls(const Endpoint& dst) {
    const std::optional<ConnectionOrigin> origin = originTo(dst, false);
    auto socket = co_await dialProxy(proxy_->listenPort(), &origins_, origin);
    co_return socket;
  }

  TempDir wardenDir_;
  TempDir upstreamDir_;
  std::shared_ptr<CertAuthority> wardenCa_;
  std::shared_ptr<CertAuthority> upstreamCa_;
  std::string upstreamCaFile_;
  FakeOrigins origins_;
  std::unique_ptr<TestUpstream> upstream_;
  std::unique_ptr<Proxy> proxy_;
};

TEST_F(TlsProxyTest, InterceptsAnLlmHostAndForwardsOverVerifiedTls) {
  startProxy();
  auto client = clientContext(wardenCa_->certificate());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(upstream_->endpoint());
    TlsStream stream(std::move(socket), *client);
    co_await tlsHandshake(stream, kLlmHost, true);
    // The client talks to warden: the leaf is issued by warden's CA.
    X509* peer = SSL_get0_peer_certificate(stream.native_handle());
    EXPECT_NE(peer, nullptr);
    if (peer != nullptr) {
      EXPECT_EQ(X509_check_issued(wardenCa_->certificate(), peer), X509_V_OK);
    }

    beast::flat_buffer buffer;
    const std::string prompt = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
    auto r1 = co_await roundTrip(stream, buffer, makeRequest(http::verb::post, "/echo", kLlmHost, prompt));
    EXPECT_EQ(r1.result_int(), 200);
    EXPECT_EQ(r1.body(), prompt);
    auto r2 = co_await roundTrip(stream, buffer, makeRequest(http::verb::get, "/v1/models", kLlmHost));
    EXPECT_EQ(r2.body(), "hello /v1/models #2");
  }));

  const auto seen = upstream_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].sni, kLlmHost) << "warden must ask the upstream for the client's server name";
  EXPECT_EQ(seen[0].body, R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(upstream_->connections(), 1);
  ASSERT_TRUE(eventually([&] { return proxy_->counters().requests == 2; }));
  const auto counters = proxy_->counters();
  EXPECT_EQ(counters.intercepted, 1u);
  EXPECT_EQ(counters.tunnelled, 0u);
  EXPECT_EQ(counters.errors, 0u);
}

// A small exchange costs one TLS record (and one send()) on each leg, header
// and body together. It used to cost about ten: read buffers that never grew
// past Beast's 512-byte minimum cut every body into 512-byte pieces, each
// relayed as a record of its own.
TEST_F(TlsProxyTest, SendsHeaderAndBodyOfASmallExchangeAsOneTlsRecordEachWay) {
  startProxy();
  auto client = clientContext(wardenCa_->certificate());
  std::atomic<int> recordsToClient{0};
  const std::string prompt =
      R"({"model":"m","messages":[{"role":"user","content":")" + std::string(4000, 'x') + R"("}]})";
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(upstream_->endpoint());
    TlsStream stream(std::move(socket), *client);
    co_await tlsHandshake(stream, kLlmHost, true);
    countApplicationRecords(stream.native_handle(), &recordsToClient);
    beast::flat_buffer buffer;
    for (int i = 1; i <= 2; ++i) {
      auto request = makeRequest(http::verb::post, "/echo", kLlmHost, prompt);
      request.set(http::field::content_type, "application/json");
      request.set(http::field::authorization, "Bearer sk-test");
      auto response = co_await roundTrip(stream, buffer, std::move(request));
      EXPECT_EQ(response.result_int(), 200);
      EXPECT_EQ(response.body(), prompt);
      EXPECT_EQ(recordsToClient.load(), i) << "response " << i << " was cut into several TLS records";
      EXPECT_EQ(upstream_->applicationRecordsReceived(), i) << "request " << i << " was cut into several TLS records";
    }
  }));
  EXPECT_EQ(upstream_->connections(), 1);
}

// The header of a streamed response must not wait for its body: each event
// reaches the client while the upstream holds back the next one.
TEST_F(TlsProxyTest, StreamsServerSentEventsPieceByPiece) {
  startProxy();
  auto client = clientContext(wardenCa_->certificate());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(upstream_->endpoint());
    TlsStream stream(std::move(socket), *client);
    co_await tlsHandshake(stream, kLlmHost, true);
    auto request = makeRequest(http::verb::get, "/sse", kLlmHost);
    request.prepare_payload();
    co_await http::async_write(stream, request, asio::use_awaitable);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
    EXPECT_EQ(parser.get().result_int(), 200);
    EXPECT_EQ(parser.get()[http::field::content_type], "text/event-stream");
    while (parser.get().body().find("data: one\n\n") == std::string::npos && !parser.is_done()) {
      co_await http::async_read_some(stream, buffer, parser, asio::use_awaitable);
    }
    EXPECT_EQ(parser.get().body(), "data: one\n\n");
    EXPECT_FALSE(parser.is_done());
    upstream_->releaseSecondEvent();
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    EXPECT_EQ(parser.get().body(), "data: one\n\ndata: two\n\n");
  }));
}

TEST_F(TlsProxyTest, RelaysABodyThatEndsWhereTheUpstreamConnectionEnds) {
  startProxy();
  auto client = clientContext(wardenCa_->certificate());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(upstream_->endpoint());
    TlsStream stream(std::move(socket), *client);
    co_await tlsHandshake(stream, kLlmHost, true);
    auto request = makeRequest(http::verb::get, "/until-close", kLlmHost);
    request.prepare_payload();
    co_await http::async_write(stream, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    // The upstream dropped TCP without close_notify; warden ends its own
    // side cleanly, so the client sees a complete body.
    auto [ec, n] = co_await http::async_read(stream, buffer, response, kUseTuple);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(response.body(), kUntilCloseBody);
  }));
  ASSERT_TRUE(eventually([&] { return proxy_->counters().requests == 1; }));
  EXPECT_EQ(proxy_->counters().errors, 0u);
}

TEST_F(TlsProxyTest, TunnelsOtherServerNamesUntouched) {
  startProxy();
  // Trusts only the upstream's CA: the handshake succeeds only if the client
  // reaches the upstream itself, not a warden-minted certificate.
  auto client = clientContext(upstreamCa_->certificate());
  auto upstreamLeaf = upstreamCa_->leafFor(kLlmHost);
  ASSERT_TRUE(upstreamLeaf.ok());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(upstream_->endpoint());
    TlsStream stream(std::move(socket), *client);
    co_await tlsHandshake(stream, "other.test.local", false);
    X509* peer = SSL_get0_peer_certificate(stream.native_handle());
    EXPECT_NE(peer, nullptr);
    if (peer != nullptr) {
      EXPECT_EQ(X509_cmp(peer, upstreamLeaf.value()->cert.get()), 0);
    }
    beast::flat_buffer buffer;
    auto response = co_await roundTrip(stream, buffer, makeRequest(http::verb::get, "/direct", "other.test.local"));
    EXPECT_EQ(response.body(), "hello /direct #1");
  }));
  EXPECT_EQ(upstream_->requests().at(0).sni, "other.test.local");
  ASSERT_TRUE(eventually([&] { return proxy_->counters().tunnelled == 1; }));
  EXPECT_EQ(proxy_->counters().intercepted, 0u);
  EXPECT_EQ(proxy_->counters().requests, 0u) << "a tunnel does not parse HTTP";
}

TEST_F(TlsProxyTest, InterceptNamesCanBeSwapped) {
  startProxy();
  proxy_->setInterceptNames({});
  auto client = clientContext(upstreamCa_->certificate());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(upstream_->endpoint());
    TlsStream stream(std::move(socket), *client);
    co_await tlsHandshake(stream, kLlmHost, true);  // the upstream's own certificate
  }));
  ASSERT_TRUE(eventually([&] { return proxy_->counters().tunnelled == 1; }));
}

TEST_F(TlsProxyTest, CountsClientsThatRejectWardensCertificate) {
  startProxy();
  auto distrustful = clientContext(nullptr);
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(upstream_->endpoint());
    TlsStream stream(std::move(socket), *distrustful);
    SSL_set_tlsext_host_name(stream.native_handle(), kLlmHost);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kUseTuple);
    EXPECT_TRUE(ec) << "the client must not accept a certificate from an unknown CA";
  }));
  ASSERT_TRUE(eventually([&] {
    const auto c = proxy_->counters();
    return c.handshakeFailures == 1 && c.untrustedCaByExecutable.count("testclient") == 1;
  }));
  const auto counters = proxy_->counters();
  EXPECT_EQ(counters.untrustedCaByExecutable.at("testclient"), 1u);
  EXPECT_EQ(counters.intercepted, 0u);
  EXPECT_EQ(upstream_->connections(), 0);
}

TEST_F(TlsProxyTest, AnswersBadGatewayWhenTheUpstreamCertificateIsNotTrusted) {
  // The proxy is not told about the upstream's CA this time.
  auto started = Proxy::start(testOptions(), origins_.lookup(), wardenCa_, nullptr, {kLlmHost});
  ASSERT_TRUE(started.ok()) << started.error().message;
  proxy_ = std::move(started.value());
  auto client = clientContext(wardenCa_->certificate());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(upstream_->endpoint());
    TlsStream stream(std::move(socket), *client);
    co_await tlsHandshake(stream, kLlmHost, true);
    beast::flat_buffer buffer;
    auto response = co_await roundTrip(stream, buffer, makeRequest(http::verb::post, "/v1/chat", kLlmHost, "{}"));
    EXPECT_EQ(response.result_int(), 502);
    const auto body = nlohmann::json::parse(response.body());
    EXPECT_EQ(body["error"]["code"], "warden_upstream_failure");
    EXPECT_NE(body["error"]["message"].get<std::string>().find("certificate"), std::string::npos)
        << body["error"]["message"];
  }));
  EXPECT_TRUE(upstream_->requests().empty());
}

TEST_F(TlsProxyTest, AnswersBadGatewayWhenTheUpstreamIsDown) {
  startProxy();
  auto client = clientContext(wardenCa_->certificate());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialTls(closedPort());
    TlsStream stream(std::move(socket), *client);
    co_await tlsHandshake(stream, kLlmHost, true);
    beast::flat_buffer buffer;
    auto response = co_await roundTrip(stream, buffer, makeRequest(http::verb::get, "/v1/models", kLlmHost));
    EXPECT_EQ(response.result_int(), 502);
    EXPECT_EQ(nlohmann::json::parse(response.body())["error"]["type"], "server_error");
  }));
}

}  // namespace
}  // namespace warden::proxy::test
