// Owns warden's BPF programs on one cgroup: loads the skeleton, writes the
// settings, pins maps and links under a pin directory (so fail-closed holds
// while the agent is down), and gives the agent typed access to the maps.
//
// Pins: <pinDir>/maps/warden_* and <pinDir>/links/warden_*. pinDir must be on
// bpffs; if its parent is /sys/fs/bpf and bpffs is not mounted there, it is
// mounted. A SIGKILLed agent leaves the pins, so its programs stay attached;
// its listener is gone at once and its heartbeat goes stale, either of which
// makes the fail mode apply until the next agent replaces the pins.
//
// The only place outside kernel/ that sees BPF is through this interface.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "core/result.h"

namespace warden::kernel {

enum class FailMode { Open, Closed };

struct RedirectorOptions {
  std::string cgroupPath;  // cgroup v2 directory to attach to
  std::string pinDir;      // e.g. /sys/fs/bpf/warden (see the pin notes above)
  uint16_t listenPort = 0; // agent listener on 127.0.0.1 and ::1
  uint32_t agentMark = 0;  // SO_MARK of the agent's own sockets
  FailMode failMode = FailMode::Open;
  std::chrono::milliseconds heartbeatTimeout{1000};
  uint64_t agentNetnsCookie = 0;  // only connects from this netns are redirected; 0 = ours
};

// One entry of the target map: a CIDR plus a port.
struct TargetEntry {
  std::array<uint8_t, 16> addr{};  // IPv6 bytes; IPv4 as v4-mapped
  uint8_t prefixLen = 128;         // over the 128-bit (mapped) address
  uint16_t port = 443;             // host byte order
  bool plainHttp = false;

  friend bool operator==(const TargetEntry&, const TargetEntry&) = default;
};

struct KernelCounters {
  uint64_t redirected = 0;
  uint64_t passed = 0;
  uint64_t agentOwn = 0;
  uint64_t quicRefused = 0;
  uint64_t notCovered = 0;
  uint64_t failOpen = 0;
  uint64_t failClosed = 0;
  uint64_t peernameRewritten = 0;
  uint64_t originMissing = 0;
  // Target connects that found a fresh heartbeat but no agent listener (the
  // agent just died); each is also in failOpen or failClosed.
  uint64_t noListener = 0;
};

class BpfRedirector {
 public:
  // Opens, loads and attaches every program to options.cgroupPath. Stale pins
  // left by a crashed agent in pinDir are replaced (its links are unpinned
  // first, so its programs detach). If another agent's heartbeat in pinDir is
  // fresh, blocks (polling every 100 ms) up to heartbeatTimeout + 500 ms for
  // it to go stale, as a crashed agent's does, and refuses if it stays fresh.
  // The heartbeat starts unwritten (= stale): call heartbeat() once the
  // listener accepts, until then the fail mode applies. Target connects are
  // redirected only while a TCP listener is on listenPort in the caller's
  // network namespace (127.0.0.1, or ::1 for native IPv6).
  static Result<std::unique_ptr<BpfRedirector>> attach(const RedirectorOptions& options);

  ~BpfRedirector();  // detach(): unpins and destroys links
  BpfRedirector(const BpfRedirector&) = delete;
  BpfRedirector& operator=(const BpfRedirector&) = delete;

  // Makes the target map hold exactly `targets` (adds new, removes gone).
  Status setTargets(const std::vector<TargetEntry>& targets);

  // Writes CLOCK_MONOTONIC now into the heartbeat map. Call it more often
  // than heartbeatTimeout.
  Status heartbeat();

  // Looks up a redirected connection by the client's address and port as seen
  // from accept(). Thread-safe (one map syscall).
  std::optional<ConnectionOrigin> lookupConnection(const Endpoint& client) const;

  // Summed over CPUs; zeros after detach().
  KernelCounters counters() const;
  // "warden_connect4", ... in skeleton order.
  std::vector<std::string> programNames() const;
  const std::string& cgroupPath() const;

  // Detaches and unpins everything now. Idempotent. Not safe concurrently
  // with the other calls: stop the workers first.
  void detach();

  struct Impl;  // public so kernel/ helpers can name it; defined in the .cpp

 private:
  explicit BpfRedirector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};


// The calling process's network namespace cookie (SO_NETNS_COOKIE).
Result<uint64_t> currentNetnsCookie();

}  // namespace warden::kernel
