#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "probe_env.h"

namespace probe {

void Checks::expect(bool condition, const std::string& name, const std::string& detail) {
  if (condition) {
    std::printf("ok   %s\n", name.c_str());
  } else {
    ++failures_;
    std::printf("FAIL %s%s%s\n", name.c_str(), detail.empty() ? "" : ": ", detail.c_str());
  }
  std::fflush(stdout);
}

warden::kernel::RedirectorOptions Env::options(FailMode mode) const {
  warden::kernel::RedirectorOptions options;
  options.cgroupPath = cgroupPath;
  options.pinDir = pinDir;
  options.listenPort = net.listenPort;
  options.agentMark = kAgentMark;
  options.failMode = mode;
  options.heartbeatTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(kHeartbeatTimeout);
  return options;
}

std::vector<warden::kernel::TargetEntry> Env::targets() const {
  auto entry = [](const Endpoint& ep, uint16_t port, bool plain) {
    warden::kernel::TargetEntry e;
    e.addr = ep.addr;
    e.prefixLen = 128;
    e.port = port;
    e.plainHttp = plain;
    return e;
  };
  return {
      entry(net.target4, net.target4.port, false),
      entry(net.target6, net.target6.port, true),
      entry(net.target4, 443, false),  // QUIC to these must be refused
      entry(net.target6, 443, false),
  };
}

bool setUpNetwork(Network& net) {
  // The agent needs one port on both 127.0.0.1 and ::1.
  for (int attempt = 0; attempt < 20 && !net.agent6.valid(); ++attempt) {
    net.agent4 = listenOn(*Endpoint::parseAddress("127.0.0.1", 0));
    if (!net.agent4.valid()) return false;
    net.listenPort = localName(net.agent4.get()).endpoint.port;
    net.agent6 = listenOn(*Endpoint::parseAddress("::1", net.listenPort));
  }
  net.upstream4 = listenOn(*Endpoint::parseAddress("127.0.0.2", 0));
  net.upstream6 = listenOn(*Endpoint::parseAddress("::1", 0));
  net.other = listenOn(*Endpoint::parseAddress("127.0.0.3", 0));
  if (!net.agent6.valid() || !net.upstream4.valid() || !net.upstream6.valid() || !net.other.valid()) {
    return false;
  }
  net.target4 = localName(net.upstream4.get()).endpoint;
  net.target6 = localName(net.upstream6.get()).endpoint;
  net.nonTarget = localName(net.other.get()).endpoint;
  return true;
}

bool reopenAgentListeners(Network& net) {
  if (!net.agent4.valid()) net.agent4 = listenOn(*Endpoint::parseAddress("127.0.0.1", net.listenPort));
  if (!net.agent6.valid()) net.agent6 = listenOn(*Endpoint::parseAddress("::1", net.listenPort));
  return net.agent4.valid() && net.agent6.valid();
}

uint64_t pinnedCounter(const Env& env, uint32_t counter) {
  UniqueFd map(bpf_obj_get((env.pinDir + "/maps/warden_counters").c_str()));
  const int cpus = libbpf_num_possible_cpus();
  if (!map.valid() || cpus <= 0) return 0;
  std::vector<uint64_t> perCpu(static_cast<size_t>(cpus));
  if (bpf_map_lookup_elem(map.get(), &counter, perCpu.data()) != 0) return 0;
  uint64_t total = 0;
  for (uint64_t v : perCpu) total += v;
  return total;
}

std::optional<std::chrono::nanoseconds> pinnedHeartbeatAge(const Env& env) {
  UniqueFd map(bpf_obj_get((env.pinDir + "/maps/warden_heartbeat").c_str()));
  uint32_t zero = 0;
  uint64_t beat = 0;
  if (!map.valid() || bpf_map_lookup_elem(map.get(), &zero, &beat) != 0 || beat == 0) return std::nullopt;
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t nowNs = static_cast<uint64_t>(now.tv_sec) * 1000000000ULL + static_cast<uint64_t>(now.tv_nsec);
  return std::chrono::nanoseconds(nowNs > beat ? nowNs - beat : 0);
}

int attachedPrograms(const std::string& cgroupPath, int attachType) {
  UniqueFd cgroup(::open(cgroupPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup.valid()) return -1;
  __u32 ids[16];
  __u32 count = 16;
  __u32 flags = 0;
  if (bpf_prog_query(cgroup.get(), static_cast<bpf_attach_type>(attachType), 0, &flags, ids, &count) != 0) {
    return -1;
  }
  return static_cast<int>(count);
}

bool pathExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string errnoName(int err) { return err == 0 ? "success" : std::strerror(err); }

}  // namespace probe
