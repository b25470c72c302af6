// Shared state of the kernel probe: the test's cgroup and pin directory, the
// loopback listeners standing in for the agent and the real upstreams, and a
// check tally.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "kernel/bpf_redirector.h"
#include "probe_sockets.h"

namespace probe {

using namespace std::chrono_literals;
using warden::kernel::BpfRedirector;
using warden::kernel::FailMode;
using warden::kernel::KernelCounters;

constexpr uint32_t kAgentMark = 0x5741;
constexpr auto kHeartbeatTimeout = 300ms;
constexpr auto kStaleWait = kHeartbeatTimeout + 250ms;
constexpr auto kAcceptWait = 2000ms;
constexpr auto kNothingWait = 100ms;  // "no connection arrived" window

class Checks {
 public:
  void expect(bool condition, const std::string& name, const std::string& detail = "");
  int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

struct Network {
  uint16_t listenPort = 0;
  UniqueFd agent4;     // the agent: 127.0.0.1:listenPort
  UniqueFd agent6;     // the agent: [::1]:listenPort
  Endpoint target4;    // 127.0.0.2:P, a target with a real server behind it
  UniqueFd upstream4;
  Endpoint target6;    // [::1]:P6, an IPv6 target with a real server behind it
  UniqueFd upstream6;
  Endpoint nonTarget;  // 127.0.0.3:N, not a target
  UniqueFd other;
};

struct Env {
  std::string cgroupPath;
  std::string pinDir;
  uint64_t cgroupId = 0;
  Network net;
  Checks checks;

  warden::kernel::RedirectorOptions options(FailMode mode) const;
  std::vector<warden::kernel::TargetEntry> targets() const;
};

// Binds every listener on loopback with kernel-chosen ports.
bool setUpNetwork(Network& net);
// Binds the agent listeners that were closed again, on listenPort.
bool reopenAgentListeners(Network& net);

// Read through the pins, so they work after the agent that owned them died.
uint64_t pinnedCounter(const Env& env, uint32_t counter);
std::optional<std::chrono::nanoseconds> pinnedHeartbeatAge(const Env& env);

// Number of programs attached to the cgroup for one hook (BPF_PROG_QUERY).
int attachedPrograms(const std::string& cgroupPath, int attachType);
bool pathExists(const std::string& path);
std::string errnoName(int err);

// The scenarios, in the order main runs them.
void checkAttachedState(Env& env, const BpfRedirector& redirector);
void checkNeverWrittenHeartbeatFailsOpen(Env& env, BpfRedirector& redirector);
void checkRedirects(Env& env, BpfRedirector& redirector);
void checkQuicRefused(Env& env, BpfRedirector& redirector);
void checkOtherNetnsNotCovered(Env& env, BpfRedirector& redirector);
void checkTargetUpdates(Env& env, BpfRedirector& redirector);
void checkNoListenerFailsOpen(Env& env, BpfRedirector& redirector);
void checkStaleHeartbeatFailsOpen(Env& env, BpfRedirector& redirector);
void checkDetached(Env& env, BpfRedirector& redirector);
void checkCrashAndFailClosed(Env& env);
void checkNoListenerFailsClosed(Env& env, BpfRedirector& redirector);  // run by the above

}  // namespace probe
