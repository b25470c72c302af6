// A sink finds its receiver by name within its deadline, so a DNS server
// that never answers cannot hold the sink's thread, nor the agent's stop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "layers/audit/sinks/receiver_lookup.h"

namespace warden::audit {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A name server that answers only when the test lets it.
struct HeldResolver {
  std::mutex mutex;
  std::condition_variable released;
  bool answer = false;
  std::atomic<int> lookups{0};

  void release() {
    std::lock_guard lock(mutex);
    answer = true;
    released.notify_all();
  }
  static ReceiverLookup::Resolve of(const std::shared_ptr<HeldResolver>& held) {
    return [held](const std::string&, uint16_t port) -> Result<ReceiverAddresses> {
      ++held->lookups;
      std::unique_lock lock(held->mutex);
      held->released.wait(lock, [&] { return held->answer; });
      return ReceiverAddresses{{boost::asio::ip::make_address("192.0.2.7"), port}};
    };
  }
};

TEST(ReceiverLookup, AnAddressNeedsNoLookupEvenWithNoTimeLeft) {
  ReceiverLookup v4("127.0.0.1", 6514, "syslog receiver");
  auto found = v4.addresses(Clock::now() - 1s);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found.value().size(), 1u);
  EXPECT_EQ(found.value()[0].address().to_string(), "127.0.0.1");
  EXPECT_EQ(found.value()[0].port(), 6514);

  ReceiverLookup v6("::1", 443, "receiver");
  auto both = v6.addresses(Clock::now() - 1s);
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_TRUE(both.value()[0].address().is_v6());
}

TEST(ReceiverLookup, AnUnansweredLookupEndsAtTheDeadlineAndIsPickedUpByTheNextAttempt) {
  auto held = std::make_shared<HeldResolver>();
  ReceiverLookup lookup("logs.example.test", 443, "receiver", HeldResolver::of(held));
  const auto start = Clock::now();
  auto first = lookup.addresses(start + 200ms);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().message, "resolve receiver logs.example.test: no answer in time (is the DNS server reachable?)");
  EXPECT_GE(Clock::now() - start, 200ms) << "waited until the deadline";

  // The lookup still running is waited for again, not started a second time.
  EXPECT_FALSE(lookup.addresses(Clock::now() + 50ms).ok());
  EXPECT_EQ(held->lookups.load(), 1);

  held->release();
  auto answered = lookup.addresses(Clock::now() + 5s);
  ASSERT_TRUE(answered.ok()) << answered.error().message;
  EXPECT_EQ(answered.value()[0].address().to_string(), "192.0.2.7");
  EXPECT_EQ(answered.value()[0].port(), 443);

  // Taken: the next attempt asks again.
  ASSERT_TRUE(lookup.addresses(Clock::now() + 5s).ok());
  EXPECT_EQ(held->lookups.load(), 2);
}

TEST(ReceiverLookup, ALookupThatThrowsIsAnErrorNotTheAgentsEnd) {
  std::atomic<int> calls{0};
  ReceiverLookup lookup("logs.example.test", 443, "receiver",
                        [&calls](const std::string&, uint16_t) -> Result<ReceiverAddresses> {
                          if (++calls == 1) throw std::runtime_error("resolver out of memory");
                          return ReceiverAddresses{{boost::asio::ip::make_address("192.0.2.8"), 443}};
                        });
  auto failed = lookup.addresses(Clock::now() + 5s);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "resolve receiver logs.example.test: the lookup failed: resolver out of memory");
  auto next = lookup.addresses(Clock::now() + 5s);
  ASSERT_TRUE(next.ok()) << "the next attempt looks the name up again: " << next.error().message;
  EXPECT_EQ(next.value()[0].address().to_string(), "192.0.2.8");
}

TEST(ReceiverLookup, ASinkGoingAwayDoesNotWaitForItsLookup) {
  auto held = std::make_shared<HeldResolver>();
  {
    ReceiverLookup lookup("logs.example.test", 443, "receiver", HeldResolver::of(held));
    EXPECT_FALSE(lookup.addresses(Clock::now() + 20ms).ok());
  }  // destroyed with its lookup still held: nothing joins it
  held->release();  // its late answer lands in the shared state, harmlessly
  for (int i = 0; i < 100 && held->lookups.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(held->lookups.load(), 1);
}

TEST(ReceiverLookup, ANameIsResolvedToItsAddressesWithThePort) {
  ReceiverLookup lookup("localhost", 8088, "receiver");
  auto found = lookup.addresses(Clock::now() + 30s);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_FALSE(found.value().empty());
  for (const auto& endpoint : found.value()) {
    EXPECT_TRUE(endpoint.address().is_loopback()) << endpoint.address().to_string();
    EXPECT_EQ(endpoint.port(), 8088);
  }
}

}  // namespace
}  // namespace warden::audit
