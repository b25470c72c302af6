// The data path: N worker threads, each with its own event loop and its own
// listening socket (SO_REUSEPORT) on the agent port; a connection stays on
// the worker that accepted it.
//
// Per connection: look up the kernel's record (original destination and
// identity) -> read the ClientHello without consuming it -> for an LLM host
// name, terminate TLS with a minted leaf and relay HTTP/1.1 requests to the
// original destination over verified TLS; for any other name (or none), a
// blind TCP tunnel. Plain-HTTP targets are relayed without TLS.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "layers/anomaly/risk_tracker.h"
#include "layers/audit/text_hasher.h"
#include "core/endpoint.h"
#include "core/result.h"

namespace warden::audit {
class EventLog;
struct WorkloadRecord;
}

namespace warden::validation {
class PromptInspector;
}

namespace warden::metrics {
class TrafficMetrics;
}

namespace warden::access {
class PolicySet;
class SecretsFile;
}

namespace warden::masking {
class SensitiveDataScanner;
}

namespace warden::proxy {

class CertAuthority;
struct WorkloadActivity;

// Resolves the kernel's identity of a connection into its workload. It does
// file I/O (and hashes executables it has not seen), so the proxy calls it on
// a helper thread, once per connection. Must not throw; null when nothing
// can be said.
using WorkloadResolver = std::function<std::shared_ptr<const audit::WorkloadRecord>(const KernelIdentity&)>;

// For a connection the kernel has no record of: who owns the client's socket
// (client: its address; agent: the accepted socket's own), and where an
// intercepted server name goes. File I/O and DNS: called on a helper thread.
using ConnectionOwnerLookup = std::function<Result<KernelIdentity>(const Endpoint& client, const Endpoint& agent)>;
using DestinationLookup = std::function<Result<Endpoint>(const std::string& serverName)>;

struct ProxyOptions {
  uint16_t listenPort = 15001;
  unsigned workers = 1;
  uint32_t upstreamMark = 0;  // SO_MARK on every upstream socket: never redirected
  std::string upstreamExtraCaFile;
  std::chrono::milliseconds upstreamConnectTimeout{5000};
  std::chrono::milliseconds clientHelloTimeout{10000};
  std::chrono::milliseconds idleTimeout{120000};
  unsigned upstreamIdlePerHost = 64;
  // Bounds on one request (config `limits:`).
  uint64_t maxRequestBodyBytes = 32ull << 20;  // inspected bodies are read whole; over it: 413
  uint32_t maxHeaderBytes = 64 << 10;
  uint32_t maxHeaderCount = 100;
  uint32_t maxJsonDepth = 64;
  // Layer 1 on every inspected request; null: not configured (tests).
  std::shared_ptr<const validation::PromptInspector> promptInspector;
  // Prompts and completions are logged as keyed hashes; null: not at all.
  std::shared_ptr<const audit::TextHasher> textHasher;
  // With a promptInspector: refuse API requests whose body cannot be read.
  bool blockUnreadable = true;
  // Where requests and connections are counted; null: not at all (tests,
  // metrics.enabled: false). Must outlive the proxy.
  metrics::TrafficMetrics* metrics = nullptr;
  // Empty: events carry the kernel's ids only (tests).
  WorkloadResolver resolveWorkload;
  // A connection with no kernel record (evicted in a burst of connects, or a
  // local client that dialled the agent's port itself) is served only when
  // both are set and it is TLS for an intercepted name: the owner of the
  // client's socket is its identity, the name's address its destination.
  // Anything else without a record is closed: its destination is unknown.
  ConnectionOwnerLookup connectionOwner;
  DestinationLookup destinationOf;
  // Layer 2: each workload's risk score; nullopt: no anomaly layer (every
  // request's score is 0).
  std::optional<anomaly::RiskSettings> anomaly;
  // Layer 3; null: no access layer (tests). Secrets null: no brokered keys.
  std::shared_ptr<const access::PolicySet> accessPolicies;
  std::shared_ptr<const access::SecretsFile> accessSecrets;
  // Layer 3's secret and personal-data scan of every inspected request;
  // null: not configured (tests, access.masking_rules_dir: "").
  std::shared_ptr<const masking::SensitiveDataScanner> sensitiveDataScanner;
};

// Looks up the kernel's record of a redirected connection by the client's
// address; nullopt when there is none (not redirected, or a race).
using OriginLookup = std::function<std::optional<ConnectionOrigin>(const Endpoint& client)>;

// Which server names are intercepted; swapped atomically on config changes.
using InterceptNames = std::set<std::string>;

struct ProxyCounters {
  uint64_t connections = 0;
  uint64_t intercepted = 0;   // TLS terminated (LLM host)
  uint64_t tunnelled = 0;     // blind TCP tunnel
  uint64_t plainHttp = 0;     // plain HTTP target
  uint64_t requests = 0;
  uint64_t errors = 0;        // requests or connections that failed
  uint64_t noOrigin = 0;        // accepted without a kernel record, closed: destination unknown
  uint64_t noOriginServed = 0;  // accepted without a kernel record, served on the socket owner's identity
  uint64_t handshakeFailures = 0;
  // Inspected requests by the validation layer's verdict.
  uint64_t promptsAllowed = 0;
  uint64_t promptsFlagged = 0;
  uint64_t promptsSanitized = 0;
  uint64_t promptsBlocked = 0;
  // Clients that rejected warden's certificate (alert unknown_ca / bad_certificate),
  // by executable name (comm) — runtimes that do not trust the CA yet.
  std::map<std::string, uint64_t> untrustedCaByExecutable;
};

class Proxy {
 public:
  static Result<std::unique_ptr<Proxy>> start(const ProxyOptions& options, OriginLookup lookup,
                                              std::shared_ptr<CertAuthority> ca, audit::EventLog* events,
                                              InterceptNames interceptNames);
  ~Proxy();  // stop()

  void setInterceptNames(InterceptNames names);
  // A reload: requests decided from now on use these; those under way keep
  // the set they were decided with.
  void setAccessPolicies(std::shared_ptr<const access::PolicySet> policies,
                         std::shared_ptr<const access::SecretsFile> secrets);
  ProxyCounters counters() const;
  // The workloads seen, most recent first (`wardenctl identities`).
  std::vector<WorkloadActivity> workloads() const;
  // A workload's risk score now (layer 2); nullopt when the layer is off.
  std::optional<double> workloadRisk(const std::string& key) const;
  // The port every worker listens on (the ephemeral one when listenPort was 0).
  uint16_t listenPort() const;
  // Stops accepting, closes connections, joins the workers. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit Proxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::proxy
