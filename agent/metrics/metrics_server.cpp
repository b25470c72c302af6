#include "metrics/metrics_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "metrics/exposition.h"

namespace warden::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// A scraper sends a short GET; anything larger is not one.
constexpr uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr uint64_t kMaxBodyBytes = 4 * 1024;
// accept() failing with EMFILE/ENFILE would otherwise spin the loop.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
// With port 0 the IPv4 listener takes an ephemeral port that may be taken
// on ::1 by someone else: pick another a few times.
constexpr int kEphemeralPortAttempts = 8;

std::string addressText(const Tcp::endpoint& where) {
  std::string address = where.address().to_string();
  if (where.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(where.port());
}

Result<Tcp::acceptor> openListener(asio::io_context& io, const asio::ip::address& address, uint16_t port) {
  const Tcp::endpoint where(address, port);
  Tcp::acceptor acceptor(io);
  ErrorCode ec;
  acceptor.open(where.protocol(), ec);
  // No SO_REUSEPORT: a second agent on the same port must fail, not share it.
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && address.is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor.bind(where, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"listen on " + addressText(where) + ": " + ec.message()};
  return acceptor;
}

bool ipv6LoopbackUsable(asio::io_context& io) {
  Tcp::socket probe(io);
  ErrorCode ec;
  probe.open(Tcp::v6(), ec);
  if (!ec) probe.bind(Tcp::endpoint(asio::ip::address_v6::loopback(), 0), ec);
  return !ec;
}

Response textResponse(http::status status, unsigned version, std::string body) {
  Response response(status, version);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(body);
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

Response answer(const Registry& registry, const Request& request) {
  std::string_view target = request.target();
  target = target.substr(0, target.find('?'));
  if (target != "/metrics") {
    auto response =
        textResponse(http::status::not_found, request.version(), "not found: the metrics are at /metrics\n");
    response.keep_alive(request.keep_alive());
    return response;
  }
  if (request.method() != http::verb::get) {
    auto response = textResponse(http::status::method_not_allowed, request.version(), "/metrics answers GET only\n");
    response.set(http::field::allow, "GET");
    response.keep_alive(request.keep_alive());
    return response;
  }
  std::string page;
  try {
    page = registry.render();
  } catch (const std::exception& e) {
    // A callback failed (out of memory, a bug): this scrape fails, not the agent.
    logger("metrics")->error("rendering the metrics failed: {}", e.what());
    return textResponse(http::status::internal_server_error, request.version(), "rendering the metrics failed\n");
  }
  Response response(http::status::ok, request.version());
  response.set(http::field::content_type, kContentType);
  response.body() = std::move(page);
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

// A request we will not read to its end: say why, then close.
std::optional<Response> refusalFor(const ErrorCode& ec) {
  if (ec == http::error::header_limit) {
    return textResponse(http::status::request_header_fields_too_large, 11, "request header over 8 KiB\n");
  }
  if (ec == http::error::body_limit) {
    return textResponse(http::status::payload_too_large, 11, "request body over 4 KiB\n");
  }
  const bool parseError = ec.category() == http::make_error_code(http::error::bad_target).category() &&
                          ec != http::error::end_of_stream && ec != http::error::partial_message;
  if (parseError) return textResponse(http::status::bad_request, 11, "malformed request: " + ec.message() + "\n");
  return std::nullopt;  // the peer closed, reset or went idle
}

}  // namespace

struct MetricsServer::Impl {
  explicit Impl(const Registry& r) : registry(r), io(std::make_unique<asio::io_context>(1)) {}

  asio::awaitable<void> acceptLoop(Tcp::acceptor& acceptor);
  asio::awaitable<void> serve(Tcp::socket socket);

  const Registry& registry;
  size_t connections = 0;  // the server thread's only
  std::unique_ptr<asio::io_context> io;
  std::vector<Tcp::acceptor> acceptors;
  uint16_t port = 0;
  std::thread thread;
  std::mutex stopMutex;
  bool stopped = false;
};

asio::awaitable<void> MetricsServer::Impl::acceptLoop(Tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      logger("metrics")->warn("accept: {}", ec.message());
      asio::steady_timer backoff(*io, kAcceptBackoff);
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    if (connections >= kMaxConnections) {
      ErrorCode ignored;
      socket.close(ignored);
      continue;
    }
    ++connections;
    asio::co_spawn(*io, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> MetricsServer::Impl::serve(Tcp::socket socket) {
  struct Slot {
    size_t& count;
    ~Slot() { --count; }
  } slot{connections};
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    stream.expires_after(kIdleTimeout);
    auto [readError, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    if (readError) {
      if (auto refusal = refusalFor(readError)) {
        stream.expires_after(kIdleTimeout);
        co_await http::async_write(stream, *refusal, kUseTuple);
      }
      break;
    }
    Response response = answer(registry, parser.get());
    stream.expires_after(kIdleTimeout);
    auto [writeError, written] = co_await http::async_write(stream, response, kUseTuple);
    if (writeError || response.need_eof()) break;
  }
  ErrorCode ignored;
  stream.socket().shutdown(Tcp::socket::shutdown_send, ignored);
  stream.socket().close(ignored);
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const Registry& registry, uint16_t port) {
  std::unique_ptr<Impl> impl;
  for (int attempt = 1;; ++attempt) {
    impl = std::make_unique<Impl>(registry);
    auto v4 = openListener(*impl->io, asio::ip::address_v4::loopback(), port);
    if (!v4) return v4.error();
    impl->port = v4->local_endpoint().port();
    impl->acceptors.push_back(std::move(v4.value()));
    if (!ipv6LoopbackUsable(*impl->io)) {
      logger("metrics")->warn("IPv6 loopback is not available; serving metrics on 127.0.0.1 only");
      break;
    }
    auto v6 = openListener(*impl->io, asio::ip::address_v6::loopback(), impl->port);
    if (v6) {
      impl->acceptors.push_back(std::move(v6.value()));
      break;
    }
    if (port != 0 || attempt == kEphemeralPortAttempts) return v6.error();
  }
  for (auto& acceptor : impl->acceptors) {
    asio::co_spawn(*impl->io, impl->acceptLoop(acceptor), asio::detached);
  }
  Impl* running = impl.get();
  impl->thread = std::thread([running] {
    // Handlers catch what they expect; this keeps a bug from ending the thread.
    for (;;) {
      try {
        running->io->run();
        return;
      } catch (const std::exception& e) {
        logger("metrics")->error("metrics server: unexpected exception: {}", e.what());
      }
    }
  });
  const std::string shown = std::to_string(impl->port);
  logger("metrics")->info("serving metrics on http://127.0.0.1:{}/metrics{}", shown,
                          impl->acceptors.size() > 1 ? " and http://[::1]:" + shown + "/metrics" : std::string());
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() { stop(); }

uint16_t MetricsServer::port() const { return impl_->port; }

bool MetricsServer::listensOnIpv6() const { return impl_->acceptors.size() > 1; }

void MetricsServer::stop() {
  std::lock_guard lock(impl_->stopMutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->io->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->acceptors.clear();
  // Destroys the frames of connections still open, closing their sockets.
  impl_->io.reset();
}

}  // namespace warden::metrics
