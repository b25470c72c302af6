// Keeps the kernel's target map in step with DNS: resolves every configured
// LLM host on its own thread, honours the answers' TTLs, and reports the
// combined set (resolved hosts + literal CIDRs) whenever it changes.
//
// Addresses that vanish from answers stay for a grace period, because clients
// may still connect to an address they cached. A failed lookup keeps the last
// good addresses: DNS trouble is no evidence that the API moved.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/config.h"
#include "core/endpoint.h"
#include "core/result.h"
#include "kernel/bpf_redirector.h"

namespace warden::app {

struct LookupAnswer {
  std::vector<Endpoint> addresses;      // ports ignored
  std::optional<std::chrono::seconds> ttl;  // none: the answer carried no TTL (hosts file)
};

using LookupFunction = std::function<Result<LookupAnswer>(const std::string& name)>;
using SteadyClock = std::chrono::steady_clock;
using ClockFunction = std::function<SteadyClock::time_point()>;
using TargetsCallback = std::function<void(const std::vector<kernel::TargetEntry>&)>;

// getaddrinfo (so /etc/hosts and nsswitch apply) plus res_nquery for the TTL.
Result<LookupAnswer> systemLookup(const std::string& name);

struct ResolverOptions {
  LookupFunction lookup = systemLookup;
  ClockFunction clock = [] { return SteadyClock::now(); };
  std::chrono::seconds grace{600};  // how long a vanished address is kept
  std::chrono::seconds minBackoff{1};
  std::chrono::seconds maxBackoff{60};
};

struct HostStatus {
  HostTarget target;
  std::vector<std::string> addresses;  // sorted, grace-period ones included
  std::chrono::seconds ttl{0};         // of the last good answer (clamped)
  std::chrono::seconds expiresIn{0};   // until the next lookup
  std::string error;                   // last lookup's failure; "" when it worked
};

struct TargetSnapshot {
  std::vector<HostStatus> hosts;
  std::vector<CidrTarget> cidrs;
};

// The "targets" object of the status command.
nlohmann::json toJson(const TargetSnapshot& snapshot);

class TargetResolver {
 public:
  // `onChange` runs on the resolver's thread (or the caller of poll()) with the
  // complete target set, the first time and then only when the set changes.
  // If it throws, the same set is offered again, with backoff as for lookups.
  TargetResolver(const Config& config, TargetsCallback onChange, ResolverOptions options = {});
  ~TargetResolver();  // stop()
  TargetResolver(const TargetResolver&) = delete;
  TargetResolver& operator=(const TargetResolver&) = delete;

  void start();
  void stop();

  // Looks up every host that is due, drops addresses past their grace period,
  // publishes the set if it changed; returns when work is next due. The thread
  // loops on this; tests call it directly with a fake clock.
  SteadyClock::time_point poll();

  std::vector<kernel::TargetEntry> targets() const;
  TargetSnapshot snapshot() const;

 private:
  struct HostState {
    HostTarget target;
    std::map<std::array<uint8_t, 16>, SteadyClock::time_point> lastSeen;  // address -> last answer holding it
    std::chrono::seconds ttl{0};
    std::chrono::seconds backoff{0};
    SteadyClock::time_point due;         // next lookup
    SteadyClock::time_point lastAnswer;  // of the latest good answer
    std::string error;
  };

  Result<LookupAnswer> lookupCatching(const std::string& name) const;
  bool publish(const std::vector<kernel::TargetEntry>& targets);
  void applyAnswer(HostState& host, const Result<LookupAnswer>& answer, SteadyClock::time_point now);
  void pruneExpired(HostState& host, SteadyClock::time_point now);
  SteadyClock::time_point nextDue(const HostState& host) const;
  std::vector<kernel::TargetEntry> computeTargets() const;
  void run();

  std::vector<CidrTarget> cidrs_;
  std::chrono::seconds minTtl_;
  std::chrono::seconds maxTtl_;
  std::chrono::seconds defaultTtl_;
  TargetsCallback onChange_;
  ResolverOptions options_;

  mutable std::mutex mutex_;
  std::vector<HostState> hosts_;
  std::optional<std::vector<kernel::TargetEntry>> published_;
  // Of the publisher (poll()'s thread only): its last failure, the wait
  // before the next offer, and when that offer may be made.
  std::string publishError_;
  std::chrono::seconds publishBackoff_{0};
  SteadyClock::time_point publishNotBefore_{};

  std::mutex pollMutex_;  // one poll() at a time, lookups run outside mutex_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace warden::app
