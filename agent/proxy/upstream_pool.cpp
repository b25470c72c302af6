#include "proxy/upstream_pool.h"

#include <sys/socket.h>

namespace warden::proxy {
namespace {

// An idle connection must have nothing to read: queued bytes are a close
// alert or a FIN from the server, or garbage; either way it is not reusable.
bool looksUsable(UpstreamConnection& connection) {
  auto& socket = connection.stream.socket();
  if (!socket.is_open()) return false;
  uint8_t byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

UpstreamPool::UpstreamPool(unsigned maxIdlePerKey, std::chrono::steady_clock::duration maxIdleTime)
    : maxIdlePerKey_(maxIdlePerKey), maxIdleTime_(maxIdleTime) {}

std::unique_ptr<UpstreamConnection> UpstreamPool::take(const UpstreamKey& key) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& queue = it->second;
  const auto now = std::chrono::steady_clock::now();
  std::unique_ptr<UpstreamConnection> found;
  // Most recently used first: it is the least likely to have been closed.
  while (!queue.empty() && !found) {
    auto candidate = std::move(queue.back());
    queue.pop_back();
    if (now - candidate->idleSince < maxIdleTime_ && looksUsable(*candidate)) found = std::move(candidate);
  }
  if (queue.empty()) idle_.erase(it);
  return found;
}

void UpstreamPool::put(const UpstreamKey& key, std::unique_ptr<UpstreamConnection> connection) {
  if (maxIdlePerKey_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  pruneExpired(now);
  connection->idleSince = now;
  auto& queue = idle_[key];
  if (queue.size() >= maxIdlePerKey_) queue.pop_front();
  queue.push_back(std::move(connection));
}

// Connections to hosts nobody asks for again would otherwise hold their
// descriptors until the worker stops.
void UpstreamPool::pruneExpired(std::chrono::steady_clock::time_point now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& queue = it->second;
    while (!queue.empty() && now - queue.front()->idleSince >= maxIdleTime_) queue.pop_front();
    it = queue.empty() ? idle_.erase(it) : std::next(it);
  }
}

void UpstreamPool::clear() { idle_.clear(); }

size_t UpstreamPool::idleCount() const {
  size_t count = 0;
  for (const auto& [key, queue] : idle_) count += queue.size();
  return count;
}

}  // namespace warden::proxy
