#include "kernel/abi_convert.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

namespace warden::kernel {
namespace {

TargetEntry v4Target(const char* addr, uint8_t v4Prefix, uint16_t port, bool plain = false) {
  TargetEntry entry;
  entry.addr = Endpoint::parseAddress(addr)->addr;
  entry.prefixLen = static_cast<uint8_t>(96 + v4Prefix);
  entry.port = port;
  entry.plainHttp = plain;
  return entry;
}

TEST(MakeTargetKey, HostTargetCountsPortBitsAndFullAddress) {
  auto key = makeTargetKey(v4Target("127.0.0.2", 32, 4443));
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->prefixlen, 32u + 128u);
  EXPECT_EQ(key->port, htons(4443));
  EXPECT_EQ(key->pad, 0);
  const uint8_t expected[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2};
  EXPECT_EQ(std::memcmp(key->addr.bytes, expected, 16), 0);
}

TEST(MakeTargetKey, MasksHostBitsBeyondThePrefix) {
  auto key = makeTargetKey(v4Target("10.1.2.3", 20, 443));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->prefixlen, 32u + 96u + 20u);
  EXPECT_EQ(key->addr.bytes[12], 10);
  EXPECT_EQ(key->addr.bytes[13], 1);
  EXPECT_EQ(key->addr.bytes[14], 0);  // 2 = 0b10 lies beyond /20 (keeps 0xf0 of byte 14)
  EXPECT_EQ(key->addr.bytes[15], 0);

  auto same = makeTargetKey(v4Target("10.1.15.200", 20, 443));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(std::memcmp(&*key, &*same, sizeof(warden_target_key)), 0);
}

TEST(MakeTargetKey, Ipv6Prefix) {
  TargetEntry entry;
  entry.addr = Endpoint::parseAddress("2001:db8:ffff::1")->addr;
  entry.prefixLen = 36;
  entry.port = 443;
  auto key = makeTargetKey(entry);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->prefixlen, 32u + 36u);
  EXPECT_EQ(key->addr.bytes[0], 0x20);
  EXPECT_EQ(key->addr.bytes[3], 0xb8);
  EXPECT_EQ(key->addr.bytes[4], 0xf0);  // top 4 bits of 0xff kept
  EXPECT_EQ(key->addr.bytes[15], 0);
}

TEST(MakeTargetKey, RejectsOverlongPrefixAndPortZero) {
  TargetEntry entry;
  entry.prefixLen = 129;
  EXPECT_FALSE(makeTargetKey(entry).ok());
  entry.prefixLen = 128;
  entry.port = 0;
  EXPECT_FALSE(makeTargetKey(entry).ok());
}

TEST(MakeTargetValue, FlagsFollowPlainHttp) {
  EXPECT_EQ(makeTargetValue(v4Target("1.2.3.4", 32, 443)).flags, static_cast<__u32>(WARDEN_TARGET_TLS));
  EXPECT_EQ(makeTargetValue(v4Target("1.2.3.4", 32, 80, true)).flags,
            static_cast<__u32>(WARDEN_TARGET_PLAIN));
}

TEST(MakeConnKey, CopiesClientEndpointAndCookie) {
  auto client = *Endpoint::parseAddress("127.0.0.1", 40000);
  warden_conn_key key = makeConnKey(0x1122334455667788ULL, client);
  EXPECT_EQ(key.netns_cookie, 0x1122334455667788ULL);
  EXPECT_EQ(key.client_port, 40000);  // host order, as sock_ops reports local_port
  EXPECT_EQ(std::memcmp(key.client_addr.bytes, client.addr.data(), 16), 0);
  EXPECT_EQ(key.pad[0] | key.pad[1] | key.pad[2], 0);
}

TEST(ToConnectionOrigin, ConvertsEveryField) {
  warden_origin origin{};
  auto dst = *Endpoint::parseAddress("2001:db8::7");
  std::memcpy(origin.dst.bytes, dst.addr.data(), 16);
  origin.dst_port = htons(8443);
  origin.family = AF_INET6;
  origin.tgid = 100;
  origin.pid = 101;
  origin.uid = 1000;
  origin.gid = 1001;
  origin.target_flags = WARDEN_TARGET_PLAIN;
  origin.cgroup_id = 4242;
  origin.netns_cookie = 7;
  origin.connect_ns = 123456789;
  std::memcpy(origin.comm, "python3", 8);

  ConnectionOrigin out = toConnectionOrigin(origin);
  EXPECT_EQ(out.originalDst.toString(), "[2001:db8::7]:8443");
  EXPECT_EQ(out.identity.tgid, 100u);
  EXPECT_EQ(out.identity.pid, 101u);
  EXPECT_EQ(out.identity.uid, 1000u);
  EXPECT_EQ(out.identity.gid, 1001u);
  EXPECT_EQ(out.identity.cgroupId, 4242u);
  EXPECT_EQ(out.identity.netnsCookie, 7u);
  EXPECT_EQ(out.identity.comm, "python3");
  EXPECT_EQ(out.identity.connectNs, 123456789u);
  EXPECT_EQ(out.identity.source, IdentitySource::Connect);
  EXPECT_TRUE(out.plainHttpTarget);
}

TEST(ToConnectionOrigin, CommWithoutTerminatorStaysInBounds) {
  warden_origin origin{};
  std::memset(origin.comm, 'x', sizeof(origin.comm));
  EXPECT_EQ(toConnectionOrigin(origin).identity.comm, std::string(16, 'x'));
}

TEST(MakeSettings, EncodesOptions) {
  RedirectorOptions options;
  options.listenPort = 15001;
  options.agentMark = 0x5741;
  options.failMode = FailMode::Closed;
  options.heartbeatTimeout = std::chrono::milliseconds(1500);
  warden_settings s = makeSettings(options, 99);
  EXPECT_EQ(s.agent_netns_cookie, 99u);
  EXPECT_EQ(s.heartbeat_timeout_ns, 1'500'000'000u);
  EXPECT_EQ(s.agent_mark, 0x5741u);
  EXPECT_EQ(s.fail_mode, static_cast<__u32>(WARDEN_FAIL_CLOSED));
  EXPECT_EQ(s.listen_port, htons(15001));

  options.failMode = FailMode::Open;
  EXPECT_EQ(makeSettings(options, 99).fail_mode, static_cast<__u32>(WARDEN_FAIL_OPEN));
}

}  // namespace
}  // namespace warden::kernel
