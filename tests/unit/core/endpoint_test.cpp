#include "core/endpoint.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

TEST(Endpoint, ParsesIpv4AsMapped) {
  auto e = Endpoint::parseAddress("127.0.0.2", 443);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->isV4Mapped());
  EXPECT_EQ(e->toString(), "127.0.0.2:443");
}

TEST(Endpoint, ParsesIpv6) {
  auto e = Endpoint::parseAddress("::1", 8443);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->isV4Mapped());
  EXPECT_EQ(e->toString(), "[::1]:8443");
}

TEST(Endpoint, RoundTripsThroughSockaddr) {
  auto e = Endpoint::parseAddress("10.1.2.3", 80);
  sockaddr_storage ss{};
  socklen_t len = e->toSockaddr(ss);
  EXPECT_EQ(len, sizeof(sockaddr_in));
  EXPECT_EQ(Endpoint::fromSockaddr(reinterpret_cast<sockaddr*>(&ss)), *e);
}

TEST(Endpoint, RejectsGarbage) { EXPECT_FALSE(Endpoint::parseAddress("api.openai.com")); }

}  // namespace
}  // namespace warden
