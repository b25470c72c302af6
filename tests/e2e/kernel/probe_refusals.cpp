// What is not redirected: QUIC to targets (refused), other network
// namespaces (passed, reported), and everything while the agent's heartbeat
// is stale in fail-open mode.
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "probe_env.h"

namespace probe {
namespace {

// A stale agent in fail-open mode: the connect reaches the real upstream.
void expectDirect(Env& env, const std::string& what) {
  Connected conn = connectTcp(env.net.target4, AF_INET);
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  env.checks.expect(acceptWithin(env.net.upstream4.get(), kAcceptWait).valid(),
                    what + ": goes straight to the real upstream");
  env.checks.expect(!acceptWithin(env.net.agent4.get(), kNothingWait).valid(),
                    what + ": the agent saw nothing");
}

bool bringLoopbackUp() {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (!fd.valid() || ::ioctl(fd.get(), SIOCGIFFLAGS, &ifr) != 0) return false;
  ifr.ifr_flags |= IFF_UP;
  return ::ioctl(fd.get(), SIOCSIFFLAGS, &ifr) == 0;
}

// Runs in a forked child inside a fresh network namespace (still in the test
// cgroup): a connect to the target must reach this namespace's own server.
int connectFromNewNetns(const Endpoint& target) {
  if (::unshare(CLONE_NEWNET) != 0) return 10;
  if (!bringLoopbackUp()) return 11;
  UniqueFd server = listenOn(target);
  if (!server.valid()) return 12;
  Connected conn = connectTcp(target, AF_INET);
  if (conn.err != 0) return 13;
  if (!acceptWithin(server.get(), kAcceptWait).valid()) return 14;
  SocketName peer = peerName(conn.fd.get());
  if (!peer.ok || !(peer.endpoint == target)) return 15;
  return 0;
}

}  // namespace

void checkNeverWrittenHeartbeatFailsOpen(Env& env, BpfRedirector& redirector) {
  const KernelCounters before = redirector.counters();
  expectDirect(env, "heartbeat never written, fail-open");
  env.checks.expect(redirector.counters().failOpen - before.failOpen == 1, "FAIL_OPEN counted 1");
}

void checkQuicRefused(Env& env, BpfRedirector& redirector) {
  const KernelCounters before = redirector.counters();
  Endpoint quic4 = env.net.target4;
  quic4.port = 443;
  Endpoint quic6 = env.net.target6;
  quic6.port = 443;
  Endpoint otherQuic = env.net.nonTarget;
  otherQuic.port = 443;

  int err = udpConnect(quic4, AF_INET);
  env.checks.expect(err == EPERM, "UDP connect " + quic4.toString() + " refused with EPERM", errnoName(err));
  err = udpConnect(quic6, AF_INET6);
  env.checks.expect(err == EPERM, "UDP connect " + quic6.toString() + " refused with EPERM", errnoName(err));
  err = udpSendTo(quic4, AF_INET);
  env.checks.expect(err == EPERM, "UDP sendto " + quic4.toString() + " refused with EPERM", errnoName(err));
  err = udpSendTo(quic6, AF_INET6);
  env.checks.expect(err == EPERM, "UDP sendto " + quic6.toString() + " refused with EPERM", errnoName(err));
  err = udpSendTo(quic4, AF_INET6);
  env.checks.expect(err == EPERM, "UDP sendto v4-mapped " + quic4.toString() + " refused with EPERM",
                    errnoName(err));
  err = udpSendTo(otherQuic, AF_INET);
  env.checks.expect(err == 0, "UDP sendto non-target " + otherQuic.toString() + " allowed", errnoName(err));
  err = udpSendTo(env.net.target4, AF_INET);
  env.checks.expect(err == 0, "UDP sendto target address on a non-443 port allowed", errnoName(err));

  const KernelCounters after = redirector.counters();
  env.checks.expect(after.quicRefused - before.quicRefused == 5, "QUIC_REFUSED counted 5",
                    std::to_string(after.quicRefused - before.quicRefused));
}

void checkOtherNetnsNotCovered(Env& env, BpfRedirector& redirector) {
  (void)redirector.heartbeat();  // the agent is alive: only the netns decides
  const KernelCounters before = redirector.counters();
  pid_t child = ::fork();
  if (child == 0) ::_exit(connectFromNewNetns(env.net.target4));
  int status = 0;
  ::waitpid(child, &status, 0);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  env.checks.expect(code == 0, "connect from a test-made netns reaches that netns's server untouched",
                    "child exit " + std::to_string(code));
  const KernelCounters after = redirector.counters();
  env.checks.expect(after.notCovered - before.notCovered == 1, "NOT_COVERED counted 1",
                    std::to_string(after.notCovered - before.notCovered));
  env.checks.expect(after.redirected == before.redirected, "nothing redirected from the other netns");
}

void checkTargetUpdates(Env& env, BpfRedirector& redirector) {
  (void)redirector.heartbeat();
  auto targets = env.targets();
  targets.erase(targets.begin());  // drop target4
  auto ok = redirector.setTargets(targets);
  env.checks.expect(ok.ok(), "setTargets without " + env.net.target4.toString(),
                    ok.ok() ? "" : ok.error().message);
  const KernelCounters before = redirector.counters();
  expectDirect(env, "removed target");
  env.checks.expect(redirector.counters().redirected == before.redirected, "removed target: not redirected");
  ok = redirector.setTargets(env.targets());
  env.checks.expect(ok.ok(), "setTargets restores " + env.net.target4.toString());
  Connected conn = connectTcp(env.net.target4, AF_INET);
  env.checks.expect(conn.err == 0 && acceptWithin(env.net.agent4.get(), kAcceptWait).valid(),
                    "restored target is redirected again");
}

void checkStaleHeartbeatFailsOpen(Env& env, BpfRedirector& redirector) {
  (void)redirector.heartbeat();
  std::this_thread::sleep_for(kStaleWait);  // then stop refreshing
  const KernelCounters before = redirector.counters();
  expectDirect(env, "stale heartbeat, fail-open");
  env.checks.expect(redirector.counters().failOpen - before.failOpen == 1, "FAIL_OPEN counted 1");
}

}  // namespace probe
