#include "proxy/hello_reader.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <vector>

namespace warden::proxy {
namespace {

constexpr size_t kInitialPeekBytes = 2048;

// SO_RCVLOWAT makes the socket readable only once `bytes` are queued, so a
// hello split over many segments costs one wakeup instead of one per segment.
void setReceiveLowWater(int fd, size_t bytes) {
  int value = static_cast<int>(bytes);
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &value, sizeof(value));
}

bool peerHungUp(int fd) {
  pollfd p{fd, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

}  // namespace

asio::awaitable<Result<HelloParse>> peekClientHello(Tcp::socket& socket) {
  const int fd = socket.native_handle();
  std::vector<uint8_t> buffer(kInitialPeekBytes);
  size_t lastSeen = 0;
  bool lowWaterSet = false;

  auto finish = [&](Result<HelloParse> result) {
    // Later reads (TLS, tunnel) must wake up for every byte again.
    if (lowWaterSet) setReceiveLowWater(fd, 1);
    return result;
  };

  for (;;) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) co_return finish(Error{"client closed the connection before sending a ClientHello"});
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      co_return finish(errnoError("read ClientHello"));
    }
    if (n > 0) {
      const auto seen = static_cast<size_t>(n);
      HelloParse parse = parseClientHello({buffer.data(), seen});
      if (parse.status != HelloStatus::NeedMore) co_return finish(std::move(parse));

      const size_t wanted = std::min(std::max(parse.neededBytes, seen + 1), kMaxClientHelloBytes);
      if (wanted > buffer.size()) {
        const bool wasFull = seen == buffer.size();
        buffer.resize(wanted);
        // More may already be queued than the old buffer could show.
        if (wasFull) continue;
      }
      if (seen == lastSeen && peerHungUp(fd)) {
        co_return finish(Error{"client closed the connection in the middle of its ClientHello"});
      }
      lastSeen = seen;
      setReceiveLowWater(fd, wanted);
      lowWaterSet = true;
    }
    auto [ec] = co_await socket.async_wait(Tcp::socket::wait_read, kUseTuple);
    if (ec) co_return finish(Error{"wait for ClientHello: " + ec.message()});
  }
}

}  // namespace warden::proxy
