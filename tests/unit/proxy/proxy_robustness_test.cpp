// Misbehaving clients must not hold up anybody else on the same worker, and
// stop() must not wait for them.
#include <poll.h>
#include <sys/socket.h>

#include "proxy/proxy.h"
#include "proxy_test_support.h"
#include "test_upstream.h"

namespace warden::proxy::test {
namespace {

constexpr const char* kLlmHost = "api.test.local";

// A blocking client socket registered in the fake origin table.
int rawClient(uint16_t proxyPort, FakeOrigins& origins, const Endpoint& dst) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local));
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  origins.add(Endpoint::fromSockaddr(reinterpret_cast<sockaddr*>(&bound)), originTo(dst, false));
  sockaddr_in proxy = local;
  proxy.sin_port = htons(proxyPort);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&proxy), sizeof(proxy)), 0);
  return fd;
}

// True once the proxy closed the connection (EOF or reset) within `timeout`.
bool closedByPeer(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  char buffer[256];
  return ::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT) <= 0;
}

bool stillOpen(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

class RobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wardenCa_ = makeCa(wardenDir_);
    upstreamCa_ = makeCa(upstreamDir_);
    ASSERT_TRUE(wardenCa_ && upstreamCa_);
    upstream_ = std::make_unique<TestUpstream>(serverContextFor(*upstreamCa_, kLlmHost));
  }
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
  }

  void startProxy(ProxyOptions options) {
    options.upstreamExtraCaFile = writeFile(upstreamDir_.path() + "/ca.pem", upstreamCa_->certificatePem());
    auto started = Proxy::start(options, origins_.lookup(), wardenCa_, nullptr, {kLlmHost});
    ASSERT_TRUE(started.ok()) << started.error().message;
    proxy_ = std::move(started.value());
  }

  int client() {
    fds_.push_back(rawClient(proxy_->listenPort(), origins_, upstream_->endpoint()));
    return fds_.back();
  }

  TempDir wardenDir_;
  TempDir upstreamDir_;
  std::shared_ptr<CertAuthority> wardenCa_;
  std::shared_ptr<CertAuthority> upstreamCa_;
  FakeOrigins origins_;
  std::unique_ptr<TestUpstream> upstream_;
  std::unique_ptr<Proxy> proxy_;
  std::vector<int> fds_;
};

TEST_F(RobustnessTest, GarbageAndAStalledHalfHelloDoNotBlockAnotherClient) {
  auto options = testOptions();
  options.workers = 1;  // everyone shares one event loop
  options.clientHelloTimeout = 800ms;
  startProxy(options);

  const int garbage = client();
  const std::string junk = "\x01\x02 this is not TLS at all \r\n\r\n";
  ASSERT_EQ(::send(garbage, junk.data(), junk.size(), 0), static_cast<ssize_t>(junk.size()));

  const int stalled = client();
  const std::string hello = clientHelloBytes(kLlmHost);
  ASSERT_GT(hello.size(), 60u);
  ASSERT_EQ(::send(stalled, hello.data(), 40, 0), 40);

  const auto start = std::chrono::steady_clock::now();
  auto trusting = clientContext(wardenCa_->certificate());
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    const std::optional<ConnectionOrigin> origin = originTo(upstream_->endpoint(), false);
    auto socket = co_await dialProxy(proxy_->listenPort(), &origins_, origin);
    TlsStream stream(std::move(socket), *trusting);
    co_await tlsHandshake(stream, kLlmHost, true);
    beast::flat_buffer buffer;
    auto response = co_await roundTrip(stream, buffer, makeRequest(http::verb::get, "/v1/models", kLlmHost));
    EXPECT_EQ(response.result_int(), 200);
  }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.clientHelloTimeout)
      << "the good client waited for the stalled one";
  EXPECT_TRUE(stillOpen(stalled)) << "the stalled client was dropped before its timeout";

  // The stalled client is dropped once its hello timeout passes.
  EXPECT_TRUE(closedByPeer(stalled, 3000ms));
  // Garbage is not TLS: it was tunnelled (the upstream TLS server hangs up on it).
  EXPECT_TRUE(closedByPeer(garbage, 3000ms));
  // The timed-out hello is counted once its handler has woken up.
  EXPECT_TRUE(eventually([&] { return proxy_->counters().errors == 1; }));
  const auto counters = proxy_->counters();
  EXPECT_EQ(counters.intercepted, 1u);
  EXPECT_EQ(counters.tunnelled, 1u);
}

TEST_F(RobustnessTest, AHelloSplitAcrossSegmentsIsReassembled) {
  startProxy(testOptions());
  const int fd = client();
  const std::string hello = clientHelloBytes(kLlmHost);
  // Byte by byte for the header, then the rest: the proxy must wait, not fail.
  for (size_t i = 0; i < 7; ++i) {
    ASSERT_EQ(::send(fd, hello.data() + i, 1, 0), 1);
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(::send(fd, hello.data() + 7, hello.size() - 7, 0), static_cast<ssize_t>(hello.size() - 7));
  // The proxy answers with its ServerHello: the hello was complete and intercepted.
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 3000), 1);
  char record[5];
  ASSERT_EQ(::recv(fd, record, sizeof(record), 0), 5);
  EXPECT_EQ(record[0], 0x16) << "expected a TLS handshake record back";
}

TEST_F(RobustnessTest, StopDoesNotWaitForOpenConnections) {
  auto options = testOptions();
  options.clientHelloTimeout = 60000ms;
  options.workers = 2;
  startProxy(options);
  const int stalled = client();
  ASSERT_EQ(::send(stalled, "\x16\x03\x01", 3, 0), 3);
  ASSERT_TRUE(eventually([&] { return proxy_->counters().connections == 1; }));

  const auto start = std::chrono::steady_clock::now();
  proxy_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
  EXPECT_TRUE(closedByPeer(stalled, 1000ms));
  proxy_->stop();  // idempotent
}

}  // namespace
}  // namespace warden::proxy::test
