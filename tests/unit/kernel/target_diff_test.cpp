#include "kernel/target_diff.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

namespace warden::kernel {
namespace {

TargetEntry target(const char* addr, uint8_t prefixLen, uint16_t port, bool plain = false) {
  TargetEntry entry;
  entry.addr = Endpoint::parseAddress(addr)->addr;
  entry.prefixLen = prefixLen;
  entry.port = port;
  entry.plainHttp = plain;
  return entry;
}

uint16_t portOf(const warden_target_key& key) { return ntohs(key.port); }

TEST(DiffTargets, FromEmptyAddsEverything) {
  auto diff = diffTargets({}, {target("1.2.3.4", 128, 443), target("::1", 128, 8080)});
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(diff->upserts.size(), 2u);
  EXPECT_TRUE(diff->removals.empty());
}

TEST(DiffTargets, UnchangedSetIsANoop) {
  std::vector<TargetEntry> set = {target("1.2.3.4", 128, 443), target("::1", 128, 8080)};
  auto diff = diffTargets(set, set);
  ASSERT_TRUE(diff.ok());
  EXPECT_TRUE(diff->upserts.empty());
  EXPECT_TRUE(diff->removals.empty());
}

TEST(DiffTargets, AddsNewRemovesGoneKeepsCommon) {
  auto diff = diffTargets({target("1.2.3.4", 128, 443), target("5.6.7.8", 128, 443)},
                          {target("1.2.3.4", 128, 443), target("9.9.9.9", 128, 443)});
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff->upserts.size(), 1u);
  EXPECT_EQ(diff->upserts[0].first.addr.bytes[12], 9);
  ASSERT_EQ(diff->removals.size(), 1u);
  EXPECT_EQ(diff->removals[0].addr.bytes[12], 5);
}

TEST(DiffTargets, PortIsPartOfTheKey) {
  auto diff = diffTargets({target("1.2.3.4", 128, 443)}, {target("1.2.3.4", 128, 8443)});
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff->upserts.size(), 1u);
  EXPECT_EQ(portOf(diff->upserts[0].first), 8443);
  ASSERT_EQ(diff->removals.size(), 1u);
  EXPECT_EQ(portOf(diff->removals[0]), 443);
}

TEST(DiffTargets, ChangedFlagsAreRewrittenNotRemoved) {
  auto diff = diffTargets({target("1.2.3.4", 128, 80)}, {target("1.2.3.4", 128, 80, true)});
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff->upserts.size(), 1u);
  EXPECT_EQ(diff->upserts[0].second.flags, static_cast<__u32>(WARDEN_TARGET_PLAIN));
  EXPECT_TRUE(diff->removals.empty());
}

TEST(DiffTargets, SamePrefixWithDifferentHostBitsIsOneKey) {
  auto diff = diffTargets({target("10.0.0.1", 120, 443)}, {target("10.0.0.200", 120, 443)});
  ASSERT_TRUE(diff.ok());
  EXPECT_TRUE(diff->upserts.empty());
  EXPECT_TRUE(diff->removals.empty());
}

TEST(DiffTargets, InvalidEntryIsAnError) {
  auto diff = diffTargets({}, {target("1.2.3.4", 128, 0)});
  ASSERT_FALSE(diff.ok());
  EXPECT_NE(diff.error().message.find("port 0"), std::string::npos);
}

}  // namespace
}  // namespace warden::kernel
