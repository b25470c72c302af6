// Redirect scenarios: who dialled what is recorded, the agent finds it from
// accept(), the client still sees the address it dialled, and the record goes
// away when the connection closes.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "kernel/bpf_redirector.h"
#include "probe_env.h"
#include "warden_abi.h"

namespace probe {
namespace {

constexpr uint32_t kNobody = 65534;

struct Open {
  UniqueFd client;
  UniqueFd accepted;
  Endpoint peer;  // the client end, as the agent sees it
};

// What the conns map holds, through its pin: shown when a lookup misses.
std::string describeConns(const Env& env) {
  UniqueFd conns(bpf_obj_get((env.pinDir + "/maps/warden_conns").c_str()));
  if (!conns.valid()) return "conns map pin unreadable";
  std::string out = "conns holds:";
  warden_conn_key key{};
  warden_conn_key next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(conns.get(), prev, &next) == 0) {
    Endpoint client;
    std::memcpy(client.addr.data(), next.client_addr.bytes, 16);
    client.port = next.client_port;
    out += " " + client.toString() + "@netns" + std::to_string(next.netns_cookie);
    key = next;
    prev = &key;
  }
  UniqueFd origins(bpf_obj_get((env.pinDir + "/maps/warden_origins").c_str()));
  out += "; origins holds:";
  __u64 cookie = 0;
  __u64 nextCookie = 0;
  const void* prevCookie = nullptr;
  while (origins.valid() && bpf_map_get_next_key(origins.get(), prevCookie, &nextCookie) == 0) {
    warden_origin origin{};
    if (bpf_map_lookup_elem(origins.get(), &nextCookie, &origin) == 0) {
      out += " cookie" + std::to_string(nextCookie) + "/tgid" + std::to_string(origin.tgid);
    }
    cookie = nextCookie;
    prevCookie = &cookie;
  }
  return out;
}

std::string show(const SocketName& name) {
  return name.ok ? name.endpoint.toString() + (name.family == AF_INET6 ? " (AF_INET6)" : " (AF_INET)")
                 : "getpeername failed";
}

// Accepts a redirected connection on the agent listener and looks it up.
std::optional<warden::ConnectionOrigin> acceptRedirected(Env& env, BpfRedirector& redirector,
                                                        int agentListener, const Endpoint& target,
                                                        const std::string& what, Open& open) {
  open.accepted = acceptWithin(agentListener, kAcceptWait);
  env.checks.expect(open.accepted.valid(), what + ": the agent listener accepted it");
  auto stray = target.isV4Mapped() ? acceptWithin(env.net.upstream4.get(), kNothingWait)
                                   : acceptWithin(env.net.upstream6.get(), kNothingWait);
  env.checks.expect(!stray.valid(), what + ": the real upstream saw nothing");
  if (!open.accepted.valid()) return std::nullopt;
  open.peer = peerName(open.accepted.get()).endpoint;
  auto origin = redirector.lookupConnection(open.peer);
  env.checks.expect(origin.has_value(), what + ": lookupConnection finds " + open.peer.toString(),
                    describeConns(env));
  if (origin) {
    env.checks.expect(origin->originalDst == target, what + ": original destination",
                      origin->originalDst.toString() + " != " + target.toString());
  }
  return origin;
}

void checkV4FromThread(Env& env, BpfRedirector& redirector, std::vector<Open>& open) {
  (void)redirector.heartbeat();  // the agent is alive throughout
  Connected conn;
  SocketName peer;
  pid_t tid = 0;
  std::thread client([&] {
    pthread_setname_np(pthread_self(), "probe-thread");
    tid = ::gettid();
    conn = connectTcp(env.net.target4, AF_INET);
    peer = peerName(conn.fd.get());
  });
  client.join();
  const std::string what = "IPv4 " + env.net.target4.toString() + " from a thread";
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  env.checks.expect(peer.ok && peer.family == AF_INET && peer.endpoint == env.net.target4,
                    what + ": getpeername shows the dialled address", show(peer));
  Open entry;
  entry.client = std::move(conn.fd);
  auto origin = acceptRedirected(env, redirector, env.net.agent4.get(), env.net.target4, what, entry);
  if (origin) {
    const auto& id = origin->identity;
    env.checks.expect(id.tgid == static_cast<uint32_t>(::getpid()), what + ": tgid is the process",
                      std::to_string(id.tgid));
    env.checks.expect(id.pid == static_cast<uint32_t>(tid) && id.pid != id.tgid,
                      what + ": pid is the calling thread", std::to_string(id.pid));
    env.checks.expect(id.uid == ::getuid() && id.gid == ::getgid(), what + ": uid/gid",
                      std::to_string(id.uid) + "/" + std::to_string(id.gid));
    env.checks.expect(id.cgroupId == env.cgroupId, what + ": cgroup id is the test cgroup's inode",
                      std::to_string(id.cgroupId) + " != " + std::to_string(env.cgroupId));
    env.checks.expect(id.comm == "probe-thread", what + ": comm", id.comm);
    auto cookie = warden::kernel::currentNetnsCookie();
    env.checks.expect(cookie.ok() && id.netnsCookie == *cookie, what + ": netns cookie");
    env.checks.expect(!origin->plainHttpTarget, what + ": TLS target flag");
  }
  open.push_back(std::move(entry));
}

// A child with another uid, gid and comm: the record names it, not us.
void checkOtherUser(Env& env, BpfRedirector& redirector) {
  (void)redirector.heartbeat();  // the agent is alive throughout
  int ready[2];
  int done[2];
  if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(done, O_CLOEXEC) != 0) {
    env.checks.expect(false, "pipes for the uid child");
    return;
  }
  pid_t child = ::fork();
  if (child == 0) {
    ::prctl(PR_SET_NAME, "probe-nobody");
    char status = 'E';
    Connected conn;  // stays open until the parent has looked it up
    if (::setgroups(0, nullptr) == 0 && ::setgid(kNobody) == 0 && ::setuid(kNobody) == 0) {
      conn = connectTcp(env.net.target4, AF_INET);
      SocketName peer = peerName(conn.fd.get());
      status = (conn.err == 0 && peer.ok && peer.endpoint == env.net.target4) ? 'Y' : 'N';
    }
    (void)!::write(ready[1], &status, 1);
    char byte;
    (void)!::read(done[0], &byte, 1);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(done[0]);
  char status = 0;
  (void)!::read(ready[0], &status, 1);
  const std::string what = "IPv4 from uid 65534 child";
  env.checks.expect(status == 'Y', what + ": connect succeeds and getpeername shows the target",
                    std::string(1, status));
  Open entry;
  auto origin = acceptRedirected(env, redirector, env.net.agent4.get(), env.net.target4, what, entry);
  if (origin) {
    const auto& id = origin->identity;
    env.checks.expect(id.tgid == static_cast<uint32_t>(child) && id.pid == id.tgid,
                      what + ": tgid/pid are the child", std::to_string(id.tgid));
    env.checks.expect(id.uid == kNobody && id.gid == kNobody, what + ": uid/gid 65534",
                      std::to_string(id.uid) + "/" + std::to_string(id.gid));
    env.checks.expect(id.comm == "probe-nobody", what + ": comm", id.comm);
    env.checks.expect(id.cgroupId == env.cgroupId, what + ": cgroup id");
  }
  (void)!::write(done[1], "x", 1);
  ::close(done[1]);
  ::close(ready[0]);
  ::waitpid(child, nullptr, 0);
  // The child's socket is closed now; its record must go with it.
  entry.accepted.reset();
  bool gone = false;
  for (int i = 0; i < 40 && !gone; ++i) {
    gone = !redirector.lookupConnection(entry.peer).has_value();
    if (!gone) std::this_thread::sleep_for(50ms);
  }
  env.checks.expect(gone, what + ": connection record removed after close");
}

void checkIpv6(Env& env, BpfRedirector& redirector, std::vector<Open>& open) {
  (void)redirector.heartbeat();  // the agent is alive throughout
  const std::string what = "IPv6 " + env.net.target6.toString();
  Connected conn = connectTcp(env.net.target6, AF_INET6);
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  SocketName peer = peerName(conn.fd.get());
  env.checks.expect(peer.ok && peer.family == AF_INET6 && peer.endpoint == env.net.target6,
                    what + ": getpeername shows the dialled address", show(peer));
  Open entry;
  entry.client = std::move(conn.fd);
  auto origin = acceptRedirected(env, redirector, env.net.agent6.get(), env.net.target6, what, entry);
  if (origin) env.checks.expect(origin->plainHttpTarget, what + ": plain-HTTP target flag");
  open.push_back(std::move(entry));
}

void checkV4Mapped(Env& env, BpfRedirector& redirector, std::vector<Open>& open) {
  (void)redirector.heartbeat();  // the agent is alive throughout
  const std::string what = "v4-mapped [::ffff:" + env.net.target4.addressString() + "]:" +
                           std::to_string(env.net.target4.port) + " on an IPv6 socket";
  Connected conn = connectTcp(env.net.target4, AF_INET6);
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  SocketName peer = peerName(conn.fd.get());
  env.checks.expect(peer.ok && peer.family == AF_INET6 && peer.endpoint == env.net.target4,
                    what + ": getpeername shows the v4-mapped address", show(peer));
  SocketName local = localName(conn.fd.get());
  env.checks.expect(local.ok && local.endpoint.isV4Mapped(),
                    what + ": rewritten to ::ffff:127.0.0.1, not ::1", show(local));
  Open entry;
  entry.client = std::move(conn.fd);
  acceptRedirected(env, redirector, env.net.agent4.get(), env.net.target4, what, entry);
  open.push_back(std::move(entry));
}

void checkNonTarget(Env& env, BpfRedirector& redirector) {
  const std::string what = "non-target " + env.net.nonTarget.toString();
  Connected conn = connectTcp(env.net.nonTarget, AF_INET);
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  UniqueFd accepted = acceptWithin(env.net.other.get(), kAcceptWait);
  env.checks.expect(accepted.valid(), what + ": reaches its own server");
  env.checks.expect(!acceptWithin(env.net.agent4.get(), kNothingWait).valid(),
                    what + ": the agent saw nothing");
  if (accepted.valid()) {
    env.checks.expect(!redirector.lookupConnection(peerName(accepted.get()).endpoint),
                      what + ": no connection record");
  }
}

void checkAgentMark(Env& env) {
  const std::string what = "agent-marked socket to " + env.net.target4.toString();
  Connected conn = connectTcp(env.net.target4, AF_INET, kAgentMark);
  env.checks.expect(conn.err == 0, what + ": connect succeeds", errnoName(conn.err));
  env.checks.expect(acceptWithin(env.net.upstream4.get(), kAcceptWait).valid(),
                    what + ": goes straight to the real upstream");
  env.checks.expect(!acceptWithin(env.net.agent4.get(), kNothingWait).valid(),
                    what + ": the agent saw nothing");
}

void checkRecordsRemovedAfterClose(Env& env, BpfRedirector& redirector, std::vector<Open>& open) {
  std::vector<Endpoint> peers;
  for (auto& entry : open) {
    peers.push_back(entry.peer);
    entry.client.reset();
    entry.accepted.reset();
  }
  bool allGone = false;
  for (int i = 0; i < 40 && !allGone; ++i) {
    allGone = true;
    for (const auto& peer : peers) allGone = allGone && !redirector.lookupConnection(peer);
    if (!allGone) std::this_thread::sleep_for(50ms);
  }
  env.checks.expect(allGone, "conns entries are gone after the connections closed");

  UniqueFd origins(bpf_obj_get((env.pinDir + "/maps/warden_origins").c_str()));
  __u64 key = 0;
  const bool empty = origins.valid() && bpf_map_get_next_key(origins.get(), nullptr, &key) != 0;
  env.checks.expect(empty, "origins map (read through its pin) is empty after close");
}

}  // namespace

void checkRedirects(Env& env, BpfRedirector& redirector) {
  auto ok = redirector.heartbeat();
  env.checks.expect(ok.ok(), "heartbeat()", ok.ok() ? "" : ok.error().message);
  const KernelCounters before = redirector.counters();

  std::vector<Open> open;
  checkV4FromThread(env, redirector, open);
  checkOtherUser(env, redirector);
  checkIpv6(env, redirector, open);
  checkV4Mapped(env, redirector, open);
  checkNonTarget(env, redirector);
  checkAgentMark(env);
  checkRecordsRemovedAfterClose(env, redirector, open);

  const KernelCounters after = redirector.counters();
  env.checks.expect(after.redirected - before.redirected == 4, "REDIRECTED counted 4",
                    std::to_string(after.redirected - before.redirected));
  env.checks.expect(after.passed > before.passed, "PASSED counted the non-target");
  env.checks.expect(after.agentOwn - before.agentOwn == 1, "AGENT_OWN counted 1",
                    std::to_string(after.agentOwn - before.agentOwn));
  env.checks.expect(after.peernameRewritten - before.peernameRewritten >= 4,
                    "PEERNAME counted the rewritten getpeername calls",
                    std::to_string(after.peernameRewritten - before.peernameRewritten));
  env.checks.expect(after.originMissing == 0, "ORIGIN_MISSING stays 0");
}

}  // namespace probe
