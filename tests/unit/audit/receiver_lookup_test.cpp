// A sink finds its receiver by name within its deadline, so a DNS server
// that never answers cannot hold the sink's thread past it.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>

#include "layers/audit/sinks/receiver_lookup.h"

namespace warden::audit {
namespace {

using Clock = std::chrono::steady_clock;

TEST(ReceiverLookup, AnAddressNeedsNoLookupEvenWithNoTimeLeft) {
  boost::asio::io_context io;
  auto found = lookUpReceiver(io, "127.0.0.1", 6514, Clock::now() - std::chrono::seconds(1), "syslog receiver");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found.value().size(), 1u);
  EXPECT_EQ(found.value()[0].address().to_string(), "127.0.0.1");
  EXPECT_EQ(found.value()[0].port(), 6514);

  auto v6 = lookUpReceiver(io, "::1", 443, Clock::now() - std::chrono::seconds(1), "receiver");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_TRUE(v6.value()[0].address().is_v6());
}

TEST(ReceiverLookup, ANameStillUnansweredAtTheDeadlineIsAnErrorNamingTheReceiver) {
  boost::asio::io_context io;
  auto found = lookUpReceiver(io, "logs.example.invalid", 443, Clock::now() - std::chrono::seconds(1), "receiver");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().message,
            "resolve receiver logs.example.invalid: no answer in time (is the DNS server reachable?)");
  // The abandoned lookup's late answer lands harmlessly; the context is usable again.
  auto again = lookUpReceiver(io, "localhost", 514, Clock::now() + std::chrono::seconds(30), "syslog receiver");
  ASSERT_TRUE(again.ok()) << again.error().message;
}

TEST(ReceiverLookup, ANameIsResolvedToItsAddressesWithThePort) {
  boost::asio::io_context io;
  auto found = lookUpReceiver(io, "localhost", 8088, Clock::now() + std::chrono::seconds(30), "receiver");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_FALSE(found.value().empty());
  for (const auto& endpoint : found.value()) {
    EXPECT_TRUE(endpoint.address().is_loopback()) << endpoint.address().to_string();
    EXPECT_EQ(endpoint.port(), 8088);
  }
}

}  // namespace
}  // namespace warden::audit
