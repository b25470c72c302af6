// Attach, pins, detach, and the crash path: a SIGKILLed agent leaves its
// programs attached through the pins, fail-closed keeps refusing, and the
// next agent replaces the stale pins instead of stacking a second copy.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <utility>

#include "probe_env.h"

namespace probe {
namespace {

const std::pair<int, const char*> kHooks[] = {
    {BPF_CGROUP_INET4_CONNECT, "connect4"},         {BPF_CGROUP_INET6_CONNECT, "connect6"},
    {BPF_CGROUP_UDP4_SENDMSG, "sendmsg4"},          {BPF_CGROUP_UDP6_SENDMSG, "sendmsg6"},
    {BPF_CGROUP_INET4_GETPEERNAME, "getpeername4"}, {BPF_CGROUP_INET6_GETPEERNAME, "getpeername6"},
    {BPF_CGROUP_SOCK_OPS, "sock_ops"},
};

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

// A forked "agent" that attaches fail-closed, beats once and waits to be killed.
pid_t startDoomedAgent(Env& env, int readyFd) {
  pid_t child = ::fork();
  if (child != 0) return child;
  char status = 'E';
  auto agent = BpfRedirector::attach(env.options(FailMode::Closed));
  if (agent.ok() && (*agent)->setTargets(env.targets()).ok() && (*agent)->heartbeat().ok()) status = 'Y';
  (void)!::write(readyFd, &status, 1);
  for (;;) ::pause();
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

  auto rival = BpfRedirector::attach(env.options(FailMode::Closed));
  env.checks.expect(!rival.ok() && rival.error().message.find("alive") != std::string::npos,
                    "a second agent is refused while the first one's heartbeat is fresh",
                    rival.ok() ? "attached" : rival.error().message);

  ::kill(doomed, SIGKILL);
  ::waitpid(doomed, nullptr, 0);
  expectProgramsPerHook(env, 1, "agent SIGKILLed");
  env.checks.expect(pathExists(env.pinDir + "/links/warden_connect4"), "pins survive the agent");
  std::this_thread::sleep_for(kStaleWait);
  expectRefused(env, "dead agent, fail-closed");

  auto next = BpfRedirector::attach(env.options(FailMode::Closed));
  env.checks.expect(next.ok(), "a new agent replaces the dead agent's pins",
                    next.ok() ? "" : next.error().message);
  if (!next.ok()) return;
  BpfRedirector& redirector = **next;
  expectProgramsPerHook(env, 1, "after replacing stale pins");
  env.checks.expect(redirector.setTargets(env.targets()).ok(), "setTargets on the new agent");
  expectRefused(env, "new agent before its first heartbeat, fail-closed");
  env.checks.expect(redirector.counters().failClosed == 1, "FAIL_CLOSED counted 1",
                    std::to_string(redirector.counters().failClosed));

  env.checks.expect(redirector.heartbeat().ok(), "heartbeat()");
  expectRedirected(env, redirector, "fail-closed agent alive");

  std::this_thread::sleep_for(kStaleWait);
  expectRefused(env, "stale heartbeat, fail-closed");
  env.checks.expect(redirector.counters().failClosed == 2, "FAIL_CLOSED counted 2",
                    std::to_string(redirector.counters().failClosed));

  checkDetached(env, redirector);
}

}  // namespace probe
