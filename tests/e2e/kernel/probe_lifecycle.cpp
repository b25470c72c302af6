// Attach, pins, detach, and the crash path: a live agent keeps a second one
// out; a SIGKILLed agent leaves its programs attached through the pins, they
// refuse at once in fail-closed mode because its listener is gone, and the
// restarted agent waits for the dead heartbeat to go stale, then replaces the
// stale pins instead of stacking a second copy.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "kernel/heartbeat_wait.h"
#include "probe_env.h"
#include "warden_abi.h"

namespace probe {
namespace {

using warden::Result;
using warden::kernel::kHeartbeatWaitGrace;

const std::pair<int, const char*> kHooks[] = {
    {BPF_CGROUP_INET4_CONNECT, "connect4"},         {BPF_CGROUP_INET6_CONNECT, "connect6"},
    {BPF_CGROUP_UDP4_SENDMSG, "sendmsg4"},          {BPF_CGROUP_UDP6_SENDMSG, "sendmsg6"},
    {BPF_CGROUP_INET4_GETPEERNAME, "getpeername4"}, {BPF_CGROUP_INET6_GETPEERNAME, "getpeername6"},
    {BPF_CGROUP_SOCK_OPS, "sock_ops"},
};

constexpr auto kDoomedBeat = 50ms;  // well inside kHeartbeatTimeout, like a real agent

void expectProgramsPerHook(Env& env, int expected, const std::string& when) {
  for (const auto& [type, name] : kHooks) {
    const int count = attachedPrograms(env.cgroupPath, type);
    env.checks.expect(count == expected,
                      when + ": " + std::to_string(expected) + " program(s) on " + name,
                      "found " + std::to_string(count));
  }
}

void expectRefused(Env& env, const std::string& what) {
  Connected conn = connectTcp(env.net.target4, AF_INET);
  env.checks.expect(conn.err == EPERM, what + ": connect refused with EPERM", errnoName(conn.err));
  env.checks.expect(!acceptWithin(env.net.upstream4.get(), kNothingWait).valid(),
                    what + ": the real upstream saw nothing");
}

void expectRedirected(Env& env, BpfRedirector& redirector, const std::string& what) {
  Connected conn = connectTcp(env.net.target4, AF_INET);
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  UniqueFd accepted = acceptWithin(env.net.agent4.get(), kAcceptWait);
  env.checks.expect(accepted.valid(), what + ": the agent accepted it");
  if (!accepted.valid()) return;
  auto origin = redirector.lookupConnection(peerName(accepted.get()).endpoint);
  env.checks.expect(origin && origin->originalDst == env.net.target4, what + ": origin recorded");
}

// A forked "agent" that attaches fail-closed and beats until it is killed,
// like wardend. It shares the agent listeners with the probe; once the probe
// closes its copy, the listener dies with this process.
pid_t startDoomedAgent(Env& env, int readyFd) {
  pid_t child = ::fork();
  if (child != 0) return child;
  char status = 'E';
  auto agent = BpfRedirector::attach(env.options(FailMode::Closed));
  if (agent.ok() && (*agent)->setTargets(env.targets()).ok() && (*agent)->heartbeat().ok()) status = 'Y';
  (void)!::write(readyFd, &status, 1);
  for (;;) {
    if (agent.ok()) (void)(*agent)->heartbeat();
    std::this_thread::sleep_for(kDoomedBeat);
  }
}

long long millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// While the first agent keeps beating, a second one waits the whole window
// and is then refused: two agents would detach each other's programs.
void expectLiveAgentRefused(Env& env) {
  const auto start = std::chrono::steady_clock::now();
  auto rival = BpfRedirector::attach(env.options(FailMode::Closed));
  const auto took = std::chrono::steady_clock::now() - start;
  env.checks.expect(!rival.ok() && rival.error().message.find("alive") != std::string::npos,
                    "a second agent is refused while the first one keeps beating",
                    rival.ok() ? "attached" : rival.error().message);
  env.checks.expect(took >= kHeartbeatTimeout + kHeartbeatWaitGrace && took < kHeartbeatTimeout + 2s,
                    "it waited " + std::to_string(millis(took)) + " ms (timeout + 500 ms = " +
                        std::to_string(millis(kHeartbeatTimeout + kHeartbeatWaitGrace)) + " ms) before refusing");
}

// Right after the kill the dead agent's heartbeat is fresh but its listener is
// gone: its pinned programs must refuse at once, not redirect to a dead port.
void expectDeadListenerRefused(Env& env) {
  const uint64_t noListenerBefore = pinnedCounter(env, WARDEN_CTR_NO_LISTENER);
  const auto start = std::chrono::steady_clock::now();
  Connected conn = connectTcp(env.net.target4, AF_INET);
  const auto took = std::chrono::steady_clock::now() - start;
  const auto age = pinnedHeartbeatAge(env);
  const std::string what = "agent SIGKILLed, heartbeat still fresh, fail-closed";
  env.checks.expect(conn.err == EPERM,
                    what + ": connect refused with EPERM in " +
                        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(took).count()) + " us",
                    errnoName(conn.err));
  env.checks.expect(age && *age < kHeartbeatTimeout,
                    what + ": the dead agent's heartbeat was " +
                        (age ? std::to_string(millis(*age)) + " ms old" : std::string("missing")) +
                        " (fresh), so the missing listener decided");
  env.checks.expect(pinnedCounter(env, WARDEN_CTR_NO_LISTENER) - noListenerBefore == 1,
                    what + ": NO_LISTENER counted 1 (read through the pin)");
  env.checks.expect(!acceptWithin(env.net.upstream4.get(), kNothingWait).valid(),
                    what + ": the real upstream saw nothing");
}

// A restarted agent (systemd RestartSec) finds the dead agent's heartbeat
// still fresh: it waits for it to go stale instead of failing to start.
Result<std::unique_ptr<BpfRedirector>> restartAgent(Env& env) {
  const auto age = pinnedHeartbeatAge(env);
  const auto start = std::chrono::steady_clock::now();
  auto next = BpfRedirector::attach(env.options(FailMode::Closed));
  const auto took = std::chrono::steady_clock::now() - start;
  env.checks.expect(next.ok(),
                    "a restarted agent takes over the dead agent's pins after " + std::to_string(millis(took)) +
                        " ms (its heartbeat was " + (age ? std::to_string(millis(*age)) : std::string("?")) +
                        " ms old)",
                    next.ok() ? "" : next.error().message);
  env.checks.expect(age && *age < kHeartbeatTimeout && took >= kHeartbeatTimeout - *age,
                    "the restarted agent waited for the dead heartbeat to go stale");
  env.checks.expect(took < kHeartbeatTimeout + kHeartbeatWaitGrace, "and did not wait the whole window");
  return next;
}

}  // namespace

void checkAttachedState(Env& env, const BpfRedirector& redirector) {
  env.checks.expect(redirector.programNames().size() == 7, "seven programs loaded",
                    std::to_string(redirector.programNames().size()));
  env.checks.expect(redirector.cgroupPath() == env.cgroupPath, "cgroupPath()");
  expectProgramsPerHook(env, 1, "attached");
  for (const char* map : {"warden_targets", "warden_settings", "warden_heartbeat", "warden_origins",
                          "warden_conns", "warden_counters"}) {
    env.checks.expect(pathExists(env.pinDir + "/maps/" + map), std::string("map pinned: ") + map);
  }
  for (const auto& name : redirector.programNames()) {
    env.checks.expect(pathExists(env.pinDir + "/links/" + name), "link pinned: " + name);
  }
}

void checkDetached(Env& env, BpfRedirector& redirector) {
  redirector.detach();
  redirector.detach();  // idempotent
  expectProgramsPerHook(env, 0, "after detach");
  env.checks.expect(!pathExists(env.pinDir), "pin directory removed after detach");
  env.checks.expect(redirector.counters().redirected == 0 && !redirector.heartbeat().ok(),
                    "a detached redirector reports nothing and refuses writes");
  Connected conn = connectTcp(env.net.target4, AF_INET);
  env.checks.expect(conn.err == 0 && acceptWithin(env.net.upstream4.get(), kAcceptWait).valid(),
                    "after detach the target is reached directly");
}

void checkCrashAndFailClosed(Env& env) {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    env.checks.expect(false, "pipe for the doomed agent");
    return;
  }
  pid_t doomed = startDoomedAgent(env, ready[1]);
  ::close(ready[1]);
  char status = 0;
  (void)!::read(ready[0], &status, 1);
  ::close(ready[0]);
  env.checks.expect(status == 'Y', "a fail-closed agent attaches in a child process");
  env.net.agent4.reset();  // from now on the 127.0.0.1 listener lives only in the doomed agent

  expectLiveAgentRefused(env);

  ::kill(doomed, SIGKILL);
  ::waitpid(doomed, nullptr, 0);
  expectProgramsPerHook(env, 1, "agent SIGKILLed");
  env.checks.expect(pathExists(env.pinDir + "/links/warden_connect4"), "pins survive the agent");
  expectDeadListenerRefused(env);

  env.checks.expect(reopenAgentListeners(env.net), "agent listeners reopened for the restarted agent");
  auto next = restartAgent(env);
  if (!next.ok()) return;
  BpfRedirector& redirector = **next;
  expectProgramsPerHook(env, 1, "after replacing stale pins");
  env.checks.expect(redirector.setTargets(env.targets()).ok(), "setTargets on the new agent");
  expectRefused(env, "new agent before its first heartbeat, fail-closed");
  env.checks.expect(redirector.counters().failClosed == 1, "FAIL_CLOSED counted 1",
                    std::to_string(redirector.counters().failClosed));
  env.checks.expect(redirector.counters().noListener == 0, "NO_LISTENER 0: the heartbeat decided");

  env.checks.expect(redirector.heartbeat().ok(), "heartbeat()");
  expectRedirected(env, redirector, "fail-closed agent alive");

  checkNoListenerFailsClosed(env, redirector);

  std::this_thread::sleep_for(kStaleWait);
  const uint64_t failClosedBefore = redirector.counters().failClosed;
  expectRefused(env, "stale heartbeat, fail-closed");
  env.checks.expect(redirector.counters().failClosed - failClosedBefore == 1, "FAIL_CLOSED counted 1 more",
                    std::to_string(redirector.counters().failClosed - failClosedBefore));

  checkDetached(env, redirector);
}

}  // namespace probe
