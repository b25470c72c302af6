// Counters shared by all workers: relaxed atomics on the data path, summed
// into a ProxyCounters snapshot when someone asks.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "proxy/proxy.h"

namespace warden::proxy {

class ProxyStats {
 public:
  using Counter = std::atomic<uint64_t>;

  static void bump(Counter& counter, uint64_t by = 1) { counter.fetch_add(by, std::memory_order_relaxed); }

  Counter connections{0};
  Counter intercepted{0};
  Counter tunnelled{0};
  Counter plainHttp{0};
  Counter requests{0};
  Counter errors{0};
  Counter noOrigin{0};
  Counter noOriginServed{0};
  Counter handshakeFailures{0};
  // Requests by the validation layer's verdict, indexed by validation::Verdict
  // (allow, flag, sanitize, block).
  std::array<Counter, 4> validation{};

  // Rare (a client refusing our CA), so a mutex is fine here.
  void countUntrustedCa(const std::string& executable);

  ProxyCounters snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> untrustedCaByExecutable_;
};

}  // namespace warden::proxy
