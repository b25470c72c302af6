#include "proxy/proxy.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "core/log.h"
#include "proxy/proxy_shared.h"
#include "proxy/tls_contexts.h"
#include "proxy/worker.h"

namespace warden::proxy {
namespace {

// With listenPort 0 the first worker takes an ephemeral IPv4 port; that port
// may be taken on ::1 by someone else, so pick another a few times.
constexpr int kEphemeralPortAttempts = 8;

Error listenError(const Error& error) {
  if (error.message.find("in use") == std::string::npos) return error;
  return error.wrap("start the proxy (is another wardend running? otherwise choose another listen.port)");
}

}  // namespace

struct Proxy::Impl {
  // Declared first: workers refer to it until they are gone.
  std::unique_ptr<ProxyShared> shared;
  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t port = 0;
  std::mutex stopMutex;
  bool stopped = false;
};

Result<std::unique_ptr<Proxy>> Proxy::start(const ProxyOptions& options, OriginLookup lookup,
                                            std::shared_ptr<CertAuthority> ca, audit::EventLog* events,
                                            InterceptNames interceptNames) {
  if (!lookup) return Error{"start the proxy: no origin lookup was given"};
  if (!ca) return Error{"start the proxy: no certificate authority was given (needed to intercept TLS)"};
  auto upstreamTls = makeUpstreamContext(options.upstreamExtraCaFile);
  if (!upstreamTls) return upstreamTls.error().wrap("prepare TLS for upstream connections");

  auto impl = std::make_unique<Impl>();
  impl->shared = std::make_unique<ProxyShared>(options, std::move(lookup), std::move(ca), upstreamTls.value(), events,
                                               std::move(interceptNames));
  for (int attempt = 1;; ++attempt) {
    auto first = Worker::create(*impl->shared, 0, options.listenPort);
    if (first) {
      impl->workers.push_back(std::move(first.value()));
      break;
    }
    if (options.listenPort != 0 || attempt == kEphemeralPortAttempts) return listenError(first.error());
  }
  impl->port = impl->workers.front()->port();
  const unsigned count = std::max(1u, options.workers);
  for (unsigned i = 1; i < count; ++i) {
    auto worker = Worker::create(*impl->shared, i, impl->port);
    if (!worker) return listenError(worker.error());
    impl->workers.push_back(std::move(worker.value()));
  }
  for (auto& worker : impl->workers) worker->start();
  const std::string port = std::to_string(impl->port);
  logger("proxy")->info("listening on 127.0.0.1:{}{} with {} worker(s)", port,
                        impl->workers.front()->listensOnIpv6() ? " and [::1]:" + port : std::string(), count);
  return std::unique_ptr<Proxy>(new Proxy(std::move(impl)));
}

Proxy::Proxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Proxy::~Proxy() { stop(); }

void Proxy::setInterceptNames(InterceptNames names) {
  impl_->shared->interceptNames.store(std::make_shared<const InterceptNames>(std::move(names)));
}

ProxyCounters Proxy::counters() const { return impl_->shared->stats.snapshot(); }

void Proxy::setAccessPolicies(std::shared_ptr<const access::PolicySet> policies,
                              std::shared_ptr<const access::SecretsFile> secrets) {
  impl_->shared->access.replace(AccessPolicies{std::move(policies), std::move(secrets)});
}

std::vector<WorkloadActivity> Proxy::workloads() const { return impl_->shared->workloads.snapshot(); }

std::optional<double> Proxy::workloadRisk(const std::string& key) const {
  const auto& risk = impl_->shared->risk;
  if (!risk) return std::nullopt;
  return risk->score(key, std::chrono::steady_clock::now());
}

uint16_t Proxy::listenPort() const { return impl_->port; }

void Proxy::stop() {
  std::lock_guard lock(impl_->stopMutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  for (auto& worker : impl_->workers) worker->stop();
  // A mint, a validation or an identity lookup still running would post its
  // result back to a worker's loop, and a validation reads the request in
  // its coroutine. (A lookup of a connection without a kernel record may be
  // waiting on DNS: the stop then waits for it too.)
  impl_->shared->mintPool.join();
  impl_->shared->inspectPool.join();
  impl_->shared->identityPool.join();
  for (auto& worker : impl_->workers) worker->release();
  logger("proxy")->info("stopped");
}

}  // namespace warden::proxy
