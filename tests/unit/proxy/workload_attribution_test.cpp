// Each connection's workload is resolved once, off the event loop, and every
// event of the connection carries it; the registry behind `wardenctl
// identities` counts its connections and requests.
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <future>

#include "../audit/spool_test_support.h"
#include "layers/audit/event_log.h"
#include "proxy/proxy.h"
#include "proxy/workload_registry.h"
#include "proxy_test_support.h"
#include "test_upstream.h"

namespace warden::proxy::test {
namespace {

std::shared_ptr<const audit::WorkloadRecord> recordFor(const KernelIdentity& kernel) {
  auto record = std::make_shared<audit::WorkloadRecord>();
  record->key = "unit:system.slice/" + kernel.comm + ".service";
  record->cgroup = "/system.slice/" + kernel.comm + ".service";
  record->unit = "system.slice/" + kernel.comm + ".service";
  record->user = "svc";
  return record;
}

class WorkloadAttributionTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (proxy_) proxy_->stop();
    proxy_.reset();
    events_.reset();
  }

  void startProxy(WorkloadResolver resolve) {
    ca_ = makeCa(dir_);
    ASSERT_NE(ca_, nullptr);
    auto events = audit::EventLog::open(audit::testing::spoolIn(logDir_.path()));
    ASSERT_TRUE(events.ok()) << events.error().message;
    events_ = std::move(events.value());
    auto options = testOptions();
    options.resolveWorkload = std::move(resolve);
    auto started = Proxy::start(options, origins_.lookup(), ca_, events_.get(), {"api.test.local"});
    ASSERT_TRUE(started.ok()) << started.error().message;
    proxy_ = std::move(started.value());
  }

  asio::awaitable<Tcp::socket> dialAs(const std::string& comm) {
    auto origin = originTo(upstream_.endpoint(), true);
    origin.identity.comm = comm;
    auto socket = co_await dialProxy(proxy_->listenPort(), &origins_, origin);
    co_return socket;
  }

  std::vector<nlohmann::json> spooledEvents() {
    proxy_->stop();
    const std::string path = audit::segmentPath(events_->dir(), 1);
    events_.reset();
    std::ifstream in(path);
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }

  TempDir dir_;
  TempDir logDir_;
  FakeOrigins origins_;
  std::shared_ptr<CertAuthority> ca_;
  TestUpstream upstream_;
  std::unique_ptr<audit::EventLog> events_;
  std::unique_ptr<Proxy> proxy_;
};

TEST_F(WorkloadAttributionTest, EveryEventOfAConnectionCarriesItsWorkloadResolvedOnce) {
  std::atomic<int> calls{0};
  std::atomic<bool> onWorkerThread{false};
  const auto testThread = std::this_thread::get_id();
  startProxy([&](const KernelIdentity& kernel) {
    ++calls;
    if (std::this_thread::get_id() == testThread) onWorkerThread = true;
    return recordFor(kernel);
  });

  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialAs("billing");
    beast::flat_buffer buffer;
    for (int i = 0; i < 3; ++i) {
      auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::get, "/v1/models", "api.test.local"));
      EXPECT_EQ(response.result_int(), 200);
    }
  }));
  ASSERT_TRUE(eventually([&] { return proxy_->counters().requests == 3; }));
  EXPECT_EQ(calls.load(), 1) << "one resolution per connection, not per request";
  EXPECT_FALSE(onWorkerThread.load());

  const auto lines = spooledEvents();
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) {
    ASSERT_TRUE(line.contains("workload")) << line.dump();
    EXPECT_EQ(line["workload"]["key"], "unit:system.slice/billing.service");
    EXPECT_EQ(line["workload"]["unit"], "system.slice/billing.service");
    EXPECT_EQ(line["workload"]["user"], "svc");
    EXPECT_EQ(line["identity"]["comm"], "billing");
  }
}

TEST_F(WorkloadAttributionTest, RegistryCountsConnectionsAndRequestsPerWorkload) {
  startProxy([](const KernelIdentity& kernel) { return recordFor(kernel); });

  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    beast::flat_buffer buffer;
    for (const std::string comm : {"billing", "billing", "search"}) {
      auto socket = co_await dialAs(comm);
      auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::get, "/v1/models", "api.test.local"));
      EXPECT_EQ(response.result_int(), 200);
      buffer.clear();
    }
  }));
  ASSERT_TRUE(eventually([&] { return proxy_->counters().requests == 3; }));

  const auto seen = proxy_->workloads();
  ASSERT_EQ(seen.size(), 2u);
  std::map<std::string, WorkloadActivity> byKey;
  for (const auto& activity : seen) byKey[activity.workload->key] = activity;
  const auto& billing = byKey.at("unit:system.slice/billing.service");
  EXPECT_EQ(billing.connections, 2u);
  EXPECT_EQ(billing.requests, 2u);
  EXPECT_EQ(billing.lastDecision, "allow");
  const auto& search = byKey.at("unit:system.slice/search.service");
  EXPECT_EQ(search.connections, 1u);
  EXPECT_EQ(search.requests, 1u);
  EXPECT_EQ(seen.front().workload->key, "unit:system.slice/search.service") << "most recently seen first";
}

// A resolution that takes long (hashing a large runtime for the first time)
// holds up only its own connection: the worker keeps serving others.
TEST_F(WorkloadAttributionTest, ASlowResolutionDoesNotStallOtherConnections) {
  std::promise<void> release;
  auto released = release.get_future().share();
  startProxy([released](const KernelIdentity& kernel) {
    if (kernel.comm == "slow") released.wait();
    return recordFor(kernel);
  });

  std::atomic<bool> slowAnswered{false};
  std::thread slowClient([&] {
    runClient([&]() -> asio::awaitable<void> {
      auto socket = co_await dialAs("slow");
      beast::flat_buffer buffer;
      auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::get, "/v1/models", "api.test.local"));
      EXPECT_EQ(response.result_int(), 200);
      slowAnswered = true;
    });
  });
  ASSERT_TRUE(eventually([&] { return proxy_->counters().connections == 1; }));

  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dialAs("fast");
    beast::flat_buffer buffer;
    auto response = co_await roundTrip(socket, buffer, makeRequest(http::verb::get, "/v1/models", "api.test.local"));
    EXPECT_EQ(response.result_int(), 200);
  }));
  EXPECT_FALSE(slowAnswered.load()) << "the slow workload was answered before its identity was known";
  release.set_value();
  slowClient.join();
  EXPECT_TRUE(slowAnswered.load());
}

}  // namespace
}  // namespace warden::proxy::test
