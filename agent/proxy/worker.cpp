#include "proxy/worker.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/log.h"
#include "proxy/connection.h"
#include "proxy/listener.h"
#include "proxy/worker_context.h"

namespace warden::proxy {
namespace {

// accept() failing with EMFILE/ENFILE would otherwise spin the loop.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

}  // namespace

Worker::Worker(ProxyShared& shared, unsigned index)
    : shared_(shared),
      index_(index),
      io_(std::make_unique<asio::io_context>(1)),
      pool_(shared.options.upstreamIdlePerHost, shared.options.idleTimeout),
      events_(std::make_unique<EventBatcher>(io_->get_executor(), shared.events)),
      context_{shared, pool_, *events_} {}

Worker::~Worker() {
  stop();
  release();
}

Result<std::unique_ptr<Worker>> Worker::create(ProxyShared& shared, unsigned index, uint16_t port) {
  std::unique_ptr<Worker> worker(new Worker(shared, index));
  auto v4 = openListener(*worker->io_, asio::ip::address_v4::loopback(), port);
  if (!v4) return v4.error().wrap("worker " + std::to_string(index));
  worker->port_ = v4->local_endpoint().port();
  worker->acceptors_.push_back(std::move(v4.value()));

  if (!ipv6LoopbackUsable(*worker->io_)) {
    if (index == 0) logger("proxy")->warn("IPv6 loopback is not available; listening on 127.0.0.1 only");
    return worker;
  }
  auto v6 = openListener(*worker->io_, asio::ip::address_v6::loopback(), worker->port_);
  if (!v6) return v6.error().wrap("worker " + std::to_string(index));
  worker->acceptors_.push_back(std::move(v6.value()));
  return worker;
}

void Worker::start() {
  for (auto& acceptor : acceptors_) {
    asio::co_spawn(*io_, acceptLoop(acceptor), asio::detached);
  }
  thread_ = std::thread([this] {
    // Handlers catch their own exceptions; this is the last line of defence
    // so one bug cannot take the worker down.
    for (;;) {
      try {
        io_->run();
        return;
      } catch (const std::exception& e) {
        ProxyStats::bump(shared_.stats.errors);
        logger("proxy")->error("worker {}: unexpected exception: {}", index_, e.what());
      }
    }
  });
}

asio::awaitable<void> Worker::acceptLoop(Tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      ProxyStats::bump(shared_.stats.errors);
      logger("proxy")->warn("worker {}: accept: {}", index_, ec.message());
      asio::steady_timer backoff(*io_, kAcceptBackoff);
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    asio::co_spawn(*io_, serveConnection(context_, std::move(socket)), asio::detached);
  }
}

void Worker::stop() {
  if (!io_) return;
  // Posted, not called: handlers already queued run first, and some stage
  // their response's audit event for the write at the end of the loop's
  // turn, which would be posted behind the stop. So the stop writes what is
  // staged itself, and stops the loop only after the responses waiting for
  // that write have had their turn to send their last bytes.
  asio::post(*io_, [this] {
    events_->writeStaged();
    asio::post(*io_, [io = io_.get()] { io->stop(); });
  });
  if (thread_.joinable()) thread_.join();
}

void Worker::release() {
  if (!io_) return;
  pool_.clear();
  acceptors_.clear();
  events_.reset();  // hands over the events it still holds
  // Destroys the frames of connections still open, closing their sockets.
  io_.reset();
}

}  // namespace warden::proxy
