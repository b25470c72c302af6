// State every worker reads: options, the kernel lookup, TLS contexts, the
// intercept-name set, counters and metrics, the audit log, and the pools for certificate
// minting and large prompt validations. Owned by Proxy; outlives all workers.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include "layers/audit/event_log.h"
#include "metrics/traffic_metrics.h"
#include "proxy/net_types.h"
#include "proxy/access_gate.h"
#include "proxy/proxy.h"
#include "proxy/proxy_stats.h"
#include "proxy/tls_contexts.h"
#include "proxy/workload_registry.h"

namespace warden::proxy {

struct ProxyShared {
  ProxyShared(const ProxyOptions& o, OriginLookup l, std::shared_ptr<CertAuthority> ca,
              std::shared_ptr<asio::ssl::context> upstream, audit::EventLog* e, InterceptNames names)
      : options(o),
        lookup(std::move(l)),
        serverContexts(std::move(ca)),
        upstreamTls(std::move(upstream)),
        events(e),
        metrics(o.metrics),
        interceptNames(std::make_shared<const InterceptNames>(std::move(names))),
        access(AccessPolicies{o.accessPolicies, o.accessSecrets}) {
    if (o.anomaly) risk.emplace(*o.anomaly);
  }

  const ProxyOptions options;
  const OriginLookup lookup;
  ServerContexts serverContexts;
  const std::shared_ptr<asio::ssl::context> upstreamTls;
  audit::EventLog* const events;  // may be null (tests); workers submit through their EventBatcher
  metrics::TrafficMetrics* const metrics;  // may be null (tests, metrics disabled)
  std::atomic<std::shared_ptr<const InterceptNames>> interceptNames;
  ProxyStats stats;
  WorkloadRegistry workloads;
  std::optional<anomaly::RiskTracker> risk;  // none: no anomaly layer
  AccessGate access;
  // Minting a leaf takes a fraction of a millisecond of CPU: too long for an
  // event loop, too short for more than a couple of threads.
  asio::thread_pool mintPool{2};
  // Prompt validation of large bodies (HttpSession::validate): megabytes of
  // text take milliseconds, during which a worker would serve no one else.
  // One thread per core: the work is CPU and bounded by the body limits.
  asio::thread_pool inspectPool{std::max(1u, std::thread::hardware_concurrency())};
  // Workload resolution reads /proc and /sys and hashes executables it has
  // not seen (hundreds of milliseconds for a large runtime): never on an
  // event loop. Two threads, so one new runtime being hashed does not hold
  // up the connections of workloads already known.
  asio::thread_pool identityPool{2};
  // Connections without a kernel record being looked up (connection.cpp).
  static constexpr unsigned kMaxAdoptionsInFlight = 4;
  std::atomic<unsigned> adoptionsInFlight{0};
};

}  // namespace warden::proxy
