#include "proxy/tunnel.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>

#include <array>

#include "proxy/watchdog.h"

namespace warden::proxy {
namespace {

constexpr size_t kCopyBufferBytes = 16 * 1024;

void closeBoth(Tcp::socket& a, Tcp::socket& b) {
  boost::system::error_code ignored;
  a.close(ignored);
  b.close(ignored);
}

// One direction. On end of stream the peer gets a FIN (shutdown send) and the
// other direction keeps going; on an error both sockets are closed so the
// other direction ends too.
asio::awaitable<void> copyOneWay(Tcp::socket& from, Tcp::socket& to, uint64_t& bytes, std::string& error,
                                 Watchdog& idle, const char* direction) {
  std::array<char, kCopyBufferBytes> buffer;
  for (;;) {
    auto [readError, n] = co_await from.async_read_some(asio::buffer(buffer), kUseTuple);
    if (readError == asio::error::eof) {
      boost::system::error_code ignored;
      to.shutdown(Tcp::socket::shutdown_send, ignored);
      co_return;
    }
    if (readError) {
      if (error.empty() && readError != asio::error::operation_aborted && readError != asio::error::bad_descriptor) {
        error = std::string(direction) + " read: " + readError.message();
      }
      closeBoth(from, to);
      co_return;
    }
    idle.touch();
    auto [writeError, written] = co_await asio::async_write(to, asio::buffer(buffer.data(), n), kUseTuple);
    bytes += written;
    if (writeError) {
      if (error.empty() && writeError != asio::error::operation_aborted && writeError != asio::error::bad_descriptor) {
        error = std::string(direction) + " write: " + writeError.message();
      }
      closeBoth(from, to);
      co_return;
    }
    idle.touch();
  }
}

}  // namespace

asio::awaitable<TunnelOutcome> runTunnel(Tcp::socket& client, Tcp::socket& upstream,
                                         std::chrono::milliseconds idleTimeout) {
  using namespace asio::experimental::awaitable_operators;
  TunnelOutcome outcome;
  auto executor = co_await asio::this_coro::executor;
  Watchdog idle(executor, idleTimeout, [&] { closeBoth(client, upstream); });
  co_await (copyOneWay(client, upstream, outcome.bytesFromClient, outcome.error, idle, "client->upstream") &&
            copyOneWay(upstream, client, outcome.bytesToClient, outcome.error, idle, "upstream->client"));
  if (idle.expired() && outcome.error.empty()) {
    outcome.error = "idle for " + std::to_string(idleTimeout.count()) + " ms";
  }
  co_return outcome;
}

}  // namespace warden::proxy
