#include "kernel/abi_convert.h"

#include <arpa/inet.h>

#include <cstring>

namespace warden::kernel {
namespace {
// prefixlen of warden_target_key counts the 16-bit port and 16-bit pad first.
constexpr uint32_t kPortPrefixBits = 32;
constexpr uint8_t kMaxAddrPrefix = 128;
}  // namespace

Result<warden_target_key> makeTargetKey(const TargetEntry& entry) {
  if (entry.prefixLen > kMaxAddrPrefix) {
    return Error{"target prefix length " + std::to_string(entry.prefixLen) +
                 " is longer than 128 bits (IPv4 prefixes are given as 96 + n)"};
  }
  if (entry.port == 0) return Error{"target port 0 is not a valid destination port"};
  warden_target_key key{};
  key.prefixlen = kPortPrefixBits + entry.prefixLen;
  key.port = htons(entry.port);
  for (unsigned i = 0; i < sizeof(key.addr.bytes); ++i) {
    const unsigned bitsBefore = i * 8;
    uint8_t mask = 0;
    if (entry.prefixLen >= bitsBefore + 8) {
      mask = 0xff;
    } else if (entry.prefixLen > bitsBefore) {
      mask = static_cast<uint8_t>(0xff << (8 - (entry.prefixLen - bitsBefore)));
    }
    key.addr.bytes[i] = entry.addr[i] & mask;
  }
  return key;
}

warden_target makeTargetValue(const TargetEntry& entry) {
  warden_target value{};
  value.flags = entry.plainHttp ? WARDEN_TARGET_PLAIN : WARDEN_TARGET_TLS;
  return value;
}

warden_conn_key makeConnKey(uint64_t netnsCookie, const Endpoint& client) {
  warden_conn_key key{};
  key.netns_cookie = netnsCookie;
  std::memcpy(key.client_addr.bytes, client.addr.data(), sizeof(key.client_addr.bytes));
  key.client_port = client.port;
  return key;
}

ConnectionOrigin toConnectionOrigin(const warden_origin& origin) {
  ConnectionOrigin out;
  std::memcpy(out.originalDst.addr.data(), origin.dst.bytes, out.originalDst.addr.size());
  out.originalDst.port = ntohs(origin.dst_port);
  out.identity.tgid = origin.tgid;
  out.identity.pid = origin.pid;
  out.identity.uid = origin.uid;
  out.identity.gid = origin.gid;
  out.identity.cgroupId = origin.cgroup_id;
  out.identity.netnsCookie = origin.netns_cookie;
  out.identity.comm.assign(origin.comm, strnlen(origin.comm, sizeof(origin.comm)));
  out.identity.connectNs = origin.connect_ns;
  out.plainHttpTarget = (origin.target_flags & WARDEN_TARGET_PLAIN) != 0;
  return out;
}

warden_settings makeSettings(const RedirectorOptions& options, uint64_t netnsCookie) {
  warden_settings settings{};
  settings.agent_netns_cookie = netnsCookie;
  settings.heartbeat_timeout_ns =
      static_cast<uint64_t>(std::chrono::nanoseconds(options.heartbeatTimeout).count());
  settings.agent_mark = options.agentMark;
  settings.fail_mode = options.failMode == FailMode::Closed ? WARDEN_FAIL_CLOSED : WARDEN_FAIL_OPEN;
  settings.listen_port = htons(options.listenPort);
  return settings;
}

}  // namespace warden::kernel
