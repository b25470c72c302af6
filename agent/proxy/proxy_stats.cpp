#include "proxy/proxy_stats.h"

namespace warden::proxy {

void ProxyStats::countUntrustedCa(const std::string& executable) {
  std::lock_guard lock(mutex_);
  ++untrustedCaByExecutable_[executable.empty() ? "unknown" : executable];
}

ProxyCounters ProxyStats::snapshot() const {
  auto load = [](const Counter& c) { return c.load(std::memory_order_relaxed); };
  ProxyCounters out;
  out.connections = load(connections);
  out.intercepted = load(intercepted);
  out.tunnelled = load(tunnelled);
  out.plainHttp = load(plainHttp);
  out.requests = load(requests);
  out.errors = load(errors);
  out.noOrigin = load(noOrigin);
  out.noOriginServed = load(noOriginServed);
  out.handshakeFailures = load(handshakeFailures);
  out.promptsAllowed = load(validation[0]);
  out.promptsFlagged = load(validation[1]);
  out.promptsSanitized = load(validation[2]);
  out.promptsBlocked = load(validation[3]);
  std::lock_guard lock(mutex_);
  out.untrustedCaByExecutable = untrustedCaByExecutable_;
  return out;
}

}  // namespace warden::proxy
