// `wardenctl metrics` against a real metrics endpoint on a loopback port.
#include "cli/metrics_command.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "cli/commands.h"
#include "cli/metrics_client.h"
#include "metrics/metrics_server.h"

namespace warden::cli {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using Tcp = asio::ip::tcp;

class MetricsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/warden-cli-metrics-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    auto counter = registry_.addCounter({"warden_test_total", "Counted by the test", {"kind"}});
    ASSERT_TRUE(counter) << counter.error().message;
    (*counter)->add({"seen"}, 5);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  void serve() {
    auto server = metrics::MetricsServer::start(registry_, 0);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  std::string writeConfig(const std::string& metricsSection) {
    const std::string path = dir_ + "/warden.yaml";
    std::ofstream(path) << "metrics: " << metricsSection << "\n";
    return path;
  }

  int run(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    auto options = parseArgs(args, std::nullopt);
    EXPECT_TRUE(options) << options.error().message;
    if (!options) return -1;
    return runCommand(*options, out_, err_);
  }

  std::string dir_;
  metrics::Registry registry_;
  std::unique_ptr<metrics::MetricsServer> server_;
  std::ostringstream out_;
  std::ostringstream err_;
};

// A loopback port nothing listens on: bound, then closed.
uint16_t closedPort() {
  asio::io_context io;
  Tcp::acceptor acceptor(io, Tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

TEST_F(MetricsCommandTest, PrintsThePageFromThePortInTheConfiguration) {
  serve();
  const std::string config = writeConfig("{port: " + std::to_string(server_->port()) + "}");
  EXPECT_EQ(run({"--config", config, "metrics"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), registry_.render());
  EXPECT_NE(out_.str().find("warden_test_total{kind=\"seen\"} 5\n"), std::string::npos) << out_.str();
  EXPECT_EQ(err_.str(), "");
}

TEST_F(MetricsCommandTest, SaysSoWhenMetricsAreDisabled) {
  const std::string config = writeConfig("{enabled: false}");
  EXPECT_EQ(run({"metrics", "--config", config}), kExitFailure);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "wardenctl: metrics are disabled in " + config +
                            " (metrics.enabled: false); enable them and restart wardend\n");
}

TEST_F(MetricsCommandTest, SaysSoWhenNothingAnswers) {
  const uint16_t port = closedPort();
  const std::string config = writeConfig("{port: " + std::to_string(port) + "}");
  EXPECT_EQ(run({"metrics", "--config", config}), kExitFailure);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "wardenctl: nothing answers at http://127.0.0.1:" + std::to_string(port) +
                            "/metrics: is wardend running, with metrics enabled on port " + std::to_string(port) +
                            "? (its log says where it serves metrics)\n  (the port is metrics.port in " + config +
                            ")\n");
}

TEST_F(MetricsCommandTest, AMissingConfigurationGivenExplicitlyIsAnError) {
  EXPECT_EQ(run({"metrics", "--config", dir_ + "/absent.yaml"}), kExitFailure);
  EXPECT_NE(err_.str().find(dir_ + "/absent.yaml"), std::string::npos) << err_.str();
}

TEST_F(MetricsCommandTest, ASilentListenerTimesOut) {
  // Listening but never accepting: connect succeeds, no answer ever comes.
  asio::io_context io;
  Tcp::acceptor silent(io, Tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const uint16_t port = silent.local_endpoint().port();
  const auto start = std::chrono::steady_clock::now();
  auto page = fetchMetrics(port, std::chrono::milliseconds(200));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().message, "wardend's metrics endpoint http://127.0.0.1:" + std::to_string(port) +
                                      "/metrics did not answer within 200 ms (is it stuck? check its log)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(MetricsCommandTest, AnotherServerOnThePortIsNamedAsSuch) {
  // An HTTP server that is not wardend's endpoint: it has no /metrics.
  asio::io_context io;
  Tcp::acceptor other(io, Tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const uint16_t port = other.local_endpoint().port();
  std::thread answer([&] {
    Tcp::socket socket(io);
    other.accept(socket);
    char request[1024];
    boost::system::error_code ec;
    socket.read_some(asio::buffer(request), ec);
    const std::string response = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(response), ec);
  });
  auto page = fetchMetrics(port);
  answer.join();
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().message, "http://127.0.0.1:" + std::to_string(port) +
                                      "/metrics answered 404 Not Found (is another program on port " +
                                      std::to_string(port) + " instead of wardend?)");
}

TEST(MetricsOptionsTest, ParsesTheCommandAndItsConfiguration) {
  auto plain = parseArgs({"metrics"}, std::nullopt);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->action, Action::Metrics);
  EXPECT_FALSE(plain->configGiven);
  auto configured = parseArgs({"--config=/etc/w.yaml", "metrics"}, std::nullopt);
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->action, Action::Metrics);
  EXPECT_EQ(configured->configPath, "/etc/w.yaml");
  EXPECT_TRUE(configured->configGiven);
  EXPECT_EQ(parseArgs({"metrics", "now"}, std::nullopt).error().message, "metrics takes no arguments");
  EXPECT_EQ(parseArgs({"--json", "metrics"}, std::nullopt).error().message,
            "metrics prints the Prometheus text format; --json does not apply");
  EXPECT_EQ(parseArgs({"metrics", "--path", "/v1/x"}, std::nullopt).error().message, "--path is an option of scan");
  EXPECT_NE(usage().find("  metrics  "), std::string::npos);
}

}  // namespace
}  // namespace warden::cli
