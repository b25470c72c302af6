// Serves a Registry as http://127.0.0.1:<port>/metrics and
// http://[::1]:<port>/metrics (loopback only: the page names workloads) on
// a thread and event loop of its own, so a scrape never runs on a worker.
//
// GET /metrics answers the text format (Content-Type text/plain;
// version=0.0.4); other paths get 404, other methods on /metrics 405.
// Requests are small: a header over 8 KiB or a body over 4 KiB ends the
// connection with 431 / 413. Connections beyond kMaxConnections are closed
// at once, and an idle one after kIdleTimeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "core/result.h"
#include "metrics/registry.h"

namespace warden::metrics {

class MetricsServer {
 public:
  static constexpr size_t kMaxConnections = 16;
  static constexpr std::chrono::seconds kIdleTimeout{30};

  // Binds both loopback addresses (IPv4 only where IPv6 is disabled) and
  // starts serving. `port` 0: an ephemeral port, see port(). `registry`
  // must outlive the server.
  static Result<std::unique_ptr<MetricsServer>> start(const Registry& registry, uint16_t port);
  ~MetricsServer();  // stop()

  uint16_t port() const;
  bool listensOnIpv6() const;
  // Closes the listeners and connections and joins the thread. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::metrics
