// Idle upstream connections of one worker, keyed by where they go: original
// destination, server name and TLS. Only the owning worker touches it, so it
// needs no lock.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "core/endpoint.h"
#include "proxy/http_types.h"
#include "proxy/stream.h"

namespace warden::proxy {

struct UpstreamKey {
  Endpoint dst;
  std::string serverName;  // SNI and verified name for TLS; empty for plain HTTP
  bool tls = false;

  friend bool operator<(const UpstreamKey& a, const UpstreamKey& b) {
    if (a.dst.addr != b.dst.addr) return a.dst.addr < b.dst.addr;
    if (a.dst.port != b.dst.port) return a.dst.port < b.dst.port;
    if (a.tls != b.tls) return a.tls < b.tls;
    return a.serverName < b.serverName;
  }
};

struct UpstreamConnection {
  explicit UpstreamConnection(Stream s) : stream(std::move(s)) { buffer.reserve(kReadBufferBytes); }
  Stream stream;
  // Empty whenever the connection is idle in the pool; kept with it so its
  // space is allocated once per connection, not once per request.
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idleSince;
};

class UpstreamPool {
 public:
  UpstreamPool(unsigned maxIdlePerKey, std::chrono::steady_clock::duration maxIdleTime);

  // An idle connection that still looks usable, or nullptr.
  std::unique_ptr<UpstreamConnection> take(const UpstreamKey& key);
  // Keeps a connection whose last exchange completed cleanly.
  void put(const UpstreamKey& key, std::unique_ptr<UpstreamConnection> connection);
  void clear();
  size_t idleCount() const;

 private:
  void pruneExpired(std::chrono::steady_clock::time_point now);

  unsigned maxIdlePerKey_;
  std::chrono::steady_clock::duration maxIdleTime_;
  std::map<UpstreamKey, std::deque<std::unique_ptr<UpstreamConnection>>> idle_;
};

}  // namespace warden::proxy
