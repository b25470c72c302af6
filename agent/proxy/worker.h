// One worker: a thread running its own event loop, with its own listening
// sockets (IPv4 and IPv6 loopback) and its own upstream connection pool. A
// connection is served entirely by the worker that accepted it.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "core/result.h"
#include "proxy/event_batcher.h"
#include "proxy/net_types.h"
#include "proxy/proxy_shared.h"
#include "proxy/upstream_pool.h"
#include "proxy/worker_context.h"

namespace warden::proxy {

class Worker {
 public:
  // Binds the listeners (port 0: an ephemeral port, reported by port()).
  static Result<std::unique_ptr<Worker>> create(ProxyShared& shared, unsigned index, uint16_t port);
  ~Worker();

  uint16_t port() const { return port_; }
  bool listensOnIpv6() const { return acceptors_.size() > 1; }
  void start();
  // Stops accepting and leaves the event loop; connections still open are
  // dropped by release(). Call release() only after every helper job that
  // could post back to this worker has finished.
  void stop();
  void release();

 private:
  Worker(ProxyShared& shared, unsigned index);
  asio::awaitable<void> acceptLoop(Tcp::acceptor& acceptor);

  ProxyShared& shared_;
  unsigned index_;
  uint16_t port_ = 0;
  std::unique_ptr<asio::io_context> io_;
  std::vector<Tcp::acceptor> acceptors_;
  UpstreamPool pool_;
  // Holds a timer of io_, so it goes (flushing) before io_ does.
  std::unique_ptr<EventBatcher> events_;
  WorkerContext context_;  // what every connection of this worker refers to
  std::thread thread_;
};

}  // namespace warden::proxy
