// The dead-listener window: right after the agent dies its heartbeat is still
// fresh but its listener is gone. A target connect must then follow the fail
// mode at once, not be sent to a closed port (ECONNREFUSED). Every connect
// here is made with a heartbeat written just before, so only the listener
// lookup can decide.
#include <cerrno>
#include <chrono>

#include "probe_env.h"

namespace probe {
namespace {

using Clock = std::chrono::steady_clock;

long long micros(Clock::duration d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); }

// Fail-open: the connect reaches the server on the address the client dialled.
void expectDirect(Env& env, BpfRedirector& redirector, const Endpoint& target, int family, int upstream,
                  const std::string& what) {
  (void)redirector.heartbeat();
  Connected conn = connectTcp(target, family);
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  UniqueFd accepted = acceptWithin(upstream, kAcceptWait);
  env.checks.expect(accepted.valid(), what + ": the server on the original destination gets it");
  for (const UniqueFd* agent : {&env.net.agent4, &env.net.agent6}) {
    if (agent->valid()) {
      env.checks.expect(!acceptWithin(agent->get(), kNothingWait).valid(), what + ": no agent listener saw it");
    }
  }
  if (accepted.valid()) {
    env.checks.expect(!redirector.lookupConnection(peerName(accepted.get()).endpoint), what + ": no connection record");
  }
}

// Fail-closed: refused by the program itself, so at once and with EPERM.
void expectRefusedAtOnce(Env& env, BpfRedirector& redirector, const Endpoint& target, int family, int upstream,
                         const std::string& what) {
  (void)redirector.heartbeat();
  const auto start = Clock::now();
  Connected conn = connectTcp(target, family);
  const auto took = Clock::now() - start;
  env.checks.expect(conn.err == EPERM, what + ": refused with EPERM in " + std::to_string(micros(took)) + " us",
                    errnoName(conn.err));
  env.checks.expect(took < kHeartbeatTimeout, what + ": refused while the heartbeat is fresh");
  env.checks.expect(!acceptWithin(upstream, kNothingWait).valid(), what + ": the real upstream saw nothing");
}

void expectRedirectedTo(Env& env, BpfRedirector& redirector, const Endpoint& target, int family, int agentListener,
                        const std::string& what) {
  (void)redirector.heartbeat();
  Connected conn = connectTcp(target, family);
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  UniqueFd accepted = acceptWithin(agentListener, kAcceptWait);
  env.checks.expect(accepted.valid(), what + ": the agent listener accepted it");
  if (!accepted.valid()) return;
  auto origin = redirector.lookupConnection(peerName(accepted.get()).endpoint);
  env.checks.expect(origin && origin->originalDst == target, what + ": origin recorded");
}

std::string delta(uint64_t after, uint64_t before) { return std::to_string(after - before); }

}  // namespace

void checkNoListenerFailsOpen(Env& env, BpfRedirector& redirector) {
  const KernelCounters before = redirector.counters();
  const std::string what = "fresh heartbeat, fail-open";

  env.net.agent4.reset();  // the agent's IPv4 listener dies; ::1 stays
  expectDirect(env, redirector, env.net.target4, AF_INET, env.net.upstream4.get(),
               what + ", no 127.0.0.1 listener: IPv4");
  expectDirect(env, redirector, env.net.target4, AF_INET6, env.net.upstream4.get(),
               what + ", no 127.0.0.1 listener: v4-mapped (looked up on 127.0.0.1, not ::1)");
  expectRedirectedTo(env, redirector, env.net.target6, AF_INET6, env.net.agent6.get(),
                     what + ", ::1 listener still up: IPv6 still redirected");
  env.net.agent6.reset();
  expectDirect(env, redirector, env.net.target6, AF_INET6, env.net.upstream6.get(), what + ", no ::1 listener: IPv6");

  const KernelCounters gone = redirector.counters();
  env.checks.expect(gone.noListener - before.noListener == 3, "NO_LISTENER counted 3",
                    delta(gone.noListener, before.noListener));
  env.checks.expect(gone.failOpen - before.failOpen == 3, "FAIL_OPEN counted the same 3",
                    delta(gone.failOpen, before.failOpen));
  env.checks.expect(gone.redirected - before.redirected == 1, "REDIRECTED counted only the IPv6 one",
                    delta(gone.redirected, before.redirected));

  env.checks.expect(reopenAgentListeners(env.net),
                    "agent listeners reopened on port " + std::to_string(env.net.listenPort));
  expectRedirectedTo(env, redirector, env.net.target4, AF_INET, env.net.agent4.get(),
                     "listener back, fail-open: IPv4 redirected again");
  expectRedirectedTo(env, redirector, env.net.target4, AF_INET6, env.net.agent4.get(),
                     "listener back, fail-open: v4-mapped redirected again");
  expectRedirectedTo(env, redirector, env.net.target6, AF_INET6, env.net.agent6.get(),
                     "listener back, fail-open: IPv6 redirected again");
  const KernelCounters back = redirector.counters();
  env.checks.expect(back.noListener == gone.noListener && back.failOpen == gone.failOpen,
                    "listener back: NO_LISTENER and FAIL_OPEN unchanged");
  env.checks.expect(back.redirected - gone.redirected == 3, "listener back: REDIRECTED counted 3",
                    delta(back.redirected, gone.redirected));
}

void checkNoListenerFailsClosed(Env& env, BpfRedirector& redirector) {
  const KernelCounters before = redirector.counters();
  const std::string what = "fresh heartbeat, fail-closed";

  env.net.agent4.reset();
  expectRefusedAtOnce(env, redirector, env.net.target4, AF_INET, env.net.upstream4.get(),
                      what + ", no 127.0.0.1 listener: IPv4");
  expectRefusedAtOnce(env, redirector, env.net.target4, AF_INET6, env.net.upstream4.get(),
                      what + ", no 127.0.0.1 listener: v4-mapped");
  env.net.agent6.reset();
  expectRefusedAtOnce(env, redirector, env.net.target6, AF_INET6, env.net.upstream6.get(),
                      what + ", no ::1 listener: IPv6");

  const KernelCounters gone = redirector.counters();
  env.checks.expect(gone.noListener - before.noListener == 3, "NO_LISTENER counted 3 (fail-closed)",
                    delta(gone.noListener, before.noListener));
  env.checks.expect(gone.failClosed - before.failClosed == 3, "FAIL_CLOSED counted the same 3",
                    delta(gone.failClosed, before.failClosed));

  env.checks.expect(reopenAgentListeners(env.net), "agent listeners reopened (fail-closed)");
  expectRedirectedTo(env, redirector, env.net.target4, AF_INET, env.net.agent4.get(),
                     "listener back, fail-closed: IPv4 redirected again");
  expectRedirectedTo(env, redirector, env.net.target6, AF_INET6, env.net.agent6.get(),
                     "listener back, fail-closed: IPv6 redirected again");
  env.checks.expect(redirector.counters().failClosed == gone.failClosed, "listener back: FAIL_CLOSED unchanged");
}

}  // namespace probe
