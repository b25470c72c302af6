// The BPF side is compiled by clang -target bpf, the agent by the host
// compiler: both must agree byte for byte on the shared structs.
#include <gtest/gtest.h>
#include <linux/types.h>

#include <cstddef>

#include "warden_abi.h"

namespace {

static_assert(sizeof(warden_addr) == 16);

static_assert(sizeof(warden_target_key) == 24);
static_assert(offsetof(warden_target_key, prefixlen) == 0);
static_assert(offsetof(warden_target_key, port) == 4);
static_assert(offsetof(warden_target_key, addr) == 8);

static_assert(sizeof(warden_target) == 4);

static_assert(sizeof(warden_origin) == 88);
static_assert(offsetof(warden_origin, dst) == 0);
static_assert(offsetof(warden_origin, dst_port) == 16);
static_assert(offsetof(warden_origin, family) == 18);
static_assert(offsetof(warden_origin, tgid) == 20);
static_assert(offsetof(warden_origin, pid) == 24);
static_assert(offsetof(warden_origin, uid) == 28);
static_assert(offsetof(warden_origin, gid) == 32);
static_assert(offsetof(warden_origin, target_flags) == 36);
static_assert(offsetof(warden_origin, cgroup_id) == 40);
static_assert(offsetof(warden_origin, netns_cookie) == 48);
static_assert(offsetof(warden_origin, socket_cookie) == 56);
static_assert(offsetof(warden_origin, connect_ns) == 64);
static_assert(offsetof(warden_origin, comm) == 72);

static_assert(sizeof(warden_conn_key) == 32);
static_assert(offsetof(warden_conn_key, netns_cookie) == 0);
static_assert(offsetof(warden_conn_key, client_addr) == 8);
static_assert(offsetof(warden_conn_key, client_port) == 24);

static_assert(sizeof(warden_settings) == 32);
static_assert(offsetof(warden_settings, agent_netns_cookie) == 0);
static_assert(offsetof(warden_settings, heartbeat_timeout_ns) == 8);
static_assert(offsetof(warden_settings, agent_mark) == 16);
static_assert(offsetof(warden_settings, fail_mode) == 20);
static_assert(offsetof(warden_settings, listen_port) == 24);

// Structs without implicit padding hash and compare the same in BPF and here.
template <class T>
constexpr bool kHasNoPadding = std::has_unique_object_representations_v<T>;

TEST(AbiLayout, SharedStructsHaveNoImplicitPadding) {
  EXPECT_TRUE(kHasNoPadding<warden_target_key>);
  EXPECT_TRUE(kHasNoPadding<warden_origin>);
  EXPECT_TRUE(kHasNoPadding<warden_conn_key>);
  EXPECT_TRUE(kHasNoPadding<warden_settings>);
}

TEST(AbiLayout, CounterIndicesAreStable) {
  // wardenctl and dashboards read counters by index through the agent.
  EXPECT_EQ(WARDEN_CTR_REDIRECTED, 0);
  EXPECT_EQ(WARDEN_CTR_ORIGIN_MISSING, 8);
  EXPECT_EQ(WARDEN_CTR_NO_LISTENER, 9);
  EXPECT_EQ(WARDEN_CTR_MAX, 10);
}

}  // namespace
